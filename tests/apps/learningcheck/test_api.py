"""The learning check through the API: the page's rules for reading results and answering,
and the team and organisation figures of the insights page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.learningcheck import services
from secondstory.learningcheck.models import Answer, Respondent, Survey
from secondstory.postmortems.models import Postmortem
from tests.apps.learningcheck.conftest import scores

CHECK = "/api/postmortems/PM-1/learning-check"
ANSWER = f"{CHECK}/answer"

Call = Callable[..., Any]


def test_results_are_hidden_below_three_answers_and_shown_from_three(
    call: Call, survey: Survey, alice: User, bob: User, dana: User, charlie: User
) -> None:
    reader = call(charlie, ("postmortems:read",))
    services.answer(survey, alice, scores(6))
    services.answer(survey, bob, scores(2))
    body = reader.get(CHECK).json()
    assert (body["state"], body["answered"], body["eligible"], body["minimum"]) == (
        "open",
        2,
        4,
        3,
    )
    assert body["results"] is None
    services.answer(survey, dana, scores(7, learned=1))
    results = reader.get(CHECK).json()["results"]
    assert results["answers"] == 3
    safe = next(i for i in results["items"] if i["code"] == "safe_to_speak")
    assert safe["counts"] == [0, 1, 0, 0, 0, 1, 1]
    assert (safe["agree"], safe["disagree"], safe["mean"]) == (2, 1, 5.0)
    assert results["learned_by_someone"] is True and results["half_would_come_again"] is True
    assert results["westrum_median"] == 6.0


def test_an_attendee_answers_once_and_nothing_links_the_answer_to_them(
    call: Call, survey: Survey, bob: User
) -> None:
    api = call(bob, ("postmortems:write",))
    sent = api.post(ANSWER, scores(5))
    assert sent.status_code == 201, sent.content
    assert sent.json()["answered"] == 1
    assert Respondent.objects.filter(survey=survey, person=bob).exists()
    assert Answer.objects.filter(survey=survey).count() == 1
    again = api.post(ANSWER, scores(4))
    assert again.status_code == 400
    assert "answered this learning check already" in again.json()["error"]["message"]
    assert Answer.objects.filter(survey=survey).count() == 1


def test_a_missing_or_off_scale_answer_names_the_statement(
    call: Call, survey: Survey, bob: User
) -> None:
    api = call(bob, ("postmortems:write",))
    partial = scores(5)
    del partial["messengers"]
    missing = api.post(ANSWER, partial)
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "messengers"
    off = api.post(ANSWER, scores(5, new_ideas=8))
    assert off.status_code == 422 and off.json()["error"]["field"] == "new_ideas"
    assert not Answer.objects.exists() and not Respondent.objects.exists()


def test_only_the_people_at_the_review_answer_and_only_while_it_is_open(
    call: Call, review: Postmortem, bob: User, charlie: User
) -> None:
    refused = call(charlie).post(ANSWER, scores(1))
    assert refused.status_code == 403
    not_opened = call(bob).post(ANSWER, scores(1))
    assert not_opened.status_code == 400
    assert call(bob).get(CHECK).status_code == 404
    survey = services.open_learning_check(review)
    services.close_learning_check(survey)
    closed = call(bob).post(ANSWER, scores(1))
    assert closed.status_code == 400 and "closed" in closed.json()["error"]["message"]
    assert not Answer.objects.exists()


def test_scopes_and_restricted_reviews(
    call: Call, survey: Survey, restricted: Postmortem, bob: User, charlie: User
) -> None:
    assert call(bob, ("postmortems:read",)).post(ANSWER, scores(5)).status_code == 403
    assert call(bob, ("insights:read",)).get(CHECK).status_code == 403
    services.open_learning_check(restricted)
    hidden = "/api/postmortems/PM-R/learning-check"
    assert call(charlie).get(hidden).status_code == 404
    assert call(charlie).post(f"{hidden}/answer", scores(5)).status_code == 404


def test_team_and_organisation_figures_count_only_reviews_with_three_answers(
    call: Call, survey: Survey, alice: User, bob: User, dana: User, payments: Team
) -> None:
    api = call(bob, ("insights:read",))
    services.answer(survey, alice, scores(6))
    services.answer(survey, bob, scores(3))
    few = api.get("/api/insights/learning-check", team="payments").json()
    assert (few["reviews"], few["hidden_reviews"], few["results"]) == (0, 1, None)
    services.answer(survey, dana, scores(7))
    today = timezone.localdate()
    team = api.get("/api/insights/learning-check", team="payments").json()
    assert (team["team"], team["reviews"], team["hidden_reviews"]) == ("payments", 1, 0)
    assert team["from"] == (today - timedelta(days=364)).isoformat()
    assert team["results"]["answers"] == 3
    quarter = next(q for q in team["quarters"] if q["reviews"])
    assert (quarter["answers"], quarter["felt_unsafe"]) == (3, round(1 / 3, 4))
    organisation = api.get("/api/insights/learning-check").json()
    assert organisation["team"] is None and organisation["reviews"] == 1
    later = (today + timedelta(days=1)).isoformat()
    empty = api.get("/api/insights/learning-check", **{"from": later, "to": later}).json()
    assert (empty["reviews"], empty["results"]) == (0, None)


def test_bad_scope_parameters_are_named(call: Call, bob: User) -> None:
    api = call(bob, ("insights:read",))
    unknown = api.get("/api/insights/learning-check", team="nobody")
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "team"
    backwards = api.get(
        "/api/insights/learning-check", **{"from": "2026-05-01", "to": "2026-01-01"}
    )
    assert backwards.status_code == 400 and backwards.json()["error"]["field"] == "to"
    bad = api.get("/api/insights/learning-check", **{"from": "May"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "from"
