"""Incidents and timelines through the API: visibility, editing rights, revisions, imports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from secondstory.accounts.models import User
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.postmortems.models import Postmortem, Revision

BASE = "/api/incidents/"
EVENT = {"at": "2026-03-05T10:30:00+01:00", "kind": "action", "text": "Rolled back change 881"}


def test_a_reader_lists_incidents_with_filters_and_pages(
    call: Callable[..., Any], postmortem: Postmortem, restricted: Postmortem, charlie: User
) -> None:
    api = call(charlie, ("incidents:read",))
    body = api.get(BASE).json()
    # The restricted incident is not in an outsider's list.
    assert [i["key"] for i in body["items"]] == ["INC-PM-1"]
    first = body["items"][0]
    assert first["severity"] == "SEV2" and first["teams"] == ["payments"]
    assert first["tags"] == ["config"] and first["postmortems"] == ["PM-1"]
    assert api.get(BASE, severity="SEV9").json()["count"] == 0
    assert api.get(BASE + "INC-PM-R").status_code == 404


def test_pages_link_to_each_other(
    call: Callable[..., Any], postmortem: Postmortem, restricted: Postmortem, alice: User
) -> None:
    api = call(alice, ("read",))
    first = api.get(BASE, limit=1).json()
    assert first["count"] == 2 and first["previous"] is None
    assert "page=2" in first["next"] and "limit=1" in first["next"]
    second = api.get(BASE, limit=1, page=2).json()
    assert second["next"] is None and second["items"][0]["key"] != first["items"][0]["key"]
    assert api.get(BASE, limit=1, page=9).json()["items"] == []
    too_many = api.get(BASE, limit=1000)
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "limit"


def test_declaring_an_incident(call: Callable[..., Any], alice: User, payments: Any) -> None:
    from secondstory.incidents.models import Severity

    Severity.objects.get_or_create(code="SEV2", defaults={"name": "Major", "rank": 2})
    api = call(alice, ("incidents:write",))
    made = api.post(BASE, {"title": "Queue backlog", "severity": "SEV2", "teams": ["payments"]})
    assert made.status_code == 201, made.content
    assert made.json()["key"].startswith("INC-") and made.json()["teams"] == ["payments"]
    unknown = api.post(BASE, {"title": "x", "severity": "SEV99"})
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "severity"
    viewer = User.objects.create(username="vera", role="viewer")
    assert call(viewer).post(BASE, {"title": "x", "severity": "SEV2"}).status_code == 403


def test_a_team_member_adds_an_event_and_each_postmortem_keeps_a_revision(
    call: Callable[..., Any], postmortem: Postmortem, bob: User
) -> None:
    api = call(bob, ("incidents:write",))
    before = Revision.objects.filter(postmortem=postmortem).count()
    added = api.post(BASE + "INC-PM-1/events", {**EVENT, "source_ref": "rb-1"})
    assert added.status_code == 201, added.content
    assert added.json()["offset"] == "+01:00" and added.json()["source"] == "api"
    assert Revision.objects.filter(postmortem=postmortem).count() == before + 1
    again = api.post(BASE + "INC-PM-1/events", {**EVENT, "source_ref": "rb-1"})
    assert again.status_code == 400 and again.json()["error"]["field"] == "source_ref"
    timeline = api.get(BASE + "INC-PM-1/events", source="api").json()
    assert [e["source_ref"] for e in timeline["items"]] == ["rb-1"]


def test_an_outsider_may_read_but_not_add(
    call: Callable[..., Any], postmortem: Postmortem, charlie: User
) -> None:
    api = call(charlie)
    assert api.get(BASE + "INC-PM-1/events").status_code == 200
    assert api.post(BASE + "INC-PM-1/events", EVENT).status_code == 403
    assert not TimelineEvent.objects.filter(source="api").exists()


def test_a_batch_is_all_or_nothing(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    api = call(alice)
    bad = api.post(
        BASE + "INC-PM-1/events/batch",
        {"events": [EVENT, {**EVENT, "at": "2026-03-05T10:31:00"}]},
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "events[1].at"
    assert not TimelineEvent.objects.filter(source="api").exists()
    good = api.post(BASE + "INC-PM-1/events/batch", {"events": [EVENT, EVENT]})
    assert good.status_code == 201 and good.json()["added"] == 2


def test_importing_a_file_as_the_import_page_does(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    lines = b"10:40 Alice: restarted the pool\n10:45 Bob: errors gone\n"
    token = call(alice).headers
    client = Client()
    path = BASE + "INC-PM-1/imports"
    dry = client.post(
        path,
        {
            "files": _upload(lines),
            "format": "plain",
            "day": "2026-03-05",
            "zone": "Europe/Berlin",
            "dry_run": "true",
        },
        headers=token,
    )
    assert dry.status_code == 200, dry.content
    assert dry.json()["added"] == 2 and dry.json()["dry_run"] is True
    incident = Incident.objects.get(key="INC-PM-1")
    count = incident.timeline.count()
    options = {"format": "plain", "day": "2026-03-05", "zone": "Europe/Berlin"}
    real = client.post(path, {"files": _upload(lines), **options}, headers=token)
    assert real.status_code == 200 and incident.timeline.count() == count + 2
    bad_zone = client.post(path, {"files": _upload(lines), "zone": "Mars/Base"}, headers=token)
    assert bad_zone.status_code == 400 and bad_zone.json()["error"]["field"] == "zone"
    unknown = client.post(path, {"files": _upload(b"\x01\x02")}, headers=token)
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "format"


def _upload(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("chat.txt", content, content_type="text/plain")


def test_editing_an_incident_with_its_version(
    call: Callable[..., Any], postmortem: Postmortem, bob: User, charlie: User
) -> None:
    api = call(bob, ("incidents:write",))
    current = api.get(BASE + "INC-PM-1").json()
    change = {
        "title": "Checkout errors after config change 881",
        "severity": "SEV2",
        "services": current["services"],
        "teams": current["teams"],
        "tags": current["tags"],
        "milestones": {m["kind"]: m["at"] for m in current["milestones"]},
        "version": current["version"],
    }
    before = Revision.objects.filter(postmortem=postmortem).count()
    saved = api.put(BASE + "INC-PM-1", change)
    assert saved.status_code == 200, saved.content
    assert saved.json()["title"] == change["title"] and saved.json()["version"] != change["version"]
    assert Revision.objects.filter(postmortem=postmortem).count() == before + 1
    stale = api.put(BASE + "INC-PM-1", {**change, "title": "Mine"})
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["Title"] == change["title"]
    # A responder outside its team may not edit it; nor may a member make it restricted
    # without maintaining a team.
    assert call(charlie).put(BASE + "INC-PM-1", change).status_code == 403
    fresh = {**change, "version": saved.json()["version"], "visibility": "restricted"}
    refused = api.put(BASE + "INC-PM-1", fresh)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "visibility"
