"""The person-targeted rule: action items aimed at people rather than the system."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secondstory.core.review import RULES, person_targeted, review
from secondstory.core.review.person_targeted import targets_people

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "review" / "person_targeted"


def _labelled(name: str) -> list[tuple[bool, str]]:
    rows = []
    for line in (FIXTURES / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, title = line.split("\t", 1)
            rows.append((label == "1", title))
    return rows


@pytest.mark.parametrize(
    "title",
    [
        "Retrain the on-call engineer",
        "Remind everyone to double-check the region",
        "Tell Sam to be more careful",
        "Re-read the guidelines",
        "Make sure engineers follow the runbook",
        "Hold a session on attention to detail",
        "Discipline the engineer involved",
        "Additional training for the team",
    ],
)
def test_people_aimed_items(title: str) -> None:
    assert targets_people(title)


@pytest.mark.parametrize(
    "title",
    [
        "Add a pre-deploy check that the image tag exists",
        "Automate the runbook step",
        "Add an alert on queue depth",
        "Write a runbook for the cache flush",
        "Run a game day to test the failover",
        "Train the anomaly model",
        "Update onboarding docs to cover the deploy freeze",
        "The console should ask for confirmation before deleting a cluster",
        "Engineers should be able to roll back with one command",
    ],
)
def test_system_aimed_items(title: str) -> None:
    assert not targets_people(title)


def test_labelled_sets_precision_and_recall() -> None:
    for name, floor in (("dev", 0.95), ("heldout", 0.85)):
        rows = _labelled(name)
        tp = sum(1 for want, t in rows if want and targets_people(t))
        fp = sum(1 for want, t in rows if not want and targets_people(t))
        fn = sum(1 for want, t in rows if want and not targets_people(t))
        assert tp / (tp + fp) >= floor, name
        assert tp / (tp + fn) >= floor, name


def test_rule_is_in_the_default_chain_and_runs_only_in_action_items() -> None:
    assert "person-targeted" in RULES
    text = (
        "## Summary\n\nWe reminded everyone about the freeze.\n\n"
        "## Action items\n\n- [ ] Retrain the on-call engineer\n- [ ] Add an alert on lag\n"
    )
    found = [f for f in review(text) if f.rule == "person-targeted"]
    assert [f.line for f in found] == [7]
    assert found[0].severity == "tone"
    assert "system" in found[0].suggestion


def test_one_finding_per_item() -> None:
    found = review("## Action items\n\n- Tell Dana to be more careful next time\n")
    assert [f.rule for f in found if f.rule == "person-targeted"] == ["person-targeted"]


def test_rule_can_be_disabled() -> None:
    text = "## Action items\n\n- [ ] Retrain the on-call engineer\n"
    assert not [f for f in review(text, disable=["person-targeted"]) if f.rule == "person-targeted"]


def test_no_group_repeats_without_a_bound() -> None:
    # An unbounded repeated group before alternatives that start the same way ("the the the
    # … team") made the pattern try every split at every word: quadratic in the item's length.
    patterns = [v for v in vars(person_targeted).values() if isinstance(v, re.Pattern)]
    assert patterns
    for pattern in patterns:
        assert not re.search(r"\)[*+]", pattern.pattern), pattern.pattern[:80]


def test_a_very_long_item_is_still_judged() -> None:
    assert not targets_people("the " * 5000 + "system")
    assert targets_people("Remind " + "the " * 2 + "team " * 5000)
