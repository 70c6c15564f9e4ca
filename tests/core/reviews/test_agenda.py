from __future__ import annotations

from secondstory.core.reviews.agenda import FactorPoint, ItemPoint, agenda, points, same_person


def test_points_of_a_list_with_continuations_and_tasks() -> None:
    text = (
        "### Still open\n- Why did the alert wait\n  ten minutes?\n"
        "* [ ] Who owns pool sizes?\n1. Is staging different?\n"
    )
    assert points(text) == [
        "Why did the alert wait ten minutes?",
        "Who owns pool sizes?",
        "Is staging different?",
    ]


def test_points_of_paragraphs() -> None:
    assert points("The pool\nwas small.\n\nNobody knew.") == ["The pool was small.", "Nobody knew."]
    assert points("  \n") == []


def test_agenda_picks_unsupported_factors_and_ownerless_items() -> None:
    result = agenda(
        open_questions="- Why?",
        surprises="Retries made it worse.",
        factors=[FactorPoint("F1", "a", 2), FactorPoint("F2", "b", 0)],
        items=[ItemPoint("A1", "x", "Ada", True), ItemPoint("A2", "y", "Bo", False)],
    )
    assert result.open_questions == ["Why?"]
    assert result.surprises == ["Retries made it worse."]
    assert [f.key for f in result.factors_without_evidence] == ["F2"]
    assert [i.key for i in result.items_without_owner] == ["A2"]
    assert result.size == 4 and not result.is_empty
    assert agenda(open_questions="", surprises="", factors=[], items=[]).is_empty


def test_same_person_ignores_case_and_spaces() -> None:
    assert same_person(["alice", "Alice  Owner"], ["alice owner"])
    assert not same_person(["bob", ""], ["Deploy bot", ""])
