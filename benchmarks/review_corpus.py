"""Precision of the blameless-language reviewer on whole real documents.

Reviews every postmortem and template in ``../shared/corpus`` (Markdown files, and the
extension-less postmortem files beside them), as a user who pastes a whole document would,
and prints how many findings each rule makes and the share of findings that are defensible
(goal: at least 0.8). Each finding is judged by hand; the judgements are kept in
``tests/fixtures/review/corpus_findings.jsonl``, one a line: ``file`` (relative to the
corpus), ``rule``, ``sha1`` (first 16 hex digits of the SHA-1 of the finding's sentence as it
stands in the file), ``defensible`` and a short ``why``. A finding without a judgement is
reported as unjudged and counted apart; ``--unjudged`` prints them so they can be judged.

Exits quietly with a note when the corpus is absent.

    python benchmarks/review_corpus.py
    python benchmarks/review_corpus.py --unjudged
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from secondstory.core.review import Finding, review  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
JUDGEMENTS = ROOT / "tests" / "fixtures" / "review" / "corpus_findings.jsonl"
FLAG_SEVERITIES = frozenset({"blame", "hindsight", "tone"})


def documents() -> list[Path]:
    """Every prose document of the corpus (licences and collection READMEs left out)."""
    return sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file()
        and p.suffix in {".md", ""}
        and p.name not in {"LICENSE", "README.md"}
        and p.parent != CORPUS
    )


def key(name: str, finding: Finding) -> tuple[str, str, str]:
    """What a judgement is keyed by: the file, the rule and the finding's sentence."""
    digest = hashlib.sha1(finding.sentence.encode("utf-8")).hexdigest()[:16]
    return name, finding.rule, digest


def judgements() -> dict[tuple[str, str, str], dict[str, object]]:
    if not JUDGEMENTS.exists():
        return {}
    rows = [json.loads(line) for line in JUDGEMENTS.read_text(encoding="utf-8").splitlines()]
    return {(str(r["file"]), str(r["rule"]), str(r["sha1"])): r for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unjudged", action="store_true", help="Print unjudged findings.")
    parser.add_argument(
        "--all", action="store_true", help="Print every finding with its judgement."
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print("../shared/corpus is absent: nothing to review")
        return
    judged = judgements()
    per_rule: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    words = 0
    started = time.perf_counter()
    paths = documents()
    for path in paths:
        name = str(path.relative_to(CORPUS))
        text = path.read_text(encoding="utf-8")
        words += len(text.split())
        for finding in review(text):
            if finding.severity not in FLAG_SEVERITIES:
                continue
            per_rule[finding.rule] += 1
            row = judged.get(key(name, finding))
            verdict = "unjudged" if row is None else ("yes" if row["defensible"] else "no")
            verdicts[verdict] += 1
            span = text[finding.start : finding.end]
            if args.all or (args.unjudged and row is None):
                _, rule, digest = key(name, finding)
                sentence = " ".join(finding.sentence.split())
                print(f"[{verdict}] {name} {rule} {digest} «{span}» {sentence[:300]}")
    elapsed = time.perf_counter() - started
    total = sum(verdicts.values())
    judged_total = verdicts["yes"] + verdicts["no"]
    print(f"documents: {len(paths)}, words: {words:,}, reviewed in {elapsed:.2f} s")
    print(f"findings: {total} ({', '.join(f'{r} {n}' for r, n in per_rule.most_common())})")
    share = verdicts["yes"] / judged_total if judged_total else 0.0
    print(
        f"defensible: {verdicts['yes']}/{judged_total} judged = {share:.3f} (goal >= 0.8); "
        f"not defensible: {verdicts['no']}; unjudged: {verdicts['unjudged']}"
    )


if __name__ == "__main__":
    main()
