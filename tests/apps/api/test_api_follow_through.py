"""Factors, action items, search, similar incidents and health checks through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.postmortems.models import Postmortem, Revision

PM = "/api/postmortems/PM-1"


def test_factors_list_add_and_change_with_versions(
    call: Callable[..., Any], postmortem: Postmortem, alice: User, charlie: User
) -> None:
    api = call(alice, ("postmortems:write",))
    factors = api.get(PM + "/factors").json()
    assert [f["key"] for f in factors] == ["F1", "F2"] and len(factors[0]["events"]) == 1
    added = api.post(PM + "/factors", {"category": "detection", "description": "No alert."})
    assert added.status_code == 201, added.content
    assert added.json()["key"] == "F3"
    bad = api.post(PM + "/factors", {"category": "nope", "description": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "category"
    foreign = api.post(
        PM + "/factors", {"category": "tooling", "description": "x", "events": [9999]}
    )
    assert foreign.status_code == 400 and foreign.json()["error"]["field"] == "events"
    version = added.json()["version"]
    change = {"category": "detection", "description": "The alert waited.", "version": version}
    assert api.put(PM + "/factors/F3", change).status_code == 200
    stale = api.put(PM + "/factors/F3", {**change, "description": "Mine."})
    assert stale.status_code == 409 and stale.json()["error"]["version"] != version
    assert (
        call(charlie).post(PM + "/factors", {"category": "tooling", "description": "x"}).status_code
        == 403
    )


def test_action_items_use_the_pages_filters(
    call: Callable[..., Any], postmortem: Postmortem, restricted: Postmortem, charlie: User
) -> None:
    api = call(charlie, ("actions:read",))
    listed = api.get("/api/actions/").json()
    # Only the items of postmortems charlie may read.
    assert {i["postmortem"] for i in listed["items"]} == {"PM-1"}
    assert api.get("/api/actions/", priority="P1").json()["count"] >= 1
    assert api.get("/api/actions/", status="done").json()["count"] == 0
    bad = api.get("/api/actions/", due_after="tomorrow")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "due_after"
    unknown = api.get("/api/actions/", owner="nobody")
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "owner"


def test_an_editor_changes_a_status_and_a_stale_change_gets_409(
    call: Callable[..., Any], postmortem: Postmortem, alice: User, charlie: User
) -> None:
    api = call(alice, ("actions:write",))
    item = next(i for i in api.get("/api/actions/").json()["items"] if i["key"] == "A1")
    path = "/api/actions/PM-1/A1/status"
    before = Revision.objects.filter(postmortem=postmortem).count()
    done = api.put(path, {"status": "done", "version": item["version"]})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"] is not None
    assert Revision.objects.filter(postmortem=postmortem).count() == before + 1
    stale = api.put(path, {"status": "in_progress", "version": item["version"]})
    assert stale.status_code == 409
    no_reason = api.put(path, {"status": "not_doing", "version": done.json()["version"]})
    assert no_reason.status_code == 400
    assert ActionItem.objects.get(postmortem=postmortem, key="A1").status == "done"
    outsider = call(charlie).put(path, {"status": "open", "version": done.json()["version"]})
    assert outsider.status_code == 403


def test_search_finds_only_readable_postmortems(
    call: Callable[..., Any],
    postmortem: Postmortem,
    restricted: Postmortem,
    charlie: User,
    bob: User,
) -> None:
    outsider = call(charlie, ("library:read",))
    found = outsider.get("/api/search", q="configuration").json()
    assert [h["key"] for h in found["items"]] == ["PM-1"]
    teammate = call(bob, ("library:read",)).get("/api/search", q="configuration").json()
    assert {h["key"] for h in teammate["items"]} == {"PM-1", "PM-R"}
    assert teammate["count"] == 2 and "«" in teammate["items"][0]["snippet"]
    wrong = outsider.get("/api/search", q='"unclosed')
    assert wrong.status_code == 400 and "unclosed quote" in wrong.json()["error"]["message"]
    assert wrong.json()["error"]["field"] == "q"
    assert call(charlie, ("postmortems:read",)).get("/api/search", q="x").status_code == 403


def test_similar_needs_a_readable_postmortem(
    call: Callable[..., Any], postmortem: Postmortem, restricted: Postmortem, charlie: User
) -> None:
    api = call(charlie, ("library:read",))
    answer = api.get(PM + "/similar")
    assert answer.status_code == 200 and all(s["key"] != "PM-R" for s in answer.json())
    assert api.get("/api/postmortems/PM-R/similar").status_code == 404


def test_health_checks_hide_evidence_the_reader_may_not_read(
    call: Callable[..., Any], postmortem: Postmortem, restricted: Postmortem, charlie: User
) -> None:
    api = call(charlie, ("insights:read",))
    answer = api.get("/api/insights/health", as_of="2026-06-01")
    assert answer.status_code == 200, answer.content
    checks = answer.json()["checks"]
    assert checks and all("PM-R" not in c["evidence"] for c in checks)
    assert api.get("/api/insights/health", team="nope").json()["error"]["field"] == "team"
