"""Game days through the pages: plan, run, verify; who may; suggestions; near misses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem, Recurrence
from secondstory.gamedays import services
from secondstory.gamedays.models import GameDay, Verification
from secondstory.nearmiss.models import NearMiss
from secondstory.postmortems.models import FactorCategory, Postmortem
from secondstory.postmortems.records import load_record
from secondstory.postmortems.services import add_factor
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record
from tests.apps.gamedays.conftest import fields

pytestmark = pytest.mark.django_db

PLAN = {
    "title": "Fail over the orders database",
    "hypothesis": "Writes pause under 30 s and no order is lost.",
    "steady_state": "orders written per minute",
    "steady_state_expected": "within 5 % of the hour before",
    "fault": "Stop the primary",
    "blast_radius": "Orders in eu-west",
    "abort_conditions": "Writes paused for over 2 minutes",
    "scheduled_at": "2026-05-20T09:00",
    "participants": ["alice", "bob"],
    "services": ["checkout"],
    "categories": ["technical"],
}


def test_a_responder_plans_a_game_day(postmortem: Postmortem, alice: User) -> None:
    client = client_for(alice)
    assert client.get("/game-days/new/").status_code == 200
    response = client.post("/game-days/new/", PLAN)
    game_day = GameDay.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/game-days/{game_day.key}/"
    assert game_day.steady_state_expected == "within 5 % of the hour before"
    assert sorted(game_day.participants.values_list("username", flat=True)) == ["alice", "bob"]
    page = client.get(f"/game-days/{game_day.key}/").content.decode()
    assert "Writes pause under 30 s" in page
    assert f"/postmortems/{game_day.postmortem.key}/timeline/" in page
    assert game_day.key in client.get("/game-days/").content.decode()


def test_a_bad_plan_names_the_field_and_writes_nothing(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post("/game-days/new/", {**PLAN, "steady_state": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not GameDay.objects.exists() and Postmortem.objects.count() == 1


def test_a_viewer_reads_but_does_not_plan_or_run(game_day: GameDay, vera: User) -> None:
    client = client_for(vera)
    page = client.get(f"/game-days/{game_day.key}/").content.decode()
    assert game_day.title in page and "Edit the plan" not in page
    assert client.get("/game-days/new/").status_code == 403
    assert (
        client.post(f"/game-days/{game_day.key}/status/", {"status": "running"}).status_code == 403
    )
    game_day.refresh_from_db()
    assert game_day.status == "planned"


def test_signed_out_people_are_sent_to_sign_in(game_day: GameDay) -> None:
    response = Client().get(f"/game-days/{game_day.key}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_start_finish_and_a_refused_step(game_day: GameDay, alice: User) -> None:
    client = client_for(alice)
    url = f"/game-days/{game_day.key}/status/"
    assert client.post(url, {"status": "running"}).status_code == 302
    assert client.post(url, {"status": "done"}).status_code == 302
    response = client.post(url, {"status": "running"})
    assert response.status_code == 400
    assert "a done game day stays done" in response.content.decode()


def test_edit_the_plan(game_day: GameDay, alice: User) -> None:
    client = client_for(alice)
    assert client.get(f"/game-days/{game_day.key}/edit/").status_code == 200
    response = client.post(f"/game-days/{game_day.key}/edit/", {**PLAN, "title": "New title"})
    assert response.status_code == 302
    game_day.refresh_from_db()
    assert game_day.title == "New title" and game_day.postmortem.title == "New title"


def test_verify_a_done_item_shows_on_the_item_and_in_the_action_filter(
    game_day: GameDay, done_item: ActionItem, alice: User
) -> None:
    client = client_for(alice)
    client.post(f"/game-days/{game_day.key}/status/", {"status": "running"})
    response = client.post(
        f"/game-days/{game_day.key}/verify/",
        {"item": f"{done_item.postmortem.key}/{done_item.key}", "note": "Size 1 was refused."},
    )
    assert response.status_code == 302
    assert Verification.objects.get().item == done_item
    page = client.get(f"/postmortems/{done_item.postmortem.key}/").content.decode()
    assert "Verified by game day" in page and game_day.key in page
    verified = client.get("/actions/?verified=yes").content.decode()
    assert done_item.title in verified and f"verified by {game_day.key}" in verified
    assert done_item.title not in client.get("/actions/?verified=no").content.decode()
    assert client.get("/actions/?verified=maybe").status_code == 400


def test_verifying_an_unknown_or_open_item_says_why(
    game_day: GameDay, postmortem: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    client.post(f"/game-days/{game_day.key}/status/", {"status": "running"})
    url = f"/game-days/{game_day.key}/verify/"
    response = client.post(url, {"item": "PM-404/A1", "note": "x"})
    assert response.status_code == 400 and "no action item PM-404/A1" in response.content.decode()
    response = client.post(url, {"item": f"{postmortem.key}/A1", "note": "x"})
    assert response.status_code == 400 and "is not done" in response.content.decode()
    response = client.post(url, {"item": "A1", "note": "x"})
    assert "is not POSTMORTEM/ITEM" in response.content.decode()
    assert not Verification.objects.exists()


def test_an_item_the_verifier_cannot_read_is_as_unknown(
    game_day: GameDay, restricted: Postmortem, charlie: User
) -> None:
    item = restricted.action_items.get()
    item.status, item.completed_at = "done", datetime(2026, 4, 1, tzinfo=UTC)
    item.save()
    client = client_for(charlie)
    client.post(f"/game-days/{game_day.key}/status/", {"status": "running"})
    response = client.post(
        f"/game-days/{game_day.key}/verify/", {"item": f"{restricted.key}/A1", "note": "x"}
    )
    assert response.status_code == 400 and "you can read" in response.content.decode()
    assert not Verification.objects.exists()


def test_exercises_stay_out_of_incident_and_postmortem_lists(
    game_day: GameDay, alice: User
) -> None:
    client = client_for(alice)
    exercise = game_day.postmortem.incidents.get()
    assert exercise.key not in client.get("/incidents/").content.decode()
    assert exercise.key in client.get("/incidents/?exercises=yes").content.decode()
    assert game_day.postmortem.key not in client.get("/postmortems/").content.decode()
    review = client.get(f"/postmortems/{game_day.postmortem.key}/").content.decode()
    assert f"/game-days/{game_day.key}/" in review


def _history() -> None:
    for key in ("PM-2", "PM-3"):
        load_record(postmortem_record(key))


@time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False)
def test_a_recurring_pair_is_suggested_and_prefills_the_plan(
    postmortem: Postmortem, alice: User
) -> None:
    _history()
    client = client_for(alice)
    page = client.get("/game-days/suggestions/").content.decode()
    assert "Probe checkout for tooling factors" in page
    assert "/game-days/new/?suggestion=checkout%3Atooling" in page
    form = client.get("/game-days/new/?suggestion=checkout:tooling").content.decode()
    assert 'value="Probe checkout for tooling factors"' in form
    assert re.search(r'name="services" value="checkout"[^>]*checked', form)
    assert re.search(r'name="categories" value="tooling"[^>]*checked', form)
    assert client.get("/game-days/new/?suggestion=nowhere:tooling").status_code == 404


@time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False)
def test_game_day_findings_do_not_make_a_pair_recur(postmortem: Postmortem, alice: User) -> None:
    game_day = services.plan_game_day(fields(), by=alice)  # begins inside the insights range
    tooling = FactorCategory.objects.get(code="tooling")
    add_factor(game_day.postmortem, category=tooling, description="The tool took size 1.")
    load_record(postmortem_record("PM-2"))  # two real postmortems: not yet recurring
    page = client_for(alice).get("/game-days/suggestions/").content.decode()
    assert "Probe checkout for tooling factors" not in page


def test_a_done_item_that_recurred_is_suggested_first(
    postmortem: Postmortem, done_item: ActionItem, alice: User
) -> None:
    later = load_record(postmortem_record("PM-2"))
    Recurrence.objects.create(
        item=done_item,
        factor=later.factors.get(key="F1"),
        found_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    page = client_for(alice).get("/game-days/suggestions/").content.decode()
    assert f"Verify: {done_item.title}" in page
    assert "PM-1/A1 was marked done, yet its factor recurred in PM-2" in page


def test_a_triager_feeds_a_game_day_from_a_near_miss(postmortem: Postmortem, alice: User) -> None:
    report = NearMiss.objects.create(
        what_happened="A migration ran against the replica first.",
        what_almost_happened="Writes to payments would have stopped.",
        reported_on=datetime(2026, 5, 1, tzinfo=UTC).date(),
    )
    client = client_for(alice)
    assert (
        f"/game-days/new/?near_miss={report.pk}"
        in client.get(f"/near-misses/{report.pk}/").content.decode()
    )
    form = client.get(f"/game-days/new/?near_miss={report.pk}").content.decode()
    assert f"Game day from {report.key}" in form
    response = client.post("/game-days/new/", {**PLAN, "near_miss": str(report.pk)})
    assert response.status_code == 302
    assert GameDay.objects.get().near_miss == report
    assert "Game days fed" in client.get(f"/near-misses/{report.pk}/").content.decode()


def test_a_viewer_cannot_feed_a_game_day(postmortem: Postmortem, vera: User) -> None:
    report = NearMiss.objects.create(
        what_happened="x",
        what_almost_happened="y",
        reporter=vera,
        reported_on=datetime(2026, 5, 1, tzinfo=UTC).date(),
    )
    client = client_for(vera)
    assert (
        "Plan a game day from this report"
        not in client.get(f"/near-misses/{report.pk}/").content.decode()
    )
    assert client.get(f"/game-days/new/?near_miss={report.pk}").status_code == 403


def test_unknown_game_day_is_404(alice: User, db: None) -> None:
    assert client_for(alice).get("/game-days/GD-9999/").status_code == 404
