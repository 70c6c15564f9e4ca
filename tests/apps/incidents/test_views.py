"""Incidents in the browser: list, detail, create and edit, with who may do what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.editing import (
    IncidentFields,
    create_incident,
    incident_fingerprint,
    next_incident_key,
)
from secondstory.incidents.models import Incident, Service, Severity
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for

LIST = reverse("incidents:list")
CREATE = reverse("incidents:create")


def detail(key: str) -> str:
    return reverse("incidents:detail", args=[key])


def edit(key: str) -> str:
    return reverse("incidents:edit", args=[key])


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid incident form: impact started 13:40 at +01:00, detected 12 minutes later."""
    data: dict[str, Any] = {
        "title": "Search returned stale results",
        "severity": "SEV3",
        "visibility": "internal",
        "tags": "search, cache",
        "milestone_impact_started": "2026-03-04T13:40",
        "milestone_impact_started_offset": "+01:00",
        "milestone_detected": "2026-03-04T13:52",
        "milestone_detected_offset": "+01:00",
        "milestone_order_note": "",
        "refs-TOTAL_FORMS": "2",
        "refs-INITIAL_FORMS": "0",
        "refs-0-system": "jira",
        "refs-0-identifier": "OPS-7",
        "refs-0-url": "https://tracker.example.com/OPS-7",
        "refs-1-system": "",
        "refs-1-identifier": "",
        "refs-1-url": "",
    }
    data.update(overrides)
    return data


def fields(**overrides: Any) -> IncidentFields:
    values: dict[str, Any] = {
        "title": "Queue backed up",
        "severity": Severity.objects.get(code="SEV4"),
        "visibility": "internal",
        "services": [],
        "teams": [],
        "tags": [],
        "external_references": [],
        "milestones": {},
    }
    values.update(overrides)
    return IncidentFields(**values)


# --- list -------------------------------------------------------------------------------------


def test_the_list_shows_visible_incidents(postmortem: Postmortem, charlie: User) -> None:
    html = client_for(charlie).get(LIST).content.decode()
    assert f'href="{detail("INC-PM-1")}"' in html
    assert "SEV2" in html
    assert f'href="{CREATE}"' in html


def test_the_list_leaves_out_restricted_incidents_for_outsiders(
    restricted: Postmortem, charlie: User, bob: User
) -> None:
    assert "INC-PM-R" not in client_for(charlie).get(LIST).content.decode()
    assert "INC-PM-R" in client_for(bob).get(LIST).content.decode()


