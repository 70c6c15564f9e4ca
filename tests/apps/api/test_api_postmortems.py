"""Postmortems through the API: the same visibility, rights, revisions and checks as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from secondstory.accounts.models import User
from secondstory.audit.models import AuditEvent
from secondstory.postmortems.models import Postmortem, Revision

BASE = "/api/postmortems/"


def _section(body: dict[str, Any], field: str) -> dict[str, Any]:
    return next(s for s in body["sections"] if s["field"] == field)


def test_a_reader_lists_and_reads_postmortems(
    call: Callable[..., Any], postmortem: Postmortem, charlie: User
) -> None:
    api = call(charlie, ("read",))
    listing = api.get(BASE)
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1 and body["next"] is None and body["items"][0]["key"] == "PM-1"
    one = api.get(BASE + "PM-1").json()
    assert one["status"] == "draft" and one["incidents"] == ["INC-PM-1"]
    assert "12%" in _section(one, "summary")["text"]


def test_a_restricted_postmortem_is_invisible_to_an_outsider(
    call: Callable[..., Any], restricted: Postmortem, charlie: User, bob: User
) -> None:
    outsider = call(charlie, ("read",))
    assert outsider.get(BASE).json()["count"] == 0
    answer = outsider.get(BASE + "PM-R")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert call(bob, ("read",)).get(BASE + "PM-R").status_code == 200
    # A read of a restricted postmortem is audited, as on its page.
    assert AuditEvent.objects.filter(action="read", object_label="PM-R").exists()


def test_without_a_token_or_with_a_bad_one_there_is_no_data(
    client: Any, postmortem: Postmortem
) -> None:
    for headers in ({}, {"Authorization": "Bearer ss_nope"}, {"Authorization": "Basic x"}):
        answer = client.get(BASE, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthenticated"
        assert "PM-1" not in answer.content.decode()


def test_a_token_without_the_scope_is_refused(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    actions_only = call(alice, ("actions:read",))
    answer = actions_only.get(BASE)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "insufficient_scope"
    reader = call(alice, ("postmortems:read",))
    assert reader.get(BASE).status_code == 200
    version = _section(reader.get(BASE + "PM-1").json(), "impact")["version"]
    refused = reader.put(BASE + "PM-1/sections/impact", {"text": "x", "version": version})
    assert refused.status_code == 403


def test_an_editor_saves_a_section_and_a_stale_save_gets_409(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    api = call(alice, ("postmortems:write",))
    version = _section(api.get(BASE + "PM-1").json(), "impact")["version"]
    before = Revision.objects.filter(postmortem=postmortem).count()
    saved = api.put(BASE + "PM-1/sections/impact", {"text": "Checkout failed.", "version": version})
    assert saved.status_code == 200, saved.content
    assert saved.json()["text"] == "Checkout failed."
    assert Revision.objects.filter(postmortem=postmortem).count() == before + 1
    stale = api.put(BASE + "PM-1/sections/impact", {"text": "Mine.", "version": version})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["current"] == "Checkout failed." and error["version"] == saved.json()["version"]
    again = api.put(BASE + "PM-1/sections/impact", {"text": "Mine.", "version": error["version"]})
    assert again.status_code == 200


def test_a_teammate_who_is_not_a_writer_may_not_edit(
    call: Callable[..., Any], postmortem: Postmortem, charlie: User
) -> None:
    api = call(charlie)
    version = _section(api.get(BASE + "PM-1").json(), "impact")["version"]
    answer = api.put(BASE + "PM-1/sections/impact", {"text": "x", "version": version})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


def test_an_unknown_section_is_a_422_naming_the_field(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    answer = call(alice).put(BASE + "PM-1/sections/nope", {"text": "x", "version": "v"})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "field"


def test_transitions_follow_the_lifecycle_and_its_rights(
    call: Callable[..., Any], postmortem: Postmortem, alice: User, bob: User
) -> None:
    owner = call(alice)
    submitted = owner.post(BASE + "PM-1/transitions", {"to": "in_review"})
    assert submitted.status_code == 201, submitted.content
    assert Postmortem.objects.get(key="PM-1").status == "in_review"
    # The owner never approves their own postmortem: approving is a reviewer's.
    assert owner.post(BASE + "PM-1/transitions", {"to": "approved"}).status_code == 403
    impossible = owner.post(BASE + "PM-1/transitions", {"to": "published"})
    assert impossible.status_code in (400, 403)
    approved = call(bob).post(BASE + "PM-1/transitions", {"to": "approved", "note": "Clear."})
    assert approved.status_code == 201, approved.content
    assert approved.json()["to_status"] == "approved"


def test_a_move_the_lifecycle_refuses_is_a_400_with_the_reason(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    answer = call(alice).post(BASE + "PM-1/transitions", {"to": "not_required"})
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "not_required_reason"


def test_starting_a_postmortem(
    call: Callable[..., Any], postmortem: Postmortem, alice: User, charlie: User
) -> None:
    started = call(alice).post(BASE, {"incident": "INC-PM-1"})
    assert started.status_code == 201, started.content
    assert started.json()["owner"] == "alice" and started.json()["status"] == "draft"
    viewer = User.objects.create(username="vera", role="viewer")
    assert call(viewer).post(BASE, {"incident": "INC-PM-1"}).status_code == 403
    assert call(alice).post(BASE, {"incident": "INC-NOPE"}).status_code == 404


def test_an_admin_reads_and_edits_everything_but_never_reviews_without_being_named(
    call: Callable[..., Any], postmortem: Postmortem, restricted: Postmortem
) -> None:
    admin = call(User.objects.create(username="ada", role="admin"))
    assert admin.get(BASE).json()["count"] == 2
    version = _section(admin.get(BASE + "PM-R").json(), "impact")["version"]
    edited = admin.put(BASE + "PM-R/sections/impact", {"text": "Seen.", "version": version})
    assert edited.status_code == 200
    assert admin.post(BASE + "PM-R/transitions", {"to": "in_review"}).status_code == 201
    assert admin.post(BASE + "PM-R/transitions", {"to": "approved"}).status_code == 403


def test_refusals_made_before_the_api_use_its_error_shape(
    call: Callable[..., Any], postmortem: Postmortem, alice: User, settings: Any
) -> None:
    api = call(alice)
    nul_query = api.get(BASE, owner="a\x00b")
    assert nul_query.status_code == 400 and nul_query.json()["error"]["code"] == "bad_request"
    nul_path = api.get(BASE + "PM%001")
    assert nul_path.status_code == 400 and "NUL" in nul_path.json()["error"]["message"]
    nul_body = api.put(BASE + "PM-1/sections/impact", {"text": "a\x00", "version": "v"})
    assert nul_body.status_code == 422 and nul_body.json()["error"]["field"] == "text"
    settings.SECONDSTORY_UPLOAD_MAX_MB = 0
    too_big = api.post(BASE, {"incident": "INC-PM-1"})
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"


def test_a_token_call_needs_no_csrf_token(
    postmortem: Postmortem, alice: User, call: Callable[..., Any]
) -> None:
    from django.test import Client

    raw = call(alice).headers["Authorization"]
    strict = Client(enforce_csrf_checks=True)
    answer = strict.post(
        BASE,
        '{"incident": "INC-PM-1"}',
        content_type="application/json",
        headers={"Authorization": raw},
    )
    assert answer.status_code == 201, answer.content
