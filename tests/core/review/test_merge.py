"""One finding per problem: overlapping findings are merged in the review's output step."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

from secondstory.core.review import Finding, review
from secondstory.core.review.merge import merge_overlapping

DEV_SET = Path(__file__).parents[2] / "fixtures" / "review" / "dev_set.jsonl"


def _finding(rule: str, severity: str, start: int, end: int, message: str = "") -> Finding:
    return Finding(
        rule, rule, severity, start, end, 1, start + 1, 1, end + 1, "s", message or rule, "?"
    )


def test_overlapping_findings_become_one_with_the_strongest_severity_and_every_reason() -> None:
    tone = _finding("minimisation", "tone", 0, 10, "Minimising.")
    blame = _finding("counterfactual", "blame", 5, 20, "Counterfactual.")
    hindsight = _finding("hindsight", "hindsight", 18, 25, "Hindsight.")
    [merged] = merge_overlapping([tone, hindsight, blame])
    assert (merged.rule, merged.severity) == ("counterfactual", "blame")
    assert (merged.start, merged.end, merged.column, merged.end_column) == (0, 25, 1, 26)
    assert merged.rules == ("counterfactual", "hindsight", "minimisation")
    assert merged.all_reasons == ("Counterfactual.", "Hindsight.", "Minimising.")


def test_touching_and_separate_spans_stay_separate_findings() -> None:
    first = _finding("hindsight", "hindsight", 0, 9)
    touching = _finding("minimisation", "tone", 9, 15)
    later = _finding("counterfactual", "blame", 30, 40)
    assert merge_overlapping([later, touching, first]) == [first, touching, later]


def test_the_same_rule_twice_on_one_span_is_one_finding_with_one_reason() -> None:
    short = _finding("counterfactual", "blame", 0, 16, "If only.")
    longer = _finding("counterfactual", "blame", 0, 21, "If only.")
    [merged] = merge_overlapping([short, longer])
    assert (merged.start, merged.end, merged.also, merged.reasons) == (0, 21, (), ())


def test_review_merges_two_rules_on_the_same_words() -> None:
    text = "The new hire neglected to read the deploy checklist."
    [finding] = review(text)
    assert finding.severity == "blame"
    assert set(finding.rules) == {"counterfactual", "procedure-violation"}
    assert len(finding.all_reasons) == 2
    assert text[finding.start : finding.end] == "neglected to read the deploy checklist"


def test_review_never_returns_overlapping_findings() -> None:
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        findings = review(json.loads(line)["text"])
        for before, after in itertools.pairwise(findings):
            assert before.end <= after.start, (before, after)


def test_a_merged_finding_survives_a_round_trip_through_json() -> None:
    [finding] = review("The new hire neglected to read the deploy checklist.")
    record = json.loads(json.dumps(dataclasses.asdict(finding)))
    assert Finding.from_record(record) == finding
