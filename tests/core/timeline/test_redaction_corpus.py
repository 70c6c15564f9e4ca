"""Every secret of the corpus is redacted (with its kind) and every look-alike stays."""

from __future__ import annotations

import pytest

from secondstory.core.timeline.redact import Redactor
from tests.core.timeline.redaction_corpus import (
    Case,
    kept,
    look_alikes,
    must_redact,
    redacted_well,
)

CASES = must_redact()
LOOK_ALIKES = look_alikes()


@pytest.mark.parametrize("case", CASES, ids=[f"line{c.line}-{c.kind}" for c in CASES])
def test_each_secret_is_redacted(case: Case) -> None:
    ok, out = redacted_well(case)
    assert ok, f"must_redact.corpus:{case.line}: {out!r}"


@pytest.mark.parametrize("line,text", LOOK_ALIKES, ids=[f"line{n}" for n, _ in LOOK_ALIKES])
def test_each_look_alike_is_kept(line: int, text: str) -> None:
    ok, out = kept(text)
    assert ok, f"look_alikes.corpus:{line}: {out!r}"


def test_the_corpus_covers_every_new_kind() -> None:
    kinds = {case.kind for case in CASES}
    assert {"gitlab_token", "npm_token", "openai_key", "azure_storage_key"} <= kinds
    assert len(CASES) >= 40 and len(LOOK_ALIKES) >= 40


def test_redacting_the_corpus_twice_changes_and_counts_nothing_more() -> None:
    first = Redactor()
    once = [first.text(case.text) for case in CASES]
    second = Redactor()
    assert [second.text(text) for text in once] == once
    assert not second.counts
    assert sum(first.counts.values()) >= len(CASES)
