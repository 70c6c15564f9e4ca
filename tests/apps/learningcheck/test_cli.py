"""``secondstory learning-check``: a review's or a team's results, under the pages' rules."""

from __future__ import annotations

import json

from click.testing import CliRunner

from secondstory.accounts.models import Team, User
from secondstory.cli.main import cli
from secondstory.learningcheck import services
from secondstory.learningcheck.models import Survey
from secondstory.postmortems.models import Postmortem
from tests.apps.learningcheck.conftest import scores


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["learning-check", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_review_below_three_answers_shows_only_how_many_answered(
    survey: Survey, alice: User, bob: User, dana: User
) -> None:
    services.answer(survey, alice, scores(6))
    services.answer(survey, bob, scores(2))
    code, out, _ = invoke("--postmortem", "PM-1")
    assert code == 0
    assert "2 of 4 people have answered." in out
    assert "Fewer than 3 answers: results hidden." in out
    services.answer(survey, dana, scores(7))
    code, out, _ = invoke("--postmortem", "PM-1", "--format", "json")
    report = json.loads(out)
    assert (report["state"], report["answered"], report["results"]["answers"]) == ("open", 3, 3)
    safe = next(i for i in report["results"]["items"] if i["code"] == "safe_to_speak")
    assert safe["counts"] == [0, 1, 0, 0, 0, 1, 1]
    _, text, _ = invoke("--postmortem", "PM-1")
    assert "felt safe to speak" in text and "67 %" in text


def test_a_team_counts_only_reviews_with_three_answers(
    survey: Survey, alice: User, bob: User, dana: User, payments: Team
) -> None:
    services.answer(survey, alice, scores(6))
    services.answer(survey, bob, scores(2))
    code, out, _ = invoke("--team", "payments", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert (report["reviews"], report["hidden_reviews"], report["results"]) == (0, 1, None)
    services.answer(survey, dana, scores(7))
    code, out, _ = invoke("--team", "payments")
    assert "Learning check of team payments" in out
    assert "1 reviews counted; 0 with fewer than 3 answers are not counted." in out


def test_bad_options_are_one_line(review: Postmortem, payments: Team) -> None:
    cases = {
        ("--postmortem", "PM-9"): "--postmortem: no postmortem 'PM-9'",
        ("--postmortem", "PM-1"): "the learning check of PM-1 has not been opened",
        ("--postmortem", "PM-1", "--team", "payments"): "give it alone",
        ("--team", "nobody"): "--team: no team 'nobody'",
        ("--from", "2026-05-01", "--to", "2026-01-01"): "--to: the range ends",
        ("--from", "May"): "--from: expected a date",
    }
    for args, message in cases.items():
        code, _, err = invoke(*args)
        assert code in (1, 2), args
        assert message in err and "Traceback" not in err, (args, err)
