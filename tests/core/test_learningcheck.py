"""The learning check's items and summaries, and the ``unsafe-reviews`` health check, on
plain data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from secondstory.core import learningcheck
from secondstory.core.insights.health import CHECK_IDS, HealthData, Thresholds
from secondstory.core.insights.health.model import SurveyRow
from secondstory.core.insights.health.unsafe_reviews import check

AS_OF = date(2026, 6, 30)
RECENT = datetime(2026, 5, 1, tzinfo=UTC)
OLD = datetime(2025, 10, 1, tzinfo=UTC)  # before the two quarters


def full(score: int, **others: int) -> dict[str, int]:
    return {**{code: score for code in learningcheck.CODES}, **others}


def test_results_are_hidden_below_three_answers() -> None:
    assert learningcheck.summarise([full(5), full(6)]) is None
    summary = learningcheck.summarise([full(5), full(6), full(2)])
    assert summary is not None and summary.answers == 3


def test_the_summary_is_a_distribution_per_item() -> None:
    summary = learningcheck.summarise(
        [full(7, safe_to_speak=1), full(6, safe_to_speak=3), full(2, safe_to_speak=7)]
    )
    assert summary is not None
    safe = summary.item("safe_to_speak")
    assert safe.counts == (1, 0, 1, 0, 0, 0, 1)
    assert (safe.agree, safe.disagree, safe.mean) == (1, 2, pytest.approx(11 / 3))
    learned = summary.item("learned")
    assert learned.counts == (0, 1, 0, 0, 0, 1, 1)
    assert summary.learned_by_someone and summary.half_would_come_again
    assert summary.westrum_scores == (7.0, 6.0, 2.0)


def test_the_guides_learning_check_fails_when_nobody_learned() -> None:
    summary = learningcheck.summarise([full(3), full(4), full(2, come_again=6)])
    assert summary is not None
    assert not summary.learned_by_someone
    assert not summary.half_would_come_again  # 1 of 3


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({**full(4), "learned": 8}, "learned: 8 is not on the scale 1 to 7"),
        ({**full(4), "learned": 0}, "learned: 0 is not on the scale"),
        ({k: v for k, v in full(4).items() if k != "new_ideas"}, "new_ideas: choose an answer"),
        ({**full(4), "mood": 3}, "mood: not an item"),
        ({**full(4), "messengers": "5"}, "messengers: choose an answer"),
        ({**full(4), "messengers": True}, "messengers: choose an answer"),
    ],
)
def test_a_bad_answer_names_the_item(scores: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        learningcheck.check_answer(scores)


def test_six_westrum_items_and_three_about_the_review() -> None:
    assert len(learningcheck.WESTRUM_CODES) == 6
    review = [i.code for i in learningcheck.ITEMS if i.group == learningcheck.REVIEW]
    assert review == ["learned", "come_again", "safe_to_speak"]


def data(*surveys: SurveyRow) -> HealthData:
    return HealthData(as_of=AS_OF, teams=("data", "web"), surveys=surveys)


def row(
    key: str, answers: int, unsafe: int, team: str = "data", at: datetime = RECENT
) -> SurveyRow:
    return SurveyRow(key, (team,), at, answers, unsafe)


def statuses(results: list) -> dict[str, tuple[str, float | None, list[str]]]:
    return {r.scope["team"]: (r.status, r.value, r.evidence) for r in results}


def test_unsafe_reviews_is_one_of_the_checks() -> None:
    assert "unsafe-reviews" in CHECK_IDS


def test_a_team_whose_reviews_feel_unsafe_is_flagged_with_the_reviews_as_evidence() -> None:
    found = statuses(
        check(data(row("PM-1", 5, 3), row("PM-2", 5, 1), row("PM-3", 4, 0)), Thresholds())
    )
    status, value, evidence = found["data"]
    assert (status, value) == ("warn", round(4 / 14, 3))
    assert evidence == ["PM-1", "PM-2"]  # the most unsafe first; PM-3 had none
    assert found["web"][0] == "ok"


def test_warn_and_alarm_thresholds() -> None:
    t = Thresholds()
    warn = statuses(check(data(row("PM-1", 10, 3)), t))["data"]  # 30 %
    alarm = statuses(check(data(row("PM-1", 10, 4)), t))["data"]  # 40 %
    calm = statuses(check(data(row("PM-1", 10, 2)), t))["data"]  # 20 %: not above
    assert (warn[0], alarm[0], calm[0]) == ("warn", "alarm", "ok")


def test_too_few_answers_or_old_reviews_are_not_judged() -> None:
    t = Thresholds()
    assert statuses(check(data(row("PM-1", 9, 9)), t))["data"][0] == "ok"  # 9 < 10 answers
    assert statuses(check(data(row("PM-1", 12, 12, at=OLD)), t))["data"] == ("ok", None, [])
    # a review with fewer than 3 answers is never counted, whatever it says
    few = data(
        row("PM-1", 2, 2),
        row("PM-2", 2, 2),
        row("PM-3", 2, 2),
        row("PM-4", 2, 2),
        row("PM-5", 2, 2),
    )
    assert statuses(check(few, t))["data"] == ("ok", None, [])


def test_thresholds_can_be_overridden() -> None:
    t = Thresholds.from_mapping({"unsafe_min": 3, "unsafe_alarm_share": 0.5})
    assert statuses(check(data(row("PM-1", 3, 1)), t))["data"][0] == "warn"
