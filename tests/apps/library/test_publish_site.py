"""``secondstory publish-site``: a static site that shares what was learned, and nothing more."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner, Result

from secondstory.accounts.models import Team, User
from secondstory.cli.publish import publish_site_command
from secondstory.core.record import PostmortemRecord
from secondstory.incidents.models import TimelineEvent
from secondstory.library.site.collect import publishable
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

SECRET = "Quokka-vault-7781"
HREF = re.compile(r"""(?:href|src)="([^"]*)\"""")
NARRATIVE = (
    "Alice Owner paged bob, and Alice asked Bob Teammate to roll back; "
    "[alice's notes](https://wiki.example.com/incidents/checkout) and "
    "[the dashboard](/postmortems/PM-1/)."
)


def published(key: str, **changes: object) -> PostmortemRecord:
    record = postmortem_record(key, status="published")
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def run(*args: str) -> Result:
    return CliRunner().invoke(publish_site_command, list(args), catch_exceptions=False)


def every_file(site: Path) -> dict[str, str]:
    return {
        str(path.relative_to(site)): path.read_text(encoding="utf-8")
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def snapshot(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def broken_links(site: Path) -> list[str]:
    broken = []
    for page in site.rglob("*.html"):
        for href in HREF.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            if not (page.parent / unquote(parts.path)).resolve().is_file():
                broken.append(f"{page.relative_to(site)} -> {href}")
    return broken


def search_index(site: Path) -> list[dict[str, object]]:
    entries = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    script = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.SECONDSTORY_INDEX = "
    assert script.startswith(prefix)
    assert json.loads(script[len(prefix) :].rstrip().rstrip(";")) == entries
    return entries  # type: ignore[no-any-return]


@pytest.fixture
def crafted(alice: User, bob: User, charlie: User, payments: Team) -> list[Postmortem]:
    """PM-1 published, PM-2 published on another service, PM-R restricted, PM-D a draft."""
    public = load_record(
        published("PM-1", sections={"summary": "Checkout failed for 12%.", "response": NARRATIVE})
    )
    second = published(
        "PM-2",
        title="Search timed out during a reindex",
        created_at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
    )
    second.incidents[0].services = ["search"]
    second.incidents[0].tags = ["indexing"]
    second.sections = {"summary": "Search requests timed out for 20 minutes."}
    other = load_record(second)
    secret = published("PM-R", title=f"Leaked {SECRET} credentials")
    secret.sections = {"summary": f"The {SECRET} key was exposed."}
    secret.incidents[0].visibility = "restricted"
    secret.incidents[0].tags = ["secret-tag"]
    secret.incidents[0].services = ["vault"]
    load_record(secret)
    load_record(dataclasses.replace(postmortem_record("PM-D"), title="Draft about the ledger"))
    return [public, other]


@pytest.mark.django_db
def test_the_site_has_an_index_a_page_per_published_postmortem_and_working_links(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    result = run(str(site), "--title", "Larkspur learns")
    assert result.exit_code == 0, result.output
    assert "wrote 2 postmortems" in result.output
    index = (site / "index.html").read_text()
    assert "Larkspur learns" in index
    assert index.index("Search timed out") < index.index("Checkout errors")  # newest first
    page = (site / "postmortems" / "PM-1.html").read_text()
    for expected in (
        "Checkout failed for 12%.",
        "SEV2",
        "Checkout",
        "CheckoutErrorRate firing",
        "Connection pool limit found in logs",
        "The config tool accepted a pool size of 1.",
        "Validate pool sizes in the config tool",
        "Open",
        "Alice Owner",
    ):
        assert expected in page, expected
    assert 'href="https://wiki.example.com/incidents/checkout"' in page
    assert 'href="/postmortems/PM-1/"' not in page
    assert (site / "services" / "checkout.html").is_file()
    assert (site / "tags" / "indexing.html").is_file()
    assert not (site / "postmortems" / "PM-D.html").exists()
    assert broken_links(site) == []
    for html in site.rglob("*.html"):
        text = html.read_text()
        assert "<style" not in text and "style=" not in text
        assert re.search(r"<script(?![^>]*\ssrc=)", text) is None, html


@pytest.mark.django_db
def test_restricted_and_unpublished_postmortems_appear_nowhere(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run(str(site)).exit_code == 0
    files = every_file(site)
    for name, text in files.items():
        for leak in (SECRET, "PM-R", "INC-PM-R", "secret-tag", "vault", "PM-D", "ledger"):
            assert leak not in text, (leak, name)
    assert not any("vault" in name or "secret" in name for name in files)
    assert sorted(e["key"] for e in search_index(site)) == ["PM-1", "PM-2"]  # type: ignore[type-var]


@pytest.mark.django_db
def test_the_search_index_holds_what_search_needs(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run(str(site)).exit_code == 0
    entries = {e["key"]: e for e in search_index(site)}
    first = entries["PM-1"]
    assert first["title"] == "Checkout errors after a configuration change"
    assert first["summary"] == "Checkout failed for 12%."
    assert first["url"] == "postmortems/PM-1.html"
    assert "checkout" in first["services"]  # type: ignore[operator]
    assert first["tags"] == ["config"]
    assert first["factors"] == ["Detection", "Tooling"]
    assert "Connection pool limit found in logs" in first["text"]  # type: ignore[operator]
    assert "Validate pool sizes" in first["text"]  # type: ignore[operator]
    services = entries["PM-2"]["services"]
    assert "search" in services and "checkout" not in services  # type: ignore[operator]
    assert entries["PM-2"]["tags"] == ["indexing"]


@pytest.mark.django_db
def test_roles_replace_every_name_throughout(crafted: list[Postmortem], tmp_path: Path) -> None:
    named = tmp_path / "named"
    assert run(str(named)).exit_code == 0
    names_in = "\n".join(every_file(named).values())
    assert "Alice Owner" in names_in and "Bob Teammate" in names_in
    site = tmp_path / "roles"
    assert run(str(site), "--roles").exit_code == 0
    files = every_file(site)
    people = User.objects.values_list("username", "display_name")
    for name, text in files.items():
        for username, display in people:
            assert display not in text, (display, name)
            assert display.split()[0] not in text, (display, name)
            assert re.search(rf"(?<!\w){re.escape(username)}(?!\w)", text, re.I) is None, name
    page = files["postmortems/PM-1.html"]
    assert "<dt>Owner</dt><dd>Postmortem owner</dd>" in page
    assert "Action owner" in page
    assert "<td>on-call</td>" in page  # the timeline actor's own role
    assert "<td>Responder</td>" in page  # the deploy bot has no role
    assert "Postmortem owner paged Reviewer" in page


@pytest.mark.django_db
def test_publishing_again_replaces_the_site_cleanly(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run(str(site)).exit_code == 0
    first = snapshot(site)
    assert run(str(site)).exit_code == 0
    assert snapshot(site) == first
    (site / "postmortems" / "stray.html").write_text("old")
    Postmortem.objects.filter(key="PM-2").update(status="approved")
    assert run(str(site)).exit_code == 0
    assert not (site / "postmortems" / "PM-2.html").exists()
    assert not (site / "postmortems" / "stray.html").exists()
    assert not (site / "tags" / "indexing.html").exists()
    assert [e["key"] for e in search_index(site)] == ["PM-1"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary directories left


@pytest.mark.django_db
def test_a_directory_that_is_not_a_site_is_left_alone(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(publish_site_command, [str(tmp_path)])
    assert result.exit_code == 1
    assert "DIR:" in result.output and "not written by publish-site" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(str(empty)).exit_code == 0
    assert (empty / "index.html").is_file()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "postmortems.example.com"], "--base-url"),
        (["--base-url", "ftp://example.com/x"], "--base-url"),
        (["--title", "   "], "--title"),
    ],
)
def test_bad_options_name_the_option(
    crafted: list[Postmortem], tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(publish_site_command, [str(tmp_path / "site"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


@pytest.mark.django_db
def test_base_url_adds_canonical_links_and_a_sitemap(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run(str(site), "--base-url", "https://learn.example.com/pm/").exit_code == 0
    page = (site / "postmortems" / "PM-1.html").read_text()
    assert (
        '<link rel="canonical" href="https://learn.example.com/pm/postmortems/PM-1.html">' in page
    )
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://learn.example.com/pm/index.html</loc>" in sitemap
    assert "PM-R" not in sitemap


@pytest.mark.django_db
def test_markup_in_postmortems_cannot_script_the_site(
    alice: User, bob: User, payments: Team, tmp_path: Path
) -> None:
    load_record(
        published(
            "PM-X",
            title="<script>alert(1)</script> title",
            sections={"summary": 'Hi <img src=x onerror="alert(2)"> <script>alert(3)</script>'},
        )
    )
    TimelineEvent.objects.update(text="<b onmouseover=alert(4)>event</b>")
    site = tmp_path / "site"
    assert run(str(site)).exit_code == 0
    for name, text in every_file(site).items():
        assert "<script>alert" not in text, name
        assert "onerror" not in text and "<b onmouseover" not in text, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt; title" in (site / "index.html").read_text()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the search script")
@pytest.mark.django_db
def test_the_search_script_finds_words_phrases_and_honours_exclusions(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run(str(site)).exit_code == 0
    script = """
