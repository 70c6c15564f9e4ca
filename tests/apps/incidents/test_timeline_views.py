"""The timeline editor: quick capture, one event, edit with conflicts, delete, toggles, filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.event_views import event_fingerprint
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import incident_record, postmortem_record

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, key: str = "PM-1", *args: object) -> str:
    return reverse(f"postmortems:{name}", args=[key, *args])


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def last_summary(postmortem: Postmortem) -> str:
    revision = postmortem.revisions.order_by("-number").first()
    return revision.summary if revision else ""


def event(text_start: str) -> TimelineEvent:
    return TimelineEvent.objects.get(text__startswith=text_start)


def capture(lines: str, action: str = "preview", **extra: str) -> dict[str, str]:
    return {
        "incident": "INC-PM-1",
        "text": lines,
        "default_date": "2026-03-04",
        "default_zone": "Europe/Berlin",
        "action": action,
        **extra,
    }


# --- The section on the postmortem's page ------------------------------------------------------


def test_the_owner_sees_the_editor(postmortem: Postmortem, alice: User) -> None:
    html = text(client_for(alice).get(url("detail")))
    assert "Quick capture" in html
    assert 'action="/postmortems/PM-1/timeline/capture/"' in html
    assert ">Star</button>" in html and ">Mark learned later</button>" in html
    # The capture form defaults to the impact start date.
    assert 'name="default_date" value="2026-03-04"' in html


def test_a_reader_sees_the_timeline_without_the_editor(postmortem: Postmortem, bob: User) -> None:
    html = text(client_for(bob).get(url("detail")))
    assert "CheckoutErrorRate firing" in html
    assert "Quick capture" not in html
    assert ">Star</button>" not in html


def test_learned_later_events_are_marked(postmortem: Postmortem, alice: User) -> None:
    html = text(client_for(alice).get(url("detail")))
    later = event("Connection pool")
    assert f'id="event-{later.pk}" class="event kind-observation learned-later"' in html


# --- Quick capture ---------------------------------------------------------------------------


def test_preview_shows_utc_and_the_typed_offset(postmortem: Postmortem, alice: User) -> None:
    lines = "14:02 [page] <Ana> paged the on-call\n14:05 +05:30 decision: roll back"
    response = client_for(alice).post(url("timeline_capture"), capture(lines))
    assert response.status_code == 200
    html = text(response)
    assert "<html" in html  # without JavaScript: the whole page
    assert "2026-03-04 14:02:00 +0100" in html and "2026-03-04 13:02:00 UTC" in html
    assert "2026-03-04 14:05:00 +0530" in html and "2026-03-04 08:35:00 UTC" in html
    assert "2 lines, ready to add" in html
    assert TimelineEvent.objects.count() == 4  # a preview saves nothing


def test_preview_with_htmx_is_only_the_preview(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(url("timeline_capture"), capture("14:02 paged"), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response["HX-Retarget"] == "#capture-preview"
    assert "2026-03-04 13:02:00 UTC" in text(response)


def test_preview_names_the_line_and_the_problem(postmortem: Postmortem, alice: User) -> None:
    lines = "23:50 rising\n00:10 paged\n2026-03-29 02:30 in the gap"
    html = text(client_for(alice).post(url("timeline_capture"), capture(lines)))
    assert "00:10 comes after 23:50 across midnight: read as 2026-03-05" in html
    assert "line 3: 2026-03-29 02:30 does not exist in Europe/Berlin" in html
    assert "1 with an error" in html


def test_add_all_stores_utc_and_keeps_the_offset(postmortem: Postmortem, alice: User) -> None:
    lines = "14:02 [page] <Ana> paged the on-call\n!14:05 +05:30 pool size was 1"
    response = client_for(alice).post(url("timeline_capture"), capture(lines, "add"))
    assert response.status_code == 302
    assert response["Location"] == "/postmortems/PM-1/#timeline"
    paged, pool = event("paged the on-call"), event("pool size")
    assert paged.at == datetime(2026, 3, 4, 13, 2, tzinfo=UTC)
    assert paged.utc_offset_minutes == 60
    assert (paged.kind, paged.actor, paged.source) == ("page", "Ana", "manual")
    assert re.fullmatch(r"capture-[0-9a-f]{12}", paged.source_ref)
    assert paged.source_ref != pool.source_ref
    assert pool.at == datetime(2026, 3, 4, 8, 35, tzinfo=UTC)
    assert pool.utc_offset_minutes == 330
    assert not pool.known_at_the_time
    assert last_summary(postmortem) == "Added 2 timeline events"


def test_add_all_with_htmx_swaps_the_timeline(postmortem: Postmortem, alice: User) -> None:
    data = capture("14:02 paged the on-call", "add")
    response = client_for(alice).post(url("timeline_capture"), data, **HTMX)
    assert response.status_code == 200
    assert "HX-Retarget" not in response  # the "Add all" button targets #timeline itself
    html = text(response)
    assert html.startswith('<section id="timeline"')
    assert "Added 1 timeline event." in html and "paged the on-call" in html


def test_add_all_is_refused_while_a_line_has_an_error(postmortem: Postmortem, alice: User) -> None:
    lines = "14:02 fine\n25:00 not an hour"
    response = client_for(alice).post(url("timeline_capture"), capture(lines, "add"))
    assert response.status_code == 400
    html = text(response)
    assert "Nothing was added: 1 line need fixing first." in html
    assert "line 2: 25:00 is not a time of day" in html
    assert TimelineEvent.objects.count() == 4
    assert last_summary(postmortem) != "Added 1 timeline event"


def test_capture_validates_the_zone(postmortem: Postmortem, alice: User) -> None:
    data = capture("14:02 x", default_zone="Mars/Olympus")
    response = client_for(alice).post(url("timeline_capture"), data)
    assert response.status_code == 400
    assert "&#x27;Mars/Olympus&#x27; is not a time zone" in response.content.decode()


def test_capture_errors_show_in_the_htmx_preview(postmortem: Postmortem, alice: User) -> None:
    data = capture("14:02 x", default_zone="Mars/Olympus")
    response = client_for(alice).post(url("timeline_capture"), data, **HTMX)
    assert response.status_code == 200
    assert "is not a time zone" in response.content.decode()


def test_capture_get_shows_the_form(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).get(url("timeline_capture"))
    assert response.status_code == 200
    assert 'name="text"' in response.content.decode()


def test_capture_is_for_editors(postmortem: Postmortem, bob: User, charlie: User) -> None:
    data = capture("14:02 x", "add")
    assert client_for(bob).post(url("timeline_capture"), data).status_code == 403
    assert client_for(charlie).post(url("timeline_capture"), data).status_code == 403
    assert TimelineEvent.objects.count() == 4


def test_it_checks_ownership(restricted: Postmortem, charlie: User) -> None:
    client = client_for(charlie)
    restricted_event = TimelineEvent.objects.get(incident__key="INC-PM-R", source_ref="fp-1")
    assert client.get(url("timeline", "PM-R")).status_code == 404
    assert client.post(url("timeline_capture", "PM-R"), {}).status_code == 404
    assert client.post(url("timeline_event_add", "PM-R"), {}).status_code == 404
    star = url("timeline_event_star", "PM-R", restricted_event.pk)
    assert client.post(star, {"starred": "0"}).status_code == 404
    assert TimelineEvent.objects.get(pk=restricted_event.pk).starred


# --- One event -------------------------------------------------------------------------------


def event_form(**extra: str) -> dict[str, str]:
    return {
        "incident": "INC-PM-1",
        "date": "2026-03-04",
        "time": "14:02:30",
        "zone": "+05:30",
        "kind": "decision",
        "actor": "Ana",
        "actor_role": "incident commander",
        "text": "Decided to roll back",
        "evidence_url": "https://chat.example.com/p/1",
        "known_at_the_time": "on",
        **extra,
    }


def test_add_one_event(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(url("timeline_event_add"), event_form(starred="on"))
    assert response.status_code == 302
    added = event("Decided to roll back")
    assert response["Location"] == f"/postmortems/PM-1/?event={added.pk}#event-{added.pk}"
    assert added.at == datetime(2026, 3, 4, 8, 32, 30, tzinfo=UTC)
    assert added.utc_offset_minutes == 330
    assert added.starred and added.known_at_the_time
    assert (added.source, added.actor_role) == ("manual", "incident commander")
    assert last_summary(postmortem) == "Added a timeline event"


def test_add_one_event_in_a_zone_refuses_a_dst_gap(postmortem: Postmortem, alice: User) -> None:
    data = event_form(date="2026-03-29", time="02:30", zone="Europe/Berlin")
    response = client_for(alice).post(url("timeline_event_add"), data)
    assert response.status_code == 400
    assert "does not exist in Europe/Berlin" in response.content.decode()
    assert not TimelineEvent.objects.filter(text="Decided to roll back").exists()


def test_add_one_event_is_for_editors(postmortem: Postmortem, bob: User) -> None:
    assert client_for(bob).post(url("timeline_event_add"), event_form()).status_code == 403


def test_edit_form_shows_the_recorded_offset(postmortem: Postmortem, alice: User) -> None:
    paged = event("Paged the payments")
    html = text(client_for(alice).get(url("timeline_event_edit", "PM-1", paged.pk)))
    assert 'name="time" value="13:55:00"' in html
    assert 'name="zone" value="+01:00"' in html
    assert f'name="base" value="{event_fingerprint(paged)}"' in html


def test_edit_saves_and_records_a_revision(postmortem: Postmortem, alice: User) -> None:
    paged = event("Paged the payments")
    data = event_form(text="Paged the payments on-call again", base=event_fingerprint(paged))
    response = client_for(alice).post(url("timeline_event_edit", "PM-1", paged.pk), data)
    assert response.status_code == 302
    paged.refresh_from_db()
    assert paged.text == "Paged the payments on-call again"
    assert (paged.source, paged.source_ref) == ("pagerduty", "Q1")  # the identity stays
    assert last_summary(postmortem) == "Edited a timeline event"


def test_edit_conflict_shows_both_versions(postmortem: Postmortem, alice: User) -> None:
    paged = event("Paged the payments")
    stale = event_fingerprint(paged)
    TimelineEvent.objects.filter(pk=paged.pk).update(text="Paged the on-call (edited by Bob)")
    data = event_form(text="My wording of the page", base=stale)
    response = client_for(alice).post(url("timeline_event_edit", "PM-1", paged.pk), data)
    assert response.status_code == 409
    html = text(response)
    assert "Paged the on-call (edited by Bob)" in html
    assert "My wording of the page" in html
    paged.refresh_from_db()
    assert paged.text == "Paged the on-call (edited by Bob)"
    assert f'name="base" value="{event_fingerprint(paged)}"' in html


def test_edit_validation_error(postmortem: Postmortem, alice: User) -> None:
    paged = event("Paged the payments")
    data = event_form(text="", zone="+25:00", base=event_fingerprint(paged))
    response = client_for(alice).post(url("timeline_event_edit", "PM-1", paged.pk), data)
    assert response.status_code == 400
    assert "neither a time zone" in response.content.decode()


def test_edit_is_for_editors(postmortem: Postmortem, charlie: User) -> None:
    paged = event("Paged the payments")
    data = event_form(base=event_fingerprint(paged))
    edit = url("timeline_event_edit", "PM-1", paged.pk)
    assert client_for(charlie).post(edit, data).status_code == 403


def test_an_event_of_another_postmortem_is_404(
    postmortem: Postmortem, restricted: Postmortem, alice: User
) -> None:
    other = TimelineEvent.objects.get(incident__key="INC-PM-R", source_ref="Q1")
    assert client_for(alice).get(url("timeline_event_edit", "PM-1", other.pk)).status_code == 404


def test_delete_asks_then_deletes(postmortem: Postmortem, alice: User) -> None:
    paged = event("Paged the payments")
    delete = url("timeline_event_delete", "PM-1", paged.pk)
    confirm = client_for(alice).get(delete)
    assert confirm.status_code == 200
    assert "Delete this timeline event?" in confirm.content.decode()
    assert TimelineEvent.objects.filter(pk=paged.pk).exists()
    response = client_for(alice).post(delete, {"base": event_fingerprint(paged)})
    assert response.status_code == 302
    assert not TimelineEvent.objects.filter(pk=paged.pk).exists()
    assert last_summary(postmortem) == "Deleted a timeline event"


def test_delete_is_for_editors(postmortem: Postmortem, bob: User) -> None:
    paged = event("Paged the payments")
    assert client_for(bob).post(url("timeline_event_delete", "PM-1", paged.pk)).status_code == 403
    assert TimelineEvent.objects.filter(pk=paged.pk).exists()


def base_in(response) -> str:  # type: ignore[no-untyped-def]
    """The base fingerprint a page's form carries."""
    html = response.content.decode()
    return re.search(r'name="base" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]


def test_saving_an_event_deleted_meanwhile_keeps_the_typed_text(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    postmortem.collaborators.add(bob)
    editor, deleter = client_for(alice), client_for(bob)
    paged = event("Paged the payments")
    edit, delete = (
        url("timeline_event_edit", "PM-1", paged.pk),
        url("timeline_event_delete", "PM-1", paged.pk),
    )
    edit_base = base_in(editor.get(edit))
    assert deleter.post(delete, {"base": base_in(deleter.get(delete))}).status_code == 302
    typed = event_form(text="Paged the payments on-call, who acked at 13:58", base=edit_base)
    response = editor.post(edit, {**typed, "incident": "INC-PM-1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "This event was deleted while you were editing it" in html
    assert (
        html.count("Paged the payments on-call, who acked at 13:58") == 2
    )  # shown and in the form
    assert f'action="{url("timeline_event_add")}"' in html
    # The form on that page adds it back as a new event.
    response = editor.post(url("timeline_event_add"), {**typed, "incident": "INC-PM-1"})
    assert response.status_code == 302
    added = event("Paged the payments on-call, who acked")
    assert (added.source, added.kind, added.actor) == ("manual", "decision", "Ana")


def test_saving_an_event_deleted_meanwhile_over_htmx_shows_the_page(
    postmortem: Postmortem, alice: User
) -> None:
    paged = event("Paged the payments")
    edit = url("timeline_event_edit", "PM-1", paged.pk)
    data = event_form(text="My typed text", base=event_fingerprint(paged))
    TimelineEvent.objects.filter(pk=paged.pk).delete()
    response = client_for(alice).post(edit, data, **HTMX)
    assert response.status_code == 200  # htmx swaps only successful answers
    assert response["HX-Retarget"] == "body"
    assert "My typed text" in response.content.decode()


def test_deleting_an_event_edited_meanwhile_shows_the_newer_text_and_asks_again(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    postmortem.collaborators.add(bob)
    deleter, editor = client_for(alice), client_for(bob)
    paged = event("Paged the payments")
    edit, delete = (
        url("timeline_event_edit", "PM-1", paged.pk),
        url("timeline_event_delete", "PM-1", paged.pk),
    )
    delete_base = base_in(deleter.get(delete))
    newer = event_form(text="Paged the payments on-call; it was the wrong rota", zone="+01:00")
    newer.update(time="13:55:00", base=base_in(editor.get(edit)))
    assert editor.post(edit, newer).status_code == 302
    response = deleter.post(delete, {"base": delete_base})
    html = response.content.decode()
    assert response.status_code == 409
    assert "This event changed since you asked to delete it" in html
    assert "Paged the payments on-call; it was the wrong rota" in html
    assert TimelineEvent.objects.filter(pk=paged.pk).exists()
    assert deleter.post(delete, {"base": base_in(response)}).status_code == 302
    assert not TimelineEvent.objects.filter(pk=paged.pk).exists()


def test_deleting_an_event_deleted_meanwhile_is_no_error(
    postmortem: Postmortem, alice: User
) -> None:
    paged = event("Paged the payments")
    delete = url("timeline_event_delete", "PM-1", paged.pk)
    base = event_fingerprint(paged)
    TimelineEvent.objects.filter(pk=paged.pk).delete()
    response = client_for(alice).post(delete, {"base": base}, follow=True)
    assert response.status_code == 200
    assert "The event was already deleted" in response.content.decode()


def test_an_outsider_gets_no_conflict_view(
    postmortem: Postmortem, restricted: Postmortem, bob: User, charlie: User
) -> None:
    paged = TimelineEvent.objects.get(incident__key="INC-PM-1", source_ref="Q1")
    edit, delete = (
        url("timeline_event_edit", "PM-1", paged.pk),
        url("timeline_event_delete", "PM-1", paged.pk),
    )
    TimelineEvent.objects.filter(pk=paged.pk).update(text="Changed")
    assert client_for(bob).post(edit, event_form(base="stale")).status_code == 403
    assert client_for(bob).post(delete, {"base": "stale"}).status_code == 403
    other = TimelineEvent.objects.get(incident__key="INC-PM-R", source_ref="Q1")
    gone = url("timeline_event_edit", "PM-R", other.pk)
    assert client_for(charlie).post(gone, event_form(base="stale")).status_code == 404
    assert TimelineEvent.objects.filter(pk=paged.pk, text="Changed").exists()


# --- Toggles ---------------------------------------------------------------------------------


def test_star_with_htmx_swaps_just_the_event(postmortem: Postmortem, alice: User) -> None:
    paged = event("Paged the payments")
    star = url("timeline_event_star", "PM-1", paged.pk)
    response = client_for(alice).post(star, {"starred": "1"}, **HTMX)
    assert response.status_code == 200
    html = text(response)
    assert html.startswith(f'<li id="event-{paged.pk}" class="event kind-page starred"')
    assert ">Unstar</button>" in html
    paged.refresh_from_db()
    assert paged.starred
    assert last_summary(postmortem) == "Starred a timeline event"


def test_star_without_javascript_redirects(postmortem: Postmortem, alice: User) -> None:
    alert = event("CheckoutErrorRate")
    star = url("timeline_event_star", "PM-1", alert.pk)
    response = client_for(alice).post(star, {"starred": "0"})
    assert response.status_code == 302
    assert response["Location"] == f"/postmortems/PM-1/?event={alert.pk}#event-{alert.pk}"
    alert.refresh_from_db()
    assert not alert.starred


def test_star_refuses_a_bad_value(postmortem: Postmortem, alice: User) -> None:
    alert = event("CheckoutErrorRate")
    star = url("timeline_event_star", "PM-1", alert.pk)
    assert client_for(alice).post(star, {"starred": "maybe"}).status_code == 400


def test_mark_learned_later(postmortem: Postmortem, alice: User) -> None:
    alert = event("CheckoutErrorRate")
    known = url("timeline_event_known", "PM-1", alert.pk)
    response = client_for(alice).post(known, {"known_at_the_time": "0"}, **HTMX)
    html = text(response)
    assert "learned-later" in html and ">Mark known at the time</button>" in html
    alert.refresh_from_db()
    assert not alert.known_at_the_time
    assert last_summary(postmortem) == "Marked a timeline event learned later"


def test_toggles_are_for_editors(postmortem: Postmortem, bob: User) -> None:
    alert = event("CheckoutErrorRate")
    client = client_for(bob)
    assert (
        client.post(url("timeline_event_star", "PM-1", alert.pk), {"starred": "0"}).status_code
        == 403
    )
    known = url("timeline_event_known", "PM-1", alert.pk)
    assert client.post(known, {"known_at_the_time": "0"}).status_code == 403


# --- Filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"kind": "alert"}, ["CheckoutErrorRate"], ["Paged the payments", "Deployed config"]),
        ({"source": "github"}, ["Deployed config"], ["CheckoutErrorRate"]),
        ({"starred": "on"}, ["CheckoutErrorRate"], ["Paged the payments"]),
    ],
)
def test_filters(
    postmortem: Postmortem, bob: User, query: dict[str, str], shown: list[str], hidden: list[str]
) -> None:
    response = client_for(bob).get(url("timeline"), query, **HTMX)
    assert response.status_code == 200
    html = text(response)
    assert html.startswith('<section id="timeline"')
    assert all(t in html for t in shown)
    assert not any(t in html for t in hidden)


def test_the_timeline_page_works_without_javascript(postmortem: Postmortem, bob: User) -> None:
    response = client_for(bob).get(url("timeline"), {"kind": "page"})
    html = text(response)
    assert "<html" in html and "Paged the payments" in html
    assert "CheckoutErrorRate" not in html
    assert "Show every event" in html


def test_an_unknown_filter_shows_everything(postmortem: Postmortem, bob: User) -> None:
    html = text(client_for(bob).get(url("timeline"), {"kind": "nonsense"}))
    assert "CheckoutErrorRate" in html and "Paged the payments" in html


def test_capture_into_the_chosen_incident(alice: User, bob: User, payments: Team) -> None:
    record = postmortem_record("PM-2")
    record.incidents.append(incident_record("INC-PM-2B"))
    load_record(record)
    client = client_for(alice)
    html = text(client.get(url("detail", "PM-2")))
    assert '<option value="INC-PM-2B">' in html  # a choice only when there are several
    data = capture("14:02 second incident line", "add", incident="INC-PM-2B")
    response = client.post(url("timeline_capture", "PM-2"), data)
    assert response.status_code == 302
    assert event("second incident line").incident.key == "INC-PM-2B"


def test_event_links_on_the_page_are_the_routes_of_the_event(
    postmortem: Postmortem, alice: User
) -> None:
    from django.urls import reverse

    event = postmortem.incidents.get().timeline.first()
    html = client_for(alice).get(f"/postmortems/{postmortem.key}/").text
    for name in ("edit", "delete", "star", "known"):
        assert (
            reverse(f"postmortems:timeline_event_{name}", args=[postmortem.key, event.pk]) in html
        )
