from __future__ import annotations

import pytest

from secondstory.core.review.segment import sentences, split_sentences


def _split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    "text",
    [
        "We paged the DBA, e.g. via the phone bridge, i.e. not chat.",
        "Replicas, caches, queues etc. were all fine at 14:02.",
        "Dr. Lee compared v1.2.3 vs. v1.2.4 with 99.95% availability.",
        "The runbook at https://wiki.example.com/ops/db.failover.html was current.",
        "Latency rose to 2.5 s around 14:02:30 UTC.",
    ],
)
def test_no_split_inside_abbreviations_times_versions_decimals_urls(text: str) -> None:
    assert _split(text) == [text]


def test_splits_on_sentence_ends_and_ellipses() -> None:
    text = "The pool filled up. Then what? Nobody knew… The page fired! It was 03:00."
    assert _split(text) == [
        "The pool filled up.",
        "Then what?",
        "Nobody knew…",
        "The page fired!",
        "It was 03:00.",
    ]


def test_offsets_index_the_original_text_and_code_is_masked() -> None:
    text = "# Response\n\n- We ran `kill -9` first. It helped.\n\n```\nskip. me.\n```\n"
    found = sentences(text)
    assert [s.text for s in found] == ["Response", "We ran           first.", "It helped."]
    for s in found:
        assert len(text[s.start : s.start + len(s.text)]) == len(s.text)
    assert text[found[1].start : found[1].start + 6] == "We ran"


def test_timestamped_lines_in_one_paragraph_are_separate_sentences() -> None:
    text = "14:02 Alice restarted the primary\n14:05 Bob paged the DBA\n"
    assert [s.text.strip() for s in sentences(text)] == [
        "14:02 Alice restarted the primary",
        "14:05 Bob paged the DBA",
    ]