const {search} = require(process.argv[1]);
const index = require(process.argv[2]);
const keys = q => search(index, q).map(e => e.key);
console.log(JSON.stringify(process.argv.slice(3).map(keys)));
"""
    queries = [
        "checkout",
        "timed out",
        '"roll back"',
        '"back roll"',
        "pool -reindex",
        "config -checkout",
        "indexing",
        "tooling",
        "CHECKOUT",
        "",
    ]
    out = subprocess.run(
        [
            "node",
            "-e",
            script,
            str(site / "assets" / "search.js"),
            str(site / "search-index.json"),
            *queries,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == [
        ["PM-1", "PM-2"],
        ["PM-2"],
        ["PM-1"],
        [],
        ["PM-1"],
        [],
        ["PM-2"],
        ["PM-2", "PM-1"],  # equal scores: newest first
        ["PM-1", "PM-2"],
        [],
    ]


@pytest.mark.django_db
def test_the_demo_organisation_publishes_without_leaks_or_names(tmp_path: Path) -> None:
    from secondstory.postmortems.demo import load_demo

    load_demo(login=False)
    restricted = Postmortem.objects.filter(incidents__visibility="restricted").distinct()
    assert restricted.filter(status="published").exists()
    site = tmp_path / "site"
    result = run(str(site), "--roles")
    assert result.exit_code == 0, result.output
    expected = set(publishable().values_list("key", flat=True))
    assert expected and {e["key"] for e in search_index(site)} == expected  # type: ignore[misc]
    assert len(list((site / "postmortems").glob("*.html"))) == len(expected)
    everything = "\n".join(every_file(site).values())
    for pm in restricted.prefetch_related("incidents"):
        assert pm.key not in everything
        assert pm.title not in everything
        for incident in pm.incidents.all():
            assert incident.key not in everything
    for username, display in User.objects.values_list("username", "display_name"):
        assert display not in everything, display
        assert display.split()[0] not in everything, display
        assert username not in everything.lower(), username
    assert broken_links(site) == []


@pytest.mark.django_db
def test_a_directory_that_cannot_be_renamed_gets_its_contents_replaced(
    crafted: list[Postmortem], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    assert run(str(site)).exit_code == 0
    (site / "tags" / "stray.html").write_text("old")
    expected = snapshot(site)
    del expected["tags/stray.html"]
    rename = Path.rename

    def refuse_site(self: Path, target: str | Path) -> Path:
        if self == site:
            raise OSError(16, "Device or resource busy")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_site)
    assert run(str(site)).exit_code == 0
    assert snapshot(site) == expected
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_roles_rewrite_names_first_names_and_usernames_but_not_words() -> None:
    from secondstory.library.site import roles as R

    directory = R.Directory(
        R.people(
            [
                ("grace.n", "Grace Nakamura", "", ""),
                ("lucia", "Lucía Fernández", "", ""),
                ("al.bo", "Al Bo", "", ""),
            ]
        )
    )
    roles = R.Roles(directory)
    roles.assign("grace.n", R.OWNER)
    roles.assign_actor("Deploy bot", "")
    roles.assign_actor("Lucía Fernández", "incident commander")
    text = roles.text(
        "Grace Nakamura paged Lucía; GRACE.N@example.com noted the grace period; "
        "Deploy bot retried; Al said alpha."
    )
    assert text == (
        "Postmortem owner paged incident commander; Postmortem owner@example.com noted the "
        "grace period; Responder retried; Al said alpha."
    )
    assert roles.actor("Grace Nakamura", "") == R.OWNER
    assert roles.actor("Lucía Fernández", "") == "incident commander"
    assert roles.actor("somebody", "") == R.RESPONDER
    assert roles.actor("", "") == ""


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.e2e
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"browser tests need Chromium at {CHROMIUM}")
@pytest.mark.django_db
def test_search_works_in_a_browser_opened_from_disk(
    crafted: list[Postmortem], tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    site = tmp_path / "site"
    assert run(str(site)).exit_code == 0
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.on("console", lambda message: problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto((site / "index.html").as_uri())
            page.fill("#site-q", '"roll back" -reindex')
            page.click(".site-search button")
            page.wait_for_load_state()
            status = page.inner_text("#search-status")
            links = page.locator("#search-results a")
            found = [links.nth(i).inner_text() for i in range(links.count())]
            links.first.click()
            page.wait_for_load_state()
            landed = page.url
        finally:
            browser.close()
    assert status.startswith("1 postmortem matches")
    assert found == ["PM-1: Checkout errors after a configuration change"]
    assert landed == (site / "postmortems" / "PM-1.html").as_uri()
    assert problems == []  # no script errors and no Content-Security-Policy violations


@pytest.mark.django_db
def test_an_organisation_with_nothing_published_gets_an_empty_site(
    postmortem: Postmortem, restricted: Postmortem, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    result = run(str(site))
    assert result.exit_code == 0
    assert "wrote 0 postmortems" in result.output
    assert search_index(site) == []
    assert "No published postmortems yet." in (site / "index.html").read_text()
    assert not (site / "postmortems").exists()
    assert broken_links(site) == []
