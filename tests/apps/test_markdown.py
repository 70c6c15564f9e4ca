"""Markdown rendering and the template filters of postmortem pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils.safestring import SafeString

from secondstory.lib.markdown import markdown_to_text, render_markdown


def test_it_renders_commonmark() -> None:
    html = render_markdown("# Impact\n\nCheckout failed for **12%** of _requests_.\n\n- one\n- two")
    assert "<h1>Impact</h1>" in html
    assert "<strong>12%</strong>" in html
    assert "<em>requests</em>" in html
    assert "<li>one</li>" in html
    assert isinstance(html, SafeString)


def test_it_renders_tables_with_alignment() -> None:
    html = render_markdown("| service | errors |\n|:--|--:|\n| checkout | 12% |")
    assert "<table>" in html
    assert '<th style="text-align:left">service</th>' in html
    assert '<td style="text-align:right">12%</td>' in html


def test_it_renders_strikethrough() -> None:
    assert "<s>the database</s>" in render_markdown("It was ~~the database~~ the pool.")


def test_links_get_noopener_noreferrer() -> None:
    html = render_markdown("See [the runbook](https://runbooks.example.com/checkout).")
    assert '<a href="https://runbooks.example.com/checkout" rel="noopener noreferrer">' in html


def test_it_keeps_harmless_raw_html() -> None:
    html = render_markdown("Press <kbd>Ctrl</kbd>.\n\n<details><summary>Log</summary>x</details>")
    assert "<kbd>Ctrl</kbd>" in html
    assert "<details><summary>Log</summary>x</details>" in html


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<script>alert(1)</script>", "alert(1)"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<a href="#" onclick="alert(1)">x</a>', "onclick"),
        ("<svg onload=alert(1)>", "onload"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", 'href="data:'),
        ("![x](data:image/png;base64,AAAA)", "data:"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
        ("<iframe src=https://example.com></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
        ('<form action="https://example.com"><input name=q></form>', "<form"),
    ],
)
def test_dangerous_markup_never_survives(text: str, forbidden: str) -> None:
    assert forbidden.lower() not in str(render_markdown(text)).lower()


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("") == ""
    assert render_markdown("   \n") == ""


def test_markdown_to_text_drops_markup() -> None:
    assert markdown_to_text("Checkout failed for **12%** of `requests` &amp; <b>more</b>.") == (
        "Checkout failed for 12% of requests & more."
    )
    assert markdown_to_text("<script>alert(1)</script>fine") == "fine"


def render(source: str, **context: object) -> str:
    return Template("{% load secondstory %}" + source).render(Context(context))


def test_markdown_filter() -> None:
    assert render("{{ text|markdown }}", text="**bold** <script>x</script>") == (
        "<p><strong>bold</strong> </p>\n"
    )


def test_duration_filter() -> None:
    assert render("{{ value|duration }}", value=timedelta(hours=26, minutes=5)) == "1 d 2 h 5 min"
    assert render("{{ value|duration }}", value=None) == "—"


def test_localtime_in_uses_the_display_zone() -> None:
    moment = datetime(2026, 3, 4, 12, 40, tzinfo=UTC)
    assert render('{{ at|localtime_in|date:"H:i e" }}', at=moment) == "12:40 UTC"
    with override_settings(DISPLAY_TIME_ZONE="Europe/Paris"):
        assert render('{{ at|localtime_in|date:"H:i" }}', at=moment) == "13:40"
        assert render("{% display_zone_name %}") == "Europe/Paris"
    assert render('{{ at|localtime_in:"Asia/Kolkata"|date:"H:i" }}', at=moment) == "18:10"


def test_display_time_renders_a_time_element() -> None:
    moment = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    with override_settings(DISPLAY_TIME_ZONE="Europe/Paris"):
        html = render('{% display_time at "j M H:i" %}', at=moment)
    assert html == '<time datetime="2026-03-05T00:30:00+01:00">5 Mar 00:30</time>'


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://tracker.example.com/T-1", True),
        ("http://tracker.example.com/T-1", True),
        ("mailto:oncall@example.com", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,hi", False),
        ("", False),
    ],
)
def test_safe_url(url: str, kept: bool) -> None:
    assert (render("{{ url|safe_url }}", url=url) != "") is kept