def test_the_list_takes_a_fixed_number_of_queries(
    alice: User, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        create_incident(
            fields(title=f"Incident {n}", visibility="restricted" if n % 2 else "internal")
        )
    client = client_for(alice)
    client.get(LIST)
    with django_assert_max_num_queries(4):  # session, user, count, page
        html = client.get(LIST).content.decode()
    assert "Incident 0" in html
    assert "Incident 1" not in html  # restricted, and none of alice's teams


def test_staff_edit_any_incident(restricted: Postmortem, charlie: User) -> None:
    charlie.role = "admin"
    charlie.save()
    assert client_for(charlie).get(edit("INC-PM-R")).status_code == 200


def test_the_list_needs_a_login(postmortem: Postmortem) -> None:
    from django.test import Client

    assert Client().get(LIST).status_code == 302


# --- detail -----------------------------------------------------------------------------------


def test_the_detail_shows_fields_milestones_durations_and_postmortems(
    postmortem: Postmortem, alice: User
) -> None:
    response = client_for(alice).get(detail("INC-PM-1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Checkout returned errors after a configuration change" in html
    assert "time to detect = detected − impact started" in html
    assert '<td class="value">12 min</td>' in html
    assert "4 Mar 2026 12:40</time>" in html  # in the viewer's zone (UTC here)
    assert "4 Mar 2026 13:40 (UTC+01:00)" in html  # as recorded, at its own offset
    assert f'href="{reverse("postmortems:detail", args=["PM-1"])}"' in html
    assert f'href="{edit("INC-PM-1")}"' in html


def test_the_detail_links_to_starting_a_postmortem_when_that_page_exists(
    postmortem: Postmortem, alice: User
) -> None:
    html = client_for(alice).get(detail("INC-PM-1")).content.decode()
    try:
        start = reverse("postmortems:start")
    except NoReverseMatch:
        assert "Start a postmortem" not in html
    else:
        assert f'href="{start}?incident=INC-PM-1"' in html


def test_the_detail_hides_the_edit_link_from_those_who_cannot_edit(
    postmortem: Postmortem, charlie: User
) -> None:
    response = client_for(charlie).get(detail("INC-PM-1"))
    assert response.status_code == 200
    assert edit("INC-PM-1") not in response.content.decode()


def test_it_checks_who_may_read_a_restricted_incident(
    restricted: Postmortem, charlie: User, bob: User
) -> None:
    assert client_for(charlie).get(detail("INC-PM-R")).status_code == 404
    assert client_for(bob).get(detail("INC-PM-R")).status_code == 200
    assert client_for(charlie).get(detail("INC-NOPE")).status_code == 404


def test_people_named_on_a_postmortem_read_its_restricted_incident(
    restricted: Postmortem, charlie: User
) -> None:
    restricted.reviewers.add(charlie)
    assert client_for(charlie).get(detail("INC-PM-R")).status_code == 200


# --- create -----------------------------------------------------------------------------------


def test_the_create_form_has_one_input_per_milestone_kind(alice: User, payments: Team) -> None:
    html = client_for(alice).get(CREATE).content.decode()
    assert '<option value="payments" selected>Payments</option>' in html  # her team
    for code in ("impact_started", "detected", "acknowledged", "mitigated", "resolved"):
        assert f'type="datetime-local" name="milestone_{code}"' in html
        assert f'name="milestone_{code}_offset"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="refs-TOTAL_FORMS"' in html


def test_creating_an_incident(alice: User, payments: Team) -> None:
    Service.objects.create(slug="search", name="Search")
    data = form_data(services=["search"], teams=["payments"])
    response = client_for(alice).post(CREATE, data)
    assert response.status_code == 302
    incident = Incident.objects.get(key="INC-0001")
    assert response["Location"] == detail("INC-0001")
    assert incident.title == "Search returned stale results"
    assert incident.severity.code == "SEV3"
    assert [s.slug for s in incident.services.all()] == ["search"]
    assert [t.slug for t in incident.teams.all()] == ["payments"]
    assert sorted(t.slug for t in incident.tags.all()) == ["cache", "search"]
    ref = incident.external_references.get()
    assert (ref.system, ref.identifier, ref.url) == (
        "jira",
        "OPS-7",
        "https://tracker.example.com/OPS-7",
    )
    started = incident.milestones.get(kind__code="impact_started")
    assert started.at == datetime(2026, 3, 4, 12, 40, tzinfo=UTC)
    assert started.utc_offset_minutes == 60


def test_a_time_without_an_offset_is_read_in_the_viewers_zone(alice: User) -> None:
    alice.time_zone = "America/New_York"
    alice.save()
    data = form_data(milestone_impact_started_offset="", milestone_detected_offset="")
    assert client_for(alice).post(CREATE, data).status_code == 302
    started = Incident.objects.get().milestones.get(kind__code="impact_started")
    assert started.at == datetime(2026, 3, 4, 18, 40, tzinfo=UTC)
    assert started.utc_offset_minutes == -300


def test_new_keys_follow_the_highest_number_in_use(alice: User) -> None:
    create_incident(fields())
    Incident.objects.filter(key="INC-0001").update(key="INC-0007")
    create_incident(fields())
    assert next_incident_key() == "INC-0009"
    assert set(Incident.objects.values_list("key", flat=True)) == {"INC-0007", "INC-0008"}


def test_a_tag_that_is_not_a_slug_is_refused(alice: User) -> None:
    response = client_for(alice).post(CREATE, form_data(tags="config, bad tag!"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "&#x27;bad tag!&#x27; is not a slug" in html
    assert 'value="Search returned stale results"' in html  # what was typed stays
    assert not Incident.objects.exists()


def test_out_of_order_milestones_are_refused_without_a_note(alice: User) -> None:
    data = form_data(milestone_detected="2026-03-04T13:00")
    response = client_for(alice).post(CREATE, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "detected (2026-03-04T13:00:00+01:00) is before" not in html, "no file-format words"
    text = " ".join(html.split())
    assert (
        "Detected (4 Mar 2026 13:00 UTC+01:00) is earlier than impact started "
        "(4 Mar 2026 13:40 UTC+01:00), though impact started usually comes first." in text
    )
    assert "if it really happened in this order, say why under" in text
    assert "Why the milestones are out of the usual order" in text
    assert not Incident.objects.exists()


def test_out_of_order_milestones_are_kept_with_a_note(alice: User) -> None:
    data = form_data(
        milestone_detected="2026-03-04T13:00",
        milestone_order_note="Detected by a canary before customers were affected.",
    )
    assert client_for(alice).post(CREATE, data).status_code == 302
    assert Incident.objects.get().milestone_order_note.startswith("Detected by a canary")


def test_a_severity_must_be_chosen(alice: User) -> None:
    response = client_for(alice).post(CREATE, form_data(severity=""))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Incident.objects.exists()


def test_a_bad_offset_is_refused_naming_the_field(alice: User) -> None:
    response = client_for(alice).post(CREATE, form_data(milestone_detected_offset="+25:00"))
    assert response.status_code == 400
    assert "is not a UTC offset within ±18:00" in response.content.decode()


def test_a_reference_needs_a_system_and_an_id(alice: User) -> None:
    response = client_for(alice).post(CREATE, form_data(**{"refs-1-url": "https://x.example"}))
    assert response.status_code == 400
    assert "a reference needs a system and an ID" in response.content.decode()


def test_a_restricted_incident_needs_one_of_the_creators_teams(
    charlie: User, payments: Team
) -> None:
    data = form_data(visibility="restricted", teams=["payments"])
    response = client_for(charlie).post(CREATE, data)
    assert response.status_code == 400
    assert "a restricted incident needs one of your teams" in response.content.decode()
    assert not Incident.objects.exists()


# --- edit -------------------------------------------------------------------------------------


def edit_data(client: Any, key: str, **overrides: Any) -> dict[str, Any]:
    """The edit form as the page fills it in, with ``overrides`` typed over it."""
    context = client.get(edit(key)).context
    form, refs = context["form"], context["refs"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    data.update({f"refs-{k}": v for k, v in refs.management_form.initial.items()})
    for i, ref in enumerate(refs.forms):
        for name in ("system", "identifier", "url"):
            data[f"refs-{i}-{name}"] = ref[name].value() or ""
    data.update(overrides)
    return data


def test_the_edit_form_shows_the_current_values_in_the_viewers_zone(
    postmortem: Postmortem, alice: User
) -> None:
    html = client_for(alice).get(edit("INC-PM-1")).content.decode()
    assert 'value="Checkout returned errors after a configuration change"' in html
    assert 'name="milestone_impact_started" value="2026-03-04T12:40"' in html
    assert 'name="milestone_impact_started_offset" value="+00:00"' in html
    assert 'name="base"' in html


def test_a_teammate_edits_the_incident(postmortem: Postmortem, bob: User) -> None:
    client = client_for(bob)
    data = edit_data(client, "INC-PM-1", title="Checkout failed", severity="SEV1")
    data["milestone_resolved"] = "2026-03-05T18:00"
    data["milestone_resolved_offset"] = "+02:00"
    response = client.post(edit("INC-PM-1"), data)
    assert response.status_code == 302
    incident = Incident.objects.get(key="INC-PM-1")
    assert (incident.title, incident.severity.code) == ("Checkout failed", "SEV1")
    resolved = incident.milestones.get(kind__code="resolved")
    assert resolved.at == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    assert resolved.utc_offset_minutes == 120
    # An untouched milestone keeps the offset it was first recorded in.
    assert incident.milestones.get(kind__code="impact_started").utc_offset_minutes == 60


def test_clearing_a_milestone_removes_it(postmortem: Postmortem, alice: User) -> None:
    client = client_for(alice)
    data = edit_data(client, "INC-PM-1", milestone_acknowledged="")
    assert client.post(edit("INC-PM-1"), data).status_code == 302
    kinds = Incident.objects.get(key="INC-PM-1").milestones.values_list("kind__code", flat=True)
    assert "acknowledged" not in kinds


def test_an_edit_with_an_error_is_refused(postmortem: Postmortem, alice: User) -> None:
    client = client_for(alice)
    data = edit_data(client, "INC-PM-1", title="", milestone_detected="2026-03-01T00:00")
    response = client.post(edit("INC-PM-1"), data)
    assert response.status_code == 400
    assert Incident.objects.get(key="INC-PM-1").title.startswith("Checkout returned errors")


def test_a_stale_edit_shows_both_versions_and_keeps_what_was_typed(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    alices = edit_data(client_for(alice), "INC-PM-1", title="Alice's title")
    bobs = edit_data(client_for(bob), "INC-PM-1", title="Bob's title")
    assert client_for(bob).post(edit("INC-PM-1"), bobs).status_code == 302

    response = client_for(alice).post(edit("INC-PM-1"), alices)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this incident" in html
    assert '<td class="yours">Alice&#x27;s title</td>' in html
    assert '<td class="current">Bob&#x27;s title</td>' in html
    assert 'value="Alice&#x27;s title"' in html  # still in the form, ready to save again
    incident = Incident.objects.get(key="INC-PM-1")
    assert incident.title == "Bob's title"
    assert f'name="base" value="{incident_fingerprint(incident)}"' in html

    # Saving again from the conflict page keeps Alice's version on purpose.
    alices["base"] = incident_fingerprint(incident)
    assert client_for(alice).post(edit("INC-PM-1"), alices).status_code == 302
    assert Incident.objects.get(key="INC-PM-1").title == "Alice's title"


def test_it_checks_who_may_edit(postmortem: Postmortem, charlie: User) -> None:
    client = client_for(charlie)
    assert client.get(edit("INC-PM-1")).status_code == 403
    assert client.post(edit("INC-PM-1"), {"title": "Taken over"}).status_code == 403
    assert Incident.objects.get(key="INC-PM-1").title != "Taken over"


def test_collaborators_of_a_postmortem_may_edit_its_incident(
    postmortem: Postmortem, charlie: User
) -> None:
    postmortem.collaborators.add(charlie)
    assert client_for(charlie).get(edit("INC-PM-1")).status_code == 200


def test_outsiders_cannot_tell_a_restricted_incident_exists(
    restricted: Postmortem, charlie: User
) -> None:
    assert client_for(charlie).get(edit("INC-PM-R")).status_code == 404
    restricted.reviewers.add(charlie)  # may read it now, but reviewing is not editing
    assert client_for(charlie).get(edit("INC-PM-R")).status_code == 403


@pytest.mark.parametrize("url", [CREATE, edit("INC-PM-1")])
def test_forms_need_a_login(postmortem: Postmortem, url: str) -> None:
    from django.test import Client

    assert Client().get(url).status_code == 302


def test_editing_an_incident_records_a_revision_of_its_postmortems(
    postmortem: Postmortem, alice: User
) -> None:
    from secondstory.postmortems.models import Revision

    incident = postmortem.incidents.get()
    client = client_for(alice)
    response = client.get(f"/incidents/{incident.key}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["title"] = "Checkout errors after the pool change"
    refs = response.context["refs"]
    data.update({f"{refs.prefix}-{k}": v for k, v in refs.management_form.initial.items()})
    for name in ("services", "teams"):
        data[name] = [str(v) for v in (form[name].value() or [])]
    client.post(f"/incidents/{incident.key}/edit/", data)
    incident.refresh_from_db()
    assert incident.title == "Checkout errors after the pool change"
    assert Revision.objects.filter(
        postmortem=postmortem, summary=f"Edited incident {incident.key}"
    ).exists()
