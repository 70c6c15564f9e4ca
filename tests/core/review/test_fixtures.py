"""Fixture files: tests/fixtures/review/rules/<rule-id>/*.md with the expected findings.

Each ``.expected`` line is ``line:col-end_line:end_col rule severity``. Files under a rule id run
that rule alone; files under ``must-not-flag`` run the default preset and expect nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from secondstory.core.review import RULES, review

FIXTURES = Path(__file__).parents[2] / "fixtures" / "review" / "rules"
CASES = sorted(FIXTURES.glob("*/*.md"))


def _render(path: Path) -> list[str]:
    rule = path.parent.name
    text = path.read_text(encoding="utf-8")
    if rule in RULES:
        findings = review(text, preset="strict", disable=[r for r in RULES if r != rule])
    else:
        findings = review(text, preset="strict", disable=["single-root-cause"])
    return [
        f"{f.line}:{f.column}-{f.end_line}:{f.end_column} {f.rule} {f.severity}" for f in findings
    ]


def test_every_rule_and_every_must_not_flag_category_has_fixtures() -> None:
    folders = {p.parent.name for p in CASES}
    assert set(RULES) <= folders
    negatives = {p.stem for p in (FIXTURES / "must-not-flag").glob("*.md")}
    assert {
        "system-subjects",
        "design-counterfactual",
        "recommendations",
        "chronology",
        "quotes",
        "technical-words",
        "local-rationality",
        "process-statements",
        "headings-and-labels",
        "negated-hindsight",
        "technical-conduct-words",
    } <= negatives


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert _render(path) == [line for line in expected if line.strip()]


@pytest.mark.parametrize(
    "path",
    [p for p in CASES if p.parent.name in RULES and p.stem == "basic"],
    ids=lambda p: p.parent.name,
)
def test_each_rule_finds_something_in_its_basic_fixture(path: Path) -> None:
    assert path.with_suffix(".expected").read_text(encoding="utf-8").strip()
