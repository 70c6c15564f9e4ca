"""The learning check's pages: answering, results from 3 answers, opening and closing, and
the learning-check section of the insights pages."""

from __future__ import annotations

import csv
import io

from secondstory.accounts.models import User
from secondstory.learningcheck import services
from secondstory.learningcheck.models import Answer, Survey
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for
from tests.apps.learningcheck.conftest import scores

HIDDEN = "Fewer than 3 answers: results hidden."


def url(postmortem: Postmortem, action: str = "") -> str:
    return f"/postmortems/{postmortem.key}/learning-check/{action}"


def test_a_person_at_the_review_answers_from_the_page(survey: Survey, bob: User) -> None:
    client = client_for(bob)
    page = client.get(url(survey.postmortem)).content.decode()
    assert "Your answer" in page and "It felt safe to speak openly in this review." in page
    response = client.post(url(survey.postmortem, "answer"), scores(6))
    assert response.status_code == 302
    page = client.get(url(survey.postmortem)).content.decode()
    assert "You have answered this learning check" in page and "Your answer</h2>" not in page
    assert "1 of 4 people have answered" in page


def test_a_missing_answer_is_named_and_nothing_is_stored(survey: Survey, bob: User) -> None:
    partial = scores(5)
    del partial["messengers"]
    response = client_for(bob).post(url(survey.postmortem, "answer"), partial)
    assert response.status_code == 400
    assert "Choose an answer from 1 to 7." in response.content.decode()
    assert not Answer.objects.exists()


def test_it_checks_who_answers_and_who_reads(survey: Survey, charlie: User) -> None:
    client = client_for(charlie)
    assert client.get(url(survey.postmortem)).status_code == 200  # reads the postmortem
    assert "The people at the review answer" in client.get(url(survey.postmortem)).content.decode()
    assert client.post(url(survey.postmortem, "answer"), scores(1)).status_code == 403
    assert not Answer.objects.exists()


def test_a_restricted_review_is_not_found_for_outsiders(
    restricted: Postmortem, charlie: User
) -> None:
    services.open_learning_check(restricted)
    assert client_for(charlie).get(url(restricted)).status_code == 404


def test_results_appear_from_three_answers(
    survey: Survey, alice: User, bob: User, dana: User, charlie: User
) -> None:
    services.answer(survey, alice, scores(6, safe_to_speak=2))
    services.answer(survey, bob, scores(7))
    page = client_for(charlie).get(url(survey.postmortem)).content.decode()
    assert HIDDEN in page and "learning-check-answers" not in page
    services.answer(survey, dana, scores(5))
    page = client_for(charlie).get(url(survey.postmortem)).content.decode()
    assert HIDDEN not in page and 'id="learning-check-answers"' in page
    assert "Someone learned something that changes their work: yes." in page


def test_only_the_owner_and_facilitator_open_and_close_it(
    review: Postmortem, alice: User, bob: User
) -> None:
    assert client_for(bob).post(url(review, "open")).status_code == 403
    assert services.survey_of(review) is None
    assert client_for(alice).post(url(review, "open")).status_code == 302
    survey = services.survey_of(review)
    assert survey is not None and services.is_open(survey)
    assert client_for(bob).post(url(review, "close")).status_code == 403
    assert client_for(alice).post(url(review, "close")).status_code == 302
    assert not services.is_open(services.survey_of(review))


def test_the_postmortem_page_invites_the_people_at_the_review(survey: Survey, bob: User) -> None:
    page = client_for(bob).get(f"/postmortems/{survey.postmortem.key}/").content.decode()
    assert "Answer the learning check" in page


def _csv(client: object, chart: str) -> list[list[str]]:
    response = client.get("/insights/", {"format": "csv", "chart": chart, "from": "2020-01-01"})  # type: ignore[attr-defined]
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_insights_count_reviews_with_three_answers_per_team_never_per_person(
    survey: Survey, alice: User, bob: User, dana: User, charlie: User
) -> None:
    client = client_for(charlie)
    services.answer(survey, alice, scores(6, safe_to_speak=1))
    services.answer(survey, bob, scores(6))
    by_team = _csv(client, "learning-check-by-team")
    assert by_team[1:] == []  # two answers: not counted anywhere
    services.answer(survey, dana, scores(3))
    by_team = _csv(client, "learning-check-by-team")
    assert by_team[0][:3] == ["team", "reviews", "answers"]
    assert by_team[1][:3] == ["Payments", "1", "3"]
    assert by_team[1][6] == "67 %"  # felt unsafe (1–3): two of three
    answers = _csv(client, "learning-check-answers")
    safe = next(r for r in answers if r[0] == "felt safe to speak")
    assert safe[1:9] == ["3", "1", "0", "1", "0", "0", "1", "0"]
    page = client.get("/insights/", {"from": "2020-01-01"}).content.decode()
    assert 'id="section-learning-check"' in page
