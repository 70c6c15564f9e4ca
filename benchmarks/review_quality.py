"""Quality of the blameless-language reviewer on the labelled development set.

Reads ``tests/fixtures/review/dev_set.jsonl`` (one labelled sentence a line) and
``tests/fixtures/review/dev_paragraphs/*.md`` with their ``.labels.json``, runs
the engine over each, and prints precision, recall, F1 and the Matthews
correlation overall, recall per blame category and the share left unflagged per
must-not-flag category; then the person-targeted rule on the labelled action-item
titles of ``tests/fixtures/review/person_targeted/`` (dev and held-out).

A sentence counts as flagged when the engine reports a finding of severity
``blame``, ``hindsight`` or ``tone`` inside it (``info`` is advice, not a flag).
A sentence with a ``section`` is reviewed under that Markdown heading, so that
action items and timelines get their context.

In a paragraph, each labelled substring is a positive: it is found when a
finding of that rule overlaps it (any rule counts for the overall figures). Any
other finding in the paragraph is a false positive.

    python benchmarks/review_quality.py
    python benchmarks/review_quality.py --show-errors
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from secondstory.core.review import Finding, review  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "review"
FLAG_SEVERITIES = frozenset({"blame", "hindsight", "tone"})


@dataclass
class Tally:
    """Confusion counts, plus the examples behind the errors."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

    def mcc(self) -> float:
        tp, fp, fn, tn = self.tp, self.fp, self.fn, self.tn
        denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return (tp * tn - fp * fn) / denominator if denominator else 0.0


def flags(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in FLAG_SEVERITIES]


def sentence_document(example: dict[str, object]) -> tuple[str, int]:
    """The Markdown reviewed for one example, and where the sentence starts in it."""
    section = example.get("section")
    prefix = f"## {section}\n\n" if section else ""
    return prefix + str(example["text"]) + "\n", len(prefix)


def score_sentences(
    tally: Tally, per_category: dict[str, list[int]], labelled: Path = FIXTURES / "dev_set.jsonl"
) -> None:
    """Add every labelled sentence to ``tally``; ``per_category`` gets [flagged, total]."""
    lines = labelled.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        example = json.loads(line)
        document, offset = sentence_document(example)
        found = [f for f in flags(review(document)) if f.end > offset]
        flagged, blame = bool(found), bool(example["blame"])
        counts = per_category[str(example["category"])]
        counts[0] += flagged
        counts[1] += 1
        label = f"{labelled.name}:{number} [{example['category']}] {example['text']}"
        if blame and flagged:
            tally.tp += 1
        elif blame:
            tally.fn += 1
            tally.false_negatives.append(label)
        elif flagged:
            tally.fp += 1
            rules = ", ".join(sorted({r for f in found for r in f.rules}))
            tally.false_positives.append(f"{label}  <- {rules}")
        else:
            tally.tn += 1


def score_paragraphs(tally: Tally, rule_hits: list[int]) -> int:
    """Add every labelled paragraph to ``tally``; returns the number of paragraphs."""
    paths = sorted((FIXTURES / "dev_paragraphs").glob("*.md"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        labels = json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))
        found = flags(review(text))
        claimed: set[int] = set()
        for expected in labels["flagged"]:
            start = text.index(expected["text"])
            end = start + len(expected["text"])
            overlapping = [i for i, f in enumerate(found) if f.start < end and f.end > start]
            claimed.update(overlapping)
            rule_hits[1] += 1
            rule_hits[0] += any(expected["rule"] in found[i].rules for i in overlapping)
            if overlapping:
                tally.tp += 1
            else:
                tally.fn += 1
                tally.false_negatives.append(
                    f"{path.name}: [{expected['rule']}] {expected['text']}"
                )
        for i, finding in enumerate(found):
            if i not in claimed:
                tally.fp += 1
                span = text[finding.start : finding.end]
                tally.false_positives.append(f"{path.name}:{finding.line}: [{finding.rule}] {span}")
    return len(paths)


def print_errors(tally: Tally) -> None:
    print("\nfalse positives:")
    for line in tally.false_positives or ["  (none)"]:
        print(f"  {line}")
    print("\nfalse negatives:")
    for line in tally.false_negatives or ["  (none)"]:
        print(f"  {line}")


def print_summary(title: str, tally: Tally, *, with_mcc: bool = True) -> None:
    mcc = f"MCC {tally.mcc():.3f}  " if with_mcc else ""
    counts = f"tp {tally.tp}, fp {tally.fp}, fn {tally.fn}" + (
        f", tn {tally.tn}" if with_mcc else ""
    )
    print(
        f"{title}: precision {tally.precision():.3f}  recall {tally.recall():.3f}  "
        f"F1 {tally.f1():.3f}  {mcc}({counts})"
    )


def score_person_targeted(tally: Tally, labelled: Path) -> None:
    """Action-item titles (``label<TAB>title``), each reviewed as a task under "Action items";
    flagged when the engine reports a ``person-targeted`` finding."""
    for line in labelled.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, title = line.split("\t", 1)
        found = any(
            f.rule == "person-targeted" for f in review(f"## Action items\n\n- [ ] {title}\n")
        )
        wanted = label == "1"
        tally.tp += found and wanted
        tally.fp += found and not wanted
        tally.fn += wanted and not found
        tally.tn += not found and not wanted
        if found != wanted:
            (tally.false_positives if found else tally.false_negatives).append(title)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true", help="List every FP and FN.")
    parser.add_argument(
        "--set",
        type=Path,
        default=FIXTURES / "dev_set.jsonl",
        help="Labelled sentences to score (default: the development set; "
        "tests/fixtures/review/holdout_set.jsonl was never used for tuning).",
    )
    args = parser.parse_args()

    sentences = Tally()
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    score_sentences(sentences, per_category, args.set)
    blame_categories = {
        str(json.loads(line)["category"])
        for line in args.set.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["blame"]
    }
    print_summary(f"sentences ({sum(c[1] for c in per_category.values())})", sentences)
    print("\nrecall per blame category:")
    for category in sorted(blame_categories):
        flagged, total = per_category[category]
        print(f"  {category:<22} {flagged / total:.3f}  ({flagged}/{total})")
    print("\nleft unflagged per must-not-flag category (goal >= 0.95):")
    for category in sorted(set(per_category) - blame_categories):
        flagged, total = per_category[category]
        print(f"  {category:<22} {(total - flagged) / total:.3f}  ({total - flagged}/{total})")

    paragraphs = Tally()
    rule_hits = [0, 0]
    count = score_paragraphs(paragraphs, rule_hits)
    print()
    # Paragraph spans have no true negatives to count, so no Matthews correlation there.
    print_summary(f"paragraphs ({count}, labelled spans)", paragraphs, with_mcc=False)
    if rule_hits[1]:
        print(f"  labelled spans found by the labelled rule: {rule_hits[0]}/{rule_hits[1]}")

    targeted: dict[str, Tally] = {}
    print("\nperson-targeted action items (tuned on dev only; held-out never used for tuning):")
    for split in ("dev", "heldout"):
        targeted[split] = Tally()
        score_person_targeted(targeted[split], FIXTURES / "person_targeted" / f"{split}.tsv")
        print_summary(f"  {split}", targeted[split])

    if args.show_errors:
        for split, tally in targeted.items():
            print(f"\n== person-targeted {split} ==", end="")
            print_errors(tally)
        print("\n== sentences ==", end="")
        print_errors(sentences)
        print("\n== paragraphs ==", end="")
        print_errors(paragraphs)


if __name__ == "__main__":
    main()
