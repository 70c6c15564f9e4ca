"""How fast the blameless-language reviewer runs.

Prints the median time to review a ~5,000-word postmortem after warm-up (goal < 50 ms on one
core) and the sentences per second on a long corpus (goal >= 10,000). The text is built from
the demo organisation's narrative sections and timeline steps, with a few blame sentences mixed
in so that the rules do real work.

Example:
    .venv/bin/python benchmarks/review_speed.py
"""

from __future__ import annotations

import re
import statistics
import time

from secondstory.core.demo import narrative
from secondstory.core.demo.themes import WEIGHTED_THEMES
from secondstory.core.review import review
from secondstory.core.review.segment import sentences

SECTIONS = ("summary", "background", "trigger", "detection_text", "response_text")
LISTS = ("impact", "went_well", "went_poorly", "got_lucky", "surprises", "open_questions")


def _fill(text: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "Dana" if "first" in m.group(1) else "12 minutes", text)


def postmortem_chunk() -> str:
    """One pass over every theme: headings, paragraphs, bullet lists and a timeline."""
    parts: list[str] = []
    for i, (theme, _) in enumerate(WEIGHTED_THEMES):
        parts.append(f"# {theme.name}\n")
        for name in SECTIONS:
            parts.append(
                f"## {name.replace('_', ' ').title()}\n\n" + " ".join(getattr(theme, name))
            )
        for name in LISTS:
            items = "\n".join(f"- {line.lstrip('- ')}" for line in getattr(theme, name))
            parts.append(f"## {name.replace('_', ' ').title()}\n\n{items}")
        timeline = "\n".join(
            f"- {10 + k // 60:02d}:{k % 60:02d} {text}"
            for k, text in enumerate(t for step in theme.steps for t in step.texts)
        )
        parts.append(f"## Timeline\n\n{timeline}")
        parts.append(narrative.BLAME_SENTENCES[i % len(narrative.BLAME_SENTENCES)])
    return _fill("\n\n".join(parts) + "\n")


def text_of_words(words: int) -> str:
    chunk = postmortem_chunk()
    repeats = max(1, round(words / len(chunk.split())))
    return "\n".join([chunk] * repeats)


def median_ms(text: str, runs: int = 30) -> float:
    for _ in range(3):
        review(text)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        review(text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    doc = text_of_words(5_000)
    print(f"postmortem: {len(doc.split())} words, {len(sentences(doc))} sentences")
    print(f"median review time: {median_ms(doc):.1f} ms (goal < 50 ms)")
    corpus = text_of_words(300_000)
    count = len(sentences(corpus))
    review(corpus)
    start = time.perf_counter()
    findings = review(corpus)
    elapsed = time.perf_counter() - start
    print(
        f"long corpus: {count} sentences, {len(findings)} findings in {elapsed:.2f} s: "
        f"{count / elapsed:,.0f} sentences/s (goal >= 10,000)"
    )


if __name__ == "__main__":
    main()
