"""The structure of accounts and the gentle review profile (tests/fixtures/accounts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondstory.core import perspectives
from secondstory.core.review import review
from secondstory.core.review.first_person import SELF_BLAME, about_oneself, review_account

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "accounts" / "coaching.txt"


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, expected = line.split("=>")
        cases.append((text.strip(), [r.strip() for r in expected.split(",") if r.strip()]))
    return cases


@pytest.mark.parametrize(("text", "expected"), _cases(), ids=lambda v: str(v)[:40])
def test_the_profile_is_gentle_with_the_author_only(text: str, expected: list[str]) -> None:
    assert [f.rule for f in review_account(text)] == expected


def test_self_blame_is_an_info_note_with_a_kind_question() -> None:
    (note,) = review_account("I should have checked the canary dashboard before promoting.")
    assert note.severity == "info"
    assert note.category == SELF_BLAME
    assert "hard on yourself" in note.message
    assert note.suggestion.endswith("?")


def test_the_usual_engine_still_blames_the_same_sentence() -> None:
    """The profile changes the verdict, not the detection: without it, it is blame."""
    assert [f.severity for f in review("I should have checked the canary first.")] == ["blame"]


def test_offsets_index_the_answer() -> None:
    text = "The deploy went out at 14:00.\nThen I should have waited for the canary."
    (note,) = review_account(text)
    assert text[note.start : note.end] == "should have waited"
    assert (note.line, note.column) == (2, 8)


def test_a_named_person_after_me_is_not_me() -> None:
    assert not about_oneself("I think Dana should have paged.", 13, 24)
    assert about_oneself("I think I should have paged.", 10, 21)


def test_answers_are_stripped_and_complete() -> None:
    answers = perspectives.answers_from({"did": "  I rolled back. "})
    assert list(answers) == list(perspectives.PROMPT_KEYS)
    assert answers["did"] == "I rolled back."
    assert answers["saw"] == ""


def test_an_unknown_prompt_or_a_too_long_answer_names_the_field() -> None:
    with pytest.raises(perspectives.AccountError) as unknown:
        perspectives.answers_from({"feelings": "fine"})
    assert unknown.value.field == "feelings"
    with pytest.raises(perspectives.AccountError) as long:
        perspectives.answers_from({"saw": "x" * (perspectives.MAX_ANSWER + 1)})
    assert long.value.field == "saw"
    assert "at most 20,000" in long.value.message


def test_blank_and_changed() -> None:
    assert perspectives.is_blank({"saw": "  "})
    assert not perspectives.is_blank({"normal": "a quiet night"})
    assert perspectives.changed_prompts({"saw": "a", "did": "b"}, {"saw": "a", "did": "c"}) == [
        "did"
    ]


def test_interview_labels_speak_of_the_interviewee() -> None:
    assert perspectives.label("surprised") == "What surprised me"
    assert perspectives.label("surprised", perspectives.INTERVIEW) == "What surprised them"


def test_coach_reviews_each_answer_on_its_own() -> None:
    found = perspectives.coach(
        {"saw": "The error rate doubled.", "did": "I was careless with the flag."}
    )
    assert found["saw"] == []
    assert [f.rule for f in found["did"]] == [SELF_BLAME]
