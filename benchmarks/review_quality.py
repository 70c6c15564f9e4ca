"""Quality of the blameless-language reviewer on labelled sentences and paragraphs.

Scores, on the development split (used for tuning):

- ``tests/fixtures/review/dev_set.jsonl``: the first labelled sentences;
- ``tests/fixtures/review/voices_dev.jsonl``: sentences in many voices (paraphrases with
  other verbs, word order, passives, nominalisations; headings, chat and technical terms);
- ``tests/fixtures/review/corpus_sentences.jsonl`` (``split`` "dev"): labelled sentences of
  the public postmortems in ``../shared/corpus``, reviewed in their documents (skipped when
  the corpus is absent);
- paragraphs: ``dev_paragraphs/`` and ``voices_paragraphs/dev/``;
- the person-targeted rule on ``person_targeted/dev.tsv`` and ``heldout.tsv``.

For each set it prints precision, recall, F1 and the Matthews correlation, recall per blame
category, precision per rule (of the sentences a rule flags, the share labelled blame) and the
share left unflagged per must-not-flag category.

``--heldout`` scores the held-out split instead (``holdout_set.jsonl``,
``voices_heldout.jsonl``, the corpus sentences of split "heldout", ``voices_paragraphs/heldout``).
The voices and corpus held-out split was frozen in commit
83099c834ef7023c00e395e0a981fa692c7d958d, before any rule was changed for it; it is reported
once, not tuned on.

A sentence counts as flagged when the engine reports a finding of severity ``blame``,
``hindsight`` or ``tone`` inside it (``info`` is advice, not a flag). A sentence with a
``section`` is reviewed under that Markdown heading. In a paragraph, each labelled substring is
a positive, found when a finding overlaps it; any other finding is a false positive.

    python benchmarks/review_quality.py
    python benchmarks/review_quality.py --show-errors
    python benchmarks/review_quality.py --heldout
"""

from __future__ import annotations

import argparse
import hashlib
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
CORPUS = ROOT.parent / "shared" / "corpus"
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

    def add(self, flagged: bool, blame: bool, label: str) -> None:
        if blame and flagged:
            self.tp += 1
        elif blame:
            self.fn += 1
            self.false_negatives.append(label)
        elif flagged:
            self.fp += 1
            self.false_positives.append(label)
        else:
            self.tn += 1

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


@dataclass
class Breakdown:
    """Per-category and per-rule counts of one labelled set."""

    # category -> [flagged, total]
    categories: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    blame_categories: set[str] = field(default_factory=set)
    # rule -> [on a blame sentence, all flagged sentences]
    rules: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, category: str, blame: bool, rules: set[str]) -> None:
        counts = self.categories[category]
        counts[0] += bool(rules)
        counts[1] += 1
        if blame:
            self.blame_categories.add(category)
        for rule in rules:
            self.rules[rule][0] += blame
            self.rules[rule][1] += 1


def flags(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in FLAG_SEVERITIES]


def sentence_document(example: dict[str, object]) -> tuple[str, int]:
    """The Markdown reviewed for one example, and where the sentence starts in it."""
    section = example.get("section")
    prefix = f"## {section}\n\n" if section else ""
    return prefix + str(example["text"]) + "\n", len(prefix)


def score_sentences(tally: Tally, breakdown: Breakdown, labelled: Path) -> None:
    """Add every labelled sentence of a JSON-lines file to ``tally`` and ``breakdown``."""
    lines = labelled.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        example = json.loads(line)
        document, offset = sentence_document(example)
        found = [f for f in flags(review(document)) if f.end > offset]
        rules = {r for f in found for r in f.rules}
        blame = bool(example["blame"])
        breakdown.add(str(example["category"]), blame, rules)
        label = f"{labelled.name}:{number} [{example['category']}] {example['text']}"
        tally.add(bool(found), blame, label + (f"  <- {', '.join(sorted(rules))}" if rules else ""))


def corpus_labels(split: str) -> list[dict[str, object]] | None:
    """The labelled corpus sentences of one split, or None when the corpus is absent."""
    if not CORPUS.is_dir():
        return None
    lines = (FIXTURES / "corpus_sentences.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [row for row in rows if row["split"] == split]


def score_corpus_sentences(
    tally: Tally, breakdown: Breakdown, rows: list[dict[str, object]]
) -> None:
    """Review each labelled corpus document once; a sentence is flagged when a finding
    overlaps its span."""
    reviewed: dict[str, tuple[str, list[Finding]]] = {}
    for row in rows:
        name = str(row["file"])
        if name not in reviewed:
            text = (CORPUS / name).read_text(encoding="utf-8")
            reviewed[name] = (text, flags(review(text)))
        text, found = reviewed[name]
        start, end = int(str(row["start"])), int(str(row["end"]))
        sentence = text[start:end]
        if hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:16] != row["sha1"]:
            raise SystemExit(f"{name}: the labelled sentence at {start} changed; relabel it")
        rules = {r for f in found if f.start < end and f.end > start for r in f.rules}
        blame = bool(row["blame"])
        breakdown.add(str(row["category"]), blame, rules)
        label = f"{name}@{start} [{row['category']}] {' '.join(sentence.split())[:160]}"
        tally.add(bool(rules), blame, label + (f"  <- {', '.join(sorted(rules))}" if rules else ""))


