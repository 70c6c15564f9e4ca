"""The shared document: print view, PDF, readable Markdown and wiki HTML."""

from __future__ import annotations

import io
import sys

import pytest
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems import document, document_views
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for

ROUTES = ("document", "document_pdf", "document_markdown", "document_html")


@pytest.fixture
def with_secrets(postmortem: Postmortem) -> Postmortem:
    """The postmortem with an e-mail address in its summary and a raw payload on an event."""
    postmortem.summary += "\n\nAsk ana.lopez@example.com for the graphs."
    postmortem.save(update_fields=["summary"])
    event = TimelineEvent.objects.filter(incident__postmortems=postmortem).first()
    assert event is not None
    event.raw = {"payload": "RAW-PAYLOAD-7731", "from": "pager@example.org"}
    event.text += " (forwarded by ops@example.net)"
    event.save(update_fields=["raw", "text"])
    return postmortem


def test_the_print_view_has_the_record_and_no_editing_control(
    with_secrets: Postmortem, alice: User
) -> None:
    response = client_for(alice).get(reverse("postmortems:document", args=["PM-1"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>PM-1: Checkout errors after a configuration change</h1>" in html
    for heading in ("Summary", "Timeline", "Contributing factors", "Action items"):
        assert f"<h2>{heading}</h2>" in html
    assert "<form" not in html and "Edit</a>" not in html
    assert "@example" not in html and "RAW-PAYLOAD" not in html
    assert "[e-mail removed]" in html


def test_the_markdown_document_is_readable_and_leaves_out_emails_and_payloads(
    with_secrets: Postmortem, alice: User
) -> None:
    response = client_for(alice).get(reverse("postmortems:document_markdown", args=["PM-1"]))
    text = response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="PM-1-document.md"'
    assert text.startswith("# PM-1: Checkout errors after a configuration change\n")
    assert "## Summary" in text and "## Timeline" in text and "## Action items" in text
    assert "Ask [e-mail removed] for the graphs." in text
    assert "@example" not in text and "RAW-PAYLOAD" not in text
    assert "---" not in text.splitlines()[0:2]  # not the exchange format's front matter
    assert "\n\n\n" not in text


def test_the_pdf_holds_the_document_text(
    with_secrets: Postmortem, alice: User, caplog: pytest.LogCaptureFixture, pdf_engine: None
) -> None:
    pypdf = pytest.importorskip("pypdf")
    with caplog.at_level("WARNING", logger="weasyprint"):
        response = client_for(alice).get(reverse("postmortems:document_pdf", args=["PM-1"]))
    # The stylesheet is read as written (no escaped quotes, no ignored rules).
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    assert "PM-1: Checkout errors after a configuration change" in text
    assert "Contributing factors" in text and "Action items" in text
    assert "[e-mail removed]" in text
    assert "@example" not in text and "RAW-PAYLOAD" not in text
    assert "Edit" not in text.split() and "Star" not in text.split()


def test_the_wiki_html_is_clean(with_secrets: Postmortem, alice: User) -> None:
    html = client_for(alice).get(reverse("postmortems:document_html", args=["PM-1"]))
    page = html.content.decode()
    assert 'data-copy-source="document-html"' in page
    assert "&lt;h2&gt;Timeline&lt;/h2&gt;" in page  # shown as text to select without JavaScript
    wiki = document_views.document_wiki_html(
        document.build_document(with_secrets, document.ZoneInfo("UTC"), with_secrets.created_at)
    )
    assert "<h2>Timeline</h2>" in wiki
    assert "class=" not in wiki and "<script" not in wiki and "@example" not in wiki


def test_a_long_timeline_is_shared_as_its_key_events(
    postmortem: Postmortem, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = TimelineEvent.objects.filter(incident__postmortems=postmortem)
    monkeypatch.setattr(document, "DOCUMENT_EVENTS", events.count() - 1)
    plain = events.exclude(kind__in=["alert", "page", "decision", "milestone"]).first()
    assert plain is not None
    starred = events.last()
    assert starred is not None
    TimelineEvent.objects.filter(pk=starred.pk).update(starred=True)
    text = (
        client_for(alice)
        .get(reverse("postmortems:document_markdown", args=["PM-1"]))
        .content.decode()
    )
    assert "Key events only: the timeline holds" in text
    assert " ".join(starred.text.split()) in text
    assert plain == starred or " ".join(plain.text.split()) not in text


@pytest.mark.parametrize("route", ROUTES)
def test_it_checks_ownership(restricted: Postmortem, charlie: User, route: str) -> None:
    response = client_for(charlie).get(reverse(f"postmortems:{route}", args=[restricted.key]))
    assert response.status_code == 404


@pytest.mark.parametrize("route", ROUTES)
def test_a_teammate_shares_the_restricted_postmortem(
    restricted: Postmortem, bob: User, route: str, request: pytest.FixtureRequest
) -> None:
    if route == "document_pdf":
        request.getfixturevalue("pdf_engine")
    response = client_for(bob).get(reverse(f"postmortems:{route}", args=[restricted.key]))
    assert response.status_code == 200


def test_without_the_pdf_libraries_the_pdf_link_says_what_to_install(
    postmortem: Postmortem, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # importing it now fails
    response = client_for(alice).get(reverse("postmortems:document_pdf", args=["PM-1"]))
    assert response.status_code == 503
    html = response.content.decode()
    assert "libpango-1.0-0" in html and "print view" in html
