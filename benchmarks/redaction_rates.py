"""How well redaction does on the corpus of secrets and look-alikes.

Prints the share of secrets redacted (gone, every word of them, with a marker of their kind)
and the share of look-alikes kept unchanged (commit SHAs, UUIDs, trace ids, base64 images,
prose about passwords, command lines without credentials), with each miss by its line, and
the redaction speed over the corpus. The corpus is tests/fixtures/redact/*.corpus.

Example:
    .venv/bin/python benchmarks/redaction_rates.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from secondstory.core.timeline.redact import Redactor
from tests.core.timeline.redaction_corpus import (
    kept,
    look_alikes,
    must_redact,
    redacted_well,
)


def main() -> None:
    cases = must_redact()
    alikes = look_alikes()
    by_kind: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for case in cases:
        by_kind[case.kind] += 1
        ok, out = redacted_well(case)
        hits[case.kind] += ok
        if not ok:
            print(f"  missed  must_redact.corpus:{case.line}: {out}")
    kept_count = 0
    for line, text in alikes:
        ok, out = kept(text)
        kept_count += ok
        if not ok:
            print(f"  changed look_alikes.corpus:{line}: {out}")
    redacted = sum(hits.values())
    print(f"secrets redacted   : {redacted}/{len(cases)} = {redacted / len(cases):.1%}")
    for kind in sorted(by_kind):
        print(f"  {kind:<18}: {hits[kind]}/{by_kind[kind]}")
    print(f"look-alikes kept   : {kept_count}/{len(alikes)} = {kept_count / len(alikes):.1%}")
    texts = [case.text for case in cases] + [text for _, text in alikes]
    rounds = 200
    start = time.perf_counter()
    for _ in range(rounds):
        redactor = Redactor()
        for text in texts:
            redactor.text(text)
    elapsed = time.perf_counter() - start
    print(f"speed on the corpus: {len(texts) * rounds / elapsed:,.0f} lines/s")


if __name__ == "__main__":
    main()
