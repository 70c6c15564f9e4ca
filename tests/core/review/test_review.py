"""The public API: review(), Finding, RULES, PRESETS."""

from __future__ import annotations

import pytest

from secondstory.core.review import PRESETS, RULES, Finding, ReviewConfig, review
from secondstory.core.review.ruler import UnknownRuleError

NINE = {
    "counterfactual": "blame",
    "normative-judgment": "blame",
    "human-error": "blame",
    "person-as-cause": "blame",
    "hindsight": "hindsight",
    "minimisation": "tone",
    "procedure-violation": "blame",
    "judgmental-passive": "blame",
    "person-root-cause": "blame",
}


def test_the_nine_rules_have_the_agreed_ids_and_severities() -> None:
    assert {rid: RULES[rid].severity for rid in NINE} == NINE
    # The nine blame-language rules, and the person-targeted rule for action items.
    assert RULES["person-targeted"].severity == "tone"
    assert set(PRESETS["default"]) == {*NINE, "person-targeted"}
    assert set(PRESETS["strict"]) > set(PRESETS["default"])
    assert all(RULES[rid].description and RULES[rid].category for rid in RULES)


def test_a_finding_carries_span_position_explanation_and_suggestion() -> None:
    text = "# Summary\n\nIt paged.\nThe engineer should have checked the lag.\n"
    [finding] = review(text)
    assert isinstance(finding, Finding)
    assert text[finding.start : finding.end] == "should have checked"
    assert (finding.line, finding.column) == (4, 14)
    assert (finding.end_line, finding.end_column) == (4, 33)
    assert finding.sentence == "The engineer should have checked the lag."
    assert finding.rule == "counterfactual" and finding.severity == "blame"
    assert finding.message.endswith(".") and finding.suggestion


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("The on-call engineer failed to escalate.", "counterfactual"),
        ("The review was sloppy and the team was complacent.", "normative-judgment"),
        ("An operator fat-fingered the replica count.", "human-error"),
        ("Bob's change took down checkout.", "person-as-cause"),
        ("In the end the outage was entirely predictable.", "hindsight"),
        ("All she had to do was drain the node first.", "minimisation"),
        ("The DBA bypassed the change checklist.", "procedure-violation"),
        ("The disk-space warning was dismissed.", "judgmental-passive"),
        ("The root cause was the intern's migration.", "person-root-cause"),
    ],
)
def test_each_pattern_is_recognised(text: str, rule: str) -> None:
    assert rule in {f.rule for f in review(text)}


@pytest.mark.parametrize(
    "text",
    [
        "The health check failed to detect the stuck worker.",
        "Had the load balancer drained connections, nobody would have noticed the restart.",
        "14:02 Alice restarted the primary.",
        "We spent the error budget on HTTP 503 errors and page faults.",
        "The fault injection run and git blame pointed at the same line.",
        "The migration had run cleanly in staging, where the table was small.",
        "This postmortem is blameless; we look at conditions, not culprits.",
    ],
)
def test_must_not_flag(text: str) -> None:
    assert review(text) == []


def test_names_passed_in_make_an_unusual_name_a_person() -> None:
    text = "Sterling should have paged the DBA."
    assert review(text) == []
    assert [f.rule for f in review(text, names=["Sterling"])] == ["counterfactual"]


def test_rules_are_disabled_and_enabled_by_id() -> None:
    text = "The root cause was a race in the lock. Obviously it broke."
    assert [f.rule for f in review(text)] == ["hindsight"]
    assert review(text, disable=["hindsight"]) == []
    assert [f.rule for f in review(text, enable=["single-root-cause"])] == [
        "single-root-cause",
        "hindsight",
    ]
    assert [f.rule for f in review(text, preset="strict")] == ["single-root-cause", "hindsight"]


def test_config_supplies_names_disabled_rules_and_preset() -> None:
    text = "Sterling should have paged the DBA. The root cause was the lock."
    config = ReviewConfig(names=("Sterling",), disable=("counterfactual",), preset="strict")
    assert [f.rule for f in review(text, config=config)] == ["single-root-cause"]


def test_unknown_rules_and_presets_are_errors() -> None:
    with pytest.raises(UnknownRuleError):
        review("text", disable=["no-such-rule"])
    with pytest.raises(UnknownRuleError):
        review("text", preset="lenient")


def test_findings_are_in_document_order() -> None:
    text = "Obviously Bob should have known. Root cause: human error."
    starts = [f.start for f in review(text)]
    assert starts == sorted(starts) and len(starts) >= 3


def test_a_span_across_a_line_break_reports_both_lines() -> None:
    text = "The engineer should have\nchecked the lag."
    [finding] = review(text)
    assert text[finding.start : finding.end] == "should have\nchecked"
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (1, 14, 2, 8)