def score_paragraphs(tally: Tally, rule_hits: list[int], paths: list[Path]) -> None:
    """Add every labelled paragraph to ``tally``."""
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
            rule_hits[0] += any(found[i].rule == expected["rule"] for i in overlapping)
            label = f"{path.parent.name}/{path.name}: [{expected['rule']}] {expected['text']}"
            tally.add(bool(overlapping), True, label)
        for i, finding in enumerate(found):
            if i not in claimed:
                span = text[finding.start : finding.end]
                tally.add(True, False, f"{path.name}:{finding.line}: [{finding.rule}] {span}")


def print_errors(title: str, tally: Tally) -> None:
    print(f"\n== {title} ==\nfalse positives:")
    for line in tally.false_positives or ["(none)"]:
        print(f"  {line}")
    print("false negatives:")
    for line in tally.false_negatives or ["(none)"]:
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


def print_breakdown(breakdown: Breakdown) -> None:
    print("  recall per blame category:")
    for category in sorted(breakdown.blame_categories):
        flagged, total = breakdown.categories[category]
        print(f"    {category:<22} {flagged / total:.3f}  ({flagged}/{total})")
    print("  precision per rule (flagged sentences that are blame):")
    for rule in sorted(breakdown.rules):
        right, total = breakdown.rules[rule]
        print(f"    {rule:<22} {right / total:.3f}  ({right}/{total})")
    print("  left unflagged per must-not-flag category (goal >= 0.95):")
    for category in sorted(set(breakdown.categories) - breakdown.blame_categories):
        flagged, total = breakdown.categories[category]
        print(f"    {category:<22} {(total - flagged) / total:.3f}  ({total - flagged}/{total})")


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
        tally.add(found, label == "1", title)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true", help="List every FP and FN.")
    parser.add_argument(
        "--heldout", action="store_true", help="Score the held-out split (report it once)."
    )
    args = parser.parse_args()
    split = "heldout" if args.heldout else "dev"
    first = "holdout_set.jsonl" if args.heldout else "dev_set.jsonl"
    errors: list[tuple[str, Tally]] = []
    overall = Tally()
    sets = [
        (first, FIXTURES / first),
        (f"voices_{split}.jsonl", FIXTURES / f"voices_{split}.jsonl"),
    ]
    for title, path in sets:
        tally, breakdown = Tally(), Breakdown()
        score_sentences(tally, breakdown, path)
        print_summary(f"{title} ({tally.tp + tally.fp + tally.fn + tally.tn} sentences)", tally)
        print_breakdown(breakdown)
        errors.append((title, tally))
        _merge(overall, tally)
    rows = corpus_labels(split)
    if rows is None:
        print("corpus sentences: skipped (../shared/corpus is absent)")
    else:
        tally, breakdown = Tally(), Breakdown()
        score_corpus_sentences(tally, breakdown, rows)
        print_summary(f"corpus sentences, {split} ({len(rows)})", tally)
        print_breakdown(breakdown)
        errors.append(("corpus sentences", tally))
        _merge(overall, tally)
    print_summary(f"\nall {split} sentences", overall)

    paragraphs = Tally()
    rule_hits = [0, 0]
    paths = sorted((FIXTURES / "voices_paragraphs" / split).glob("*.md"))
    if not args.heldout:
        paths = sorted((FIXTURES / "dev_paragraphs").glob("*.md")) + paths
    score_paragraphs(paragraphs, rule_hits, paths)
    print()
    # Paragraph spans have no true negatives to count, so no Matthews correlation there.
    print_summary(f"paragraphs, {split} ({len(paths)}, labelled spans)", paragraphs, with_mcc=False)
    if rule_hits[1]:
        print(f"  labelled spans found by the labelled rule: {rule_hits[0]}/{rule_hits[1]}")
    errors.append(("paragraphs", paragraphs))

    print("\nperson-targeted action items (tuned on dev only; held-out never used for tuning):")
    for name in ("dev", "heldout"):
        targeted = Tally()
        score_person_targeted(targeted, FIXTURES / "person_targeted" / f"{name}.tsv")
        print_summary(f"  {name}", targeted)
        errors.append((f"person-targeted {name}", targeted))

    if args.show_errors:
        for title, tally in errors:
            print_errors(title, tally)


def _merge(into: Tally, tally: Tally) -> None:
    into.tp += tally.tp
    into.fp += tally.fp
    into.fn += tally.fn
    into.tn += tally.tn


if __name__ == "__main__":
    main()
