"""Quality gates on the labelled development set and on the demo organisation's text."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from secondstory.core.demo import narrative
from secondstory.core.review import review

DEV_SET = Path(__file__).parents[2] / "fixtures" / "review" / "dev_set.jsonl"


def _rows() -> list[dict[str, object]]:
    if not DEV_SET.exists():
        pytest.skip("the labelled development set is not there yet")
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_precision_and_recall_on_the_development_set() -> None:
    counts: Counter[str] = Counter()
    for row in _rows():
        flagged = bool(review(str(row["text"])))
        counts[f"{'t' if flagged == row['blame'] else 'f'}{'p' if flagged else 'n'}"] += 1
    precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    assert precision >= 0.92, counts
    assert recall >= 0.88, counts


def test_each_must_not_flag_category_stays_unflagged() -> None:
    total: Counter[str] = Counter()
    clean: Counter[str] = Counter()
    for row in _rows():
        if row["blame"]:
            continue
        category = str(row["category"])
        total[category] += 1
        clean[category] += not review(str(row["text"]))
    worst = {c: clean[c] / total[c] for c in total if clean[c] / total[c] < 0.95}
    assert worst == {}


def _fill(template: str) -> str:
    return re.sub(r"\{\w+\}", "12 minutes", template).replace("12 minutes should", "Dana should")


def test_every_demo_blame_sentence_is_flagged() -> None:
    for template in narrative.BLAME_SENTENCES:
        text = template.replace("{oncall_first}", "Dana")
        assert review(_fill(text)), text


def test_the_demo_went_well_and_went_poorly_text_is_not_flagged() -> None:
    pools = (
        narrative.GENERIC_WENT_WELL,
        narrative.GENERIC_WENT_POORLY,
        narrative.GENERIC_OPEN_QUESTIONS,
    )
    for pool in pools:
        for template in pool:
            assert review(_fill(template)) == [], template


def _theme_texts() -> list[str]:
    from secondstory.core.demo.themes import WEIGHTED_THEMES

    fields = (
        "summary",
        "trigger",
        "background",
        "impact",
        "detection_text",
        "response_text",
        "went_well",
        "went_poorly",
        "got_lucky",
        "surprises",
        "open_questions",
    )
    texts: list[str] = []
    for theme, _ in WEIGHTED_THEMES:
        for name in fields:
            texts.extend(getattr(theme, name))
        texts.extend(text for step in theme.steps for text in step.texts)
        texts.extend(d for factor in theme.factors for d in factor.descriptions)
    return texts


def test_no_neutral_demo_narrative_or_timeline_text_triggers_a_blame_finding() -> None:
    texts = _theme_texts()
    assert len(texts) > 100
    flagged = [(t, f.rule) for t in texts for f in review(_fill(t)) if f.severity == "blame"]
    assert flagged == []
