"""The kept timeline window of a postmortem's page: every write path shows at once, readers
without access get nothing, and the page is the same with and without keeping."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test import Client
from django.urls import reverse

from secondstory.accounts import tokens
from secondstory.accounts.models import Team, User
from secondstory.cli.main import cli
from secondstory.incidents import timeline_context
from secondstory.incidents.models import (
    EventReference,
    Incident,
    MilestoneKind,
    Severity,
    TimelineEvent,
)
from secondstory.pagecache import kept
from secondstory.postmortems.exchange import export_postmortem
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record

MIXED = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "mixed"
# Each response has its own CSRF token (a fresh mask of the same secret).
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{64}"')


@pytest.fixture(autouse=True)
def _empty_store() -> None:
    kept.STORE.clear()


def _page(client: Client, postmortem: Postmortem, query: str = "") -> str:
    response = client.get(f"/postmortems/{postmortem.key}/{query}")
    assert response.status_code == 200
    return CSRF.sub(r'\1TOKEN"', response.content.decode())


def _event(postmortem: Postmortem) -> TimelineEvent:
    event = TimelineEvent.objects.filter(incident__postmortems=postmortem).order_by("at").first()
    assert event is not None
    return event


def _shown(html: str, postmortem: Postmortem) -> int:
    return html.count('class="event kind-')


# --- every way of writing: (writes, returns a check of the page after) ---------------------


def _form_star(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    event = _event(pm)
    client_for(alice).post(
        f"/postmortems/{pm.key}/timeline/events/{event.pk}/star/", {"starred": "1"}
    )
    return lambda html: f'id="event-{event.pk}" class="event kind-{event.kind} starred' in html


def _api_event(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    raw = tokens.create_token(alice, name="t", scopes=["write"], expires_at=None).raw
    incident = pm.incidents.get()
    sent = Client().post(
        f"/api/incidents/{incident.key}/events",
        {"at": "2026-03-04T13:30:00+00:00", "text": "Sent through the API"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert sent.status_code == 201, sent.content
    return lambda html: "Sent through the API" in html


def _cli_import(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    incident = pm.incidents.get()
    files = [str(MIXED / name) for name in ("pagerduty.json", "alertmanager.json")]
    done = CliRunner().invoke(cli, ["import", *files, "--incident", incident.key])
    assert done.exit_code == 0, done.output
    total = TimelineEvent.objects.filter(incident=incident).count()
    return lambda html: f"{total} events" in html


def _cli_load(pm: Postmortem, alice: User, tmp_path: Path) -> Callable[[str], bool]:
    event = _event(pm)
    text = export_postmortem(pm)
    assert event.text in text
    path = tmp_path / f"{pm.key}.md"
    path.write_text(text.replace(event.text, "Loaded from a file"), encoding="utf-8")
    done = CliRunner().invoke(cli, ["load", str(path)])
    assert done.exit_code == 0, done.output
    return lambda html: "Loaded from a file" in html


def _admin_delete(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    staff = User.objects.create_superuser("root", "root@example.com", "x")
    event = _event(pm)
    client = client_for(staff)
    done = client.post(f"/admin/incidents/timelineevent/{event.pk}/delete/", {"post": "yes"})
    assert done.status_code == 302
    return lambda html: f'id="event-{event.pk}"' not in html


def _orm_update(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    TimelineEvent.objects.filter(pk=_event(pm).pk).update(text="Changed by an update")
    return lambda html: "Changed by an update" in html


def _orm_bulk_sightings(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    event = _event(pm)
    EventReference.objects.bulk_create(
        [EventReference(incident=event.incident, event=event, source="grafana",
                        source_ref="g-1", at=event.at, text="seen")]
    )  # fmt: skip
    return lambda html: "Also reported by" in html


def _raw_sql(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_timelineevent SET actor = %s WHERE id = %s",
            ["Raw SQL Person", _event(pm).pk],
        )
    return lambda html: "Raw SQL Person" in html


def _incident_linked(pm: Postmortem, alice: User) -> Callable[[str], bool]:
    other = Incident.objects.create(
        key="INC-OTHER", title="Another", severity=Severity.objects.get(code="SEV2")
    )
    TimelineEvent.objects.create(
        incident=other, at=datetime(2026, 3, 4, 13, 1, tzinfo=UTC), kind="observation",
        source="manual", source_ref="o1", text="From the linked incident",
    )  # fmt: skip
    pm.incidents.add(other)
    return lambda html: "From the linked incident" in html


WRITES: dict[str, Callable[..., Callable[[str], bool]]] = {
    "form": _form_star,
    "api": _api_event,
    "cli import": _cli_import,
    "cli load": _cli_load,
    "admin": _admin_delete,
    "orm update": _orm_update,
    "orm bulk_create": _orm_bulk_sightings,
    "raw sql": _raw_sql,
    "incident linked": _incident_linked,
}


@pytest.mark.parametrize("how", list(WRITES))
def test_the_kept_window_changes_after_every_kind_of_write(
    how: str, postmortem: Postmortem, alice: User, bob: User, tmp_path: Path
) -> None:
    reader = client_for(bob)
    before = _page(reader, postmortem)
    assert _page(reader, postmortem) == before  # served from the kept window
    assert kept.STORE.entries, "the window was kept"
    write = WRITES[how]
    shows = write(postmortem, alice, tmp_path) if how == "cli load" else write(postmortem, alice)
    assert not shows(before)
    assert shows(_page(reader, postmortem))


def test_an_event_of_a_shared_incident_shows_on_both_pages(
    postmortem: Postmortem, alice: User, bob: User, charlie: User, payments: Team
) -> None:
    other = load_record(postmortem_record("PM-2"))
    incident = postmortem.incidents.get()
    other.incidents.add(incident)
    reader = client_for(bob)
    _page(reader, postmortem), _page(reader, other)
    TimelineEvent.objects.filter(pk=_event(postmortem).pk).update(text="Seen on both pages")
    assert "Seen on both pages" in _page(reader, postmortem)
    assert "Seen on both pages" in _page(reader, other)


def test_a_renamed_milestone_kind_shows_in_the_key_events_view(
    postmortem: Postmortem, bob: User
) -> None:
    reader = client_for(bob)
    query = "?view=key"
    before = _page(reader, postmortem, query)
    kind = postmortem.incidents.get().milestones.first().kind  # type: ignore[union-attr]
    assert f"<strong>{kind.name}</strong>" in before
    MilestoneKind.objects.filter(pk=kind.pk).update(name="Renamed kind")
    assert "<strong>Renamed kind</strong>" in _page(reader, postmortem, query)


def test_a_reader_without_access_never_gets_the_kept_window(
    restricted: Postmortem, alice: User, charlie: User
) -> None:
    owner = client_for(alice)
    shown = _page(owner, restricted)
    assert "Connection pool limit found in logs" in shown and kept.STORE.entries
    outsider = client_for(charlie)
    assert outsider.get(f"/postmortems/{restricted.key}/").status_code == 404
    for path in ("timeline/", "timeline/?part=more&after=1"):
        answer = outsider.get(
            f"/postmortems/{restricted.key}/{path}", headers={"HX-Request": "true"}
        )
        assert answer.status_code == 404
        assert b"Connection pool limit" not in answer.content


@pytest.mark.parametrize("who", ["staff", "alice", "bob", "charlie"])
@pytest.mark.parametrize("query", ["", "?view=key", "?source=manual", "?event=1", "?tz=UTC"])
def test_the_page_is_the_same_with_and_without_keeping(
    who: str,
    query: str,
    postmortem: Postmortem,
    alice: User,
    bob: User,
    charlie: User,
    settings: Any,
) -> None:
    user = (
        User.objects.create_superuser("root", "root@example.com", "x")
        if who == "staff"
        else User.objects.get(username=who)
    )
    client = client_for(user)
    settings.SECONDSTORY_KEPT_FRAGMENTS = 0
    fresh = _page(client, postmortem, query)
    settings.SECONDSTORY_KEPT_FRAGMENTS = kept.DEFAULT_CHARS
    filled = _page(client, postmortem, query)
    served = _page(client, postmortem, query)
    assert kept.STORE.entries
    assert fresh == filled == served
    assert _shown(served, postmortem) > 0


def test_readers_who_may_edit_and_who_may_not_get_their_own_window(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    editor, reader = client_for(alice), client_for(charlie)
    assert "Mark learned later" in _page(editor, postmortem)
    assert "Mark learned later" not in _page(reader, postmortem)
    assert "Mark learned later" in _page(editor, postmortem)
    assert len(kept.STORE.entries) == 2


def test_the_store_is_bounded(postmortem: Postmortem, bob: User, settings: Any) -> None:
    reader = client_for(bob)
    _page(reader, postmortem)
    (fragment,) = kept.STORE.entries.values()
    settings.SECONDSTORY_KEPT_FRAGMENTS = len(fragment.html) * 4 + 10
    kept.STORE.clear()
    for n in range(6):  # six versions of the page, each with its window
        TimelineEvent.objects.filter(pk=_event(postmortem).pk).update(actor=f"Person {n}")
        _page(reader, postmortem)
    assert kept.STORE.chars <= settings.SECONDSTORY_KEPT_FRAGMENTS
    assert 0 < len(kept.STORE.entries) <= 4


def _renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the timeline windows rendered (not served kept) from now on."""
    made: list[int] = []
    real = timeline_context._window_context

    def counted(*args: Any, **kwargs: Any) -> dict[str, Any]:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(timeline_context, "_window_context", counted)
    return made


