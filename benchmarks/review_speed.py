"""How fast the blameless-language reviewer runs.

Prints the median time to review a ~5,000-word postmortem after warm-up (goal < 50 ms on one
core) and the sentences per second on a long corpus (goal >= 10,000). The text is built from
the demo organisation's narrative sections and timeline steps, with a few blame sentences mixed
in so that the rules do real work.

It then reviews pathological inputs at doubling sizes, so that growth is visible: a Markdown
table (up to ~100 kB, the section limit), a table 500 columns wide, 50,000 short lines, one
long line without a sentence end, and long runs of what the hindsight and counterfactual rules
look for. Linear work shows as a time ratio near 2 from one size to the next.

Example:
    .venv/bin/python benchmarks/review_speed.py
    .venv/bin/python benchmarks/review_speed.py --pathological-only
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable

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


def table(rows: int, columns: int = 6, cell: str = "") -> str:
    """A timeline table: a time, then a sentence in every other column."""
    head = "| " + " | ".join(f"Column {c}" for c in range(columns)) + " |\n"
    rule = "|" + "---|" * columns + "\n"
    row = cell or "the on-call engineer restarted the primary and watched the replication lag"
    body = "".join(
        "| " + " | ".join(f"10:{r % 60:02d}" if c == 0 else row for c in range(columns)) + " |\n"
        for r in range(rows)
    )
    return "## Timeline\n\n" + head + rule + body


def short_lines(count: int) -> str:
    """Very short lines (3.5 characters on average) without a sentence end: one paragraph."""
    return "".join("had\n" if i % 2 else "it\n" for i in range(count))


def counterfactual_lines(count: int) -> str:
    """Short lines without a sentence end, each with a counterfactual: one long paragraph."""
    return "".join(f"Dana would have caught it {i}\n" for i in range(count))


def long_line(repeats: int) -> str:
    return " ".join(["the queue grew and the workers kept retrying"] * repeats) + "\n"


def hindsight_run(repeats: int) -> str:
    return " ".join(["obviously the signs were all there and of course clearly"] * repeats)


def counterfactual_run(repeats: int) -> str:
    phrase = "Dana would have caught it and the engineer failed to check and accidentally"
    return " ".join([phrase] * repeats)


def action_item_run(repeats: int) -> str:
    """One action item repeating what the person-targeted rule looks for."""
    phrase = "remind the the on-call team to be more careful and make sure all the new engineers"
    return "## Action items\n\n- [ ] " + " ".join([phrase] * repeats) + "\n"


PATHOLOGICAL: list[tuple[str, Callable[[int], str], tuple[int, ...]]] = [
    ("table rows (6 columns)", table, (60, 120, 240)),
    ("table columns (5 rows)", lambda n: table(5, n, "Dana restarted it"), (125, 250, 500)),
    ("short lines", short_lines, (12_500, 25_000, 50_000)),
    ("counterfactual lines", counterfactual_lines, (1_000, 2_000, 4_000)),
    ("one long line", long_line, (500, 1_000, 2_000)),
    ("hindsight run", hindsight_run, (500, 1_000, 2_000)),
    ("counterfactual run", counterfactual_run, (250, 500, 1_000)),
    ("action item run", action_item_run, (250, 500, 1_000)),
]


def pathological(only: str = "") -> None:
    print("pathological inputs (time per review; ratio to the previous size):")
    for name, build, sizes in PATHOLOGICAL:
        if only and not name.startswith(only):
            continue
        previous = 0.0
        for size in sizes:
            text = build(size)
            start = time.perf_counter()
            found = review(text)
            elapsed = time.perf_counter() - start
            ratio = f"x{elapsed / previous:.1f}" if previous else ""
            print(
                f"  {name:24} {size:>7,}  {len(text):>9,} chars  {len(found):>6} findings"
                f"  {elapsed:8.2f} s  {ratio}",
                flush=True,
            )
            previous = elapsed


def main() -> None:
    args = sys.argv[1:]
    if "--case" in args:  # one family of inputs, e.g. --case "table columns"
        pathological(args[args.index("--case") + 1])
        return
    if "--pathological-only" not in args:
        typical()
    pathological()


def typical() -> None:
    doc = text_of_words(5_000)
    print(f"postmortem: {len(doc.split())} words, {len(sentences(doc))} sentences")
    print(f"median review time: {median_ms(doc):.1f} ms (goal < 50 ms)")
    # 300,000 words, reviewed as six documents of 50,000 words (one review call reads at
    # most 1,000,000 characters).
    part = text_of_words(50_000)
    corpus = [part] * 6
    count = sum(len(sentences(text)) for text in corpus)
    review(part)
    start = time.perf_counter()
    findings = sum(len(review(text)) for text in corpus)
    elapsed = time.perf_counter() - start
    print(
        f"long corpus: {count} sentences, {findings} findings in {elapsed:.2f} s: "
        f"{count / elapsed:,.0f} sentences/s (goal >= 10,000)"
    )


if __name__ == "__main__":
    main()