def _section_save(client: Client, postmortem: Postmortem, text: str) -> None:
    url = f"/postmortems/{postmortem.key}/sections/summary/edit/"
    form = client.get(url).content.decode()
    base = re.search(r'name="base" value="([^"]*)"', form)
    assert base is not None
    answer = client.post(url, {"base": base.group(1), "text": text})
    assert answer.status_code in (200, 302, 303)


@pytest.mark.parametrize("who", ["staff", "alice", "bob", "charlie"])
def test_a_section_save_keeps_the_timeline_window(
    who: str,
    postmortem: Postmortem,
    alice: User,
    bob: User,
    charlie: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = (
        User.objects.create_superuser("root", "root@example.com", "x")
        if who == "staff"
        else User.objects.get(username=who)
    )
    client = client_for(user)
    _page(client, postmortem)
    made = _renders(monkeypatch)
    _section_save(client_for(alice), postmortem, "A summary saved after the window was kept.")
    assert "A summary saved after the window was kept." in _page(client, postmortem)
    served = _page(client, postmortem)  # without "changed since your last visit"
    assert not made, "the section save rendered the timeline window again"
    settings.SECONDSTORY_KEPT_FRAGMENTS = 0
    assert _page(client, postmortem) == served


def test_a_new_key_shows_in_the_kept_window_at_once(
    postmortem: Postmortem, bob: User, alice: User
) -> None:
    editor = client_for(alice)
    assert f"/postmortems/{postmortem.key}/timeline/events/" in _page(editor, postmortem)
    Postmortem.objects.filter(pk=postmortem.pk).update(key="PM-RENAMED")
    postmortem.refresh_from_db()
    shown = _page(editor, postmortem)
    assert "/postmortems/PM-1/timeline/events/" not in shown
    assert "/postmortems/PM-RENAMED/timeline/events/" in shown


def test_a_dismissed_finding_of_an_event_leaves_the_kept_window_at_once(
    postmortem: Postmortem, alice: User
) -> None:
    event = TimelineEvent.objects.create(
        incident=postmortem.incidents.get(), at=datetime(2026, 3, 4, 14, 30, tzinfo=UTC),
        kind="observation", source="manual", source_ref="manual-1",
        text="Dana obviously should have seen it.",
    )  # fmt: skip
    editor = client_for(alice)
    before = _event_html(_page(editor, postmortem), event)
    form = before[: before.index("</form>", before.index('class="review-dismiss"'))]
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields["rule"] and fields["flagged"], "the event's finding is shown"
    fields = {name: html.unescape(value) for name, value in fields.items()}
    answer = editor.post(
        reverse("postmortems:item_review_dismiss", args=[postmortem.key]),
        {**fields, "reason": "Dana asked for it to stay."},
    )
    assert answer.status_code == 302
    after = _event_html(_page(editor, postmortem), event)
    findings = 'class="review-finding '
    assert after.count(findings) == before.count(findings) - 1


def _event_html(page: str, event: TimelineEvent) -> str:
    """The page from the event on (its findings come first)."""
    return page[page.index(f'id="event-{event.pk}"') :]
