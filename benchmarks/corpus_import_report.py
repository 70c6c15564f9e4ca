"""How a folder of Markdown postmortems would import: a dry run over every file.

python benchmarks/corpus_import_report.py [FOLDER...] [--tz ZONE] [--severity CODE]

Without a folder it reports on each public postmortem collection found in the corpus folder
beside the checkout (../shared/corpus), one report per collection.

Prints the files found, how many import cleanly (no warnings), with warnings (counted per
warning kind) or are refused (with the reasons), the totals of timeline events, factors and
action items, and the time taken. Nothing is written.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import date
from pathlib import Path

from secondstory.core.postmortem_import import ImportOptions, import_file, postmortem_files
from secondstory.core.postmortem_import.clock import zone_named
from secondstory.core.timeline.sources.base import SourceError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def report(folders: list[Path], options: ImportOptions) -> list[str]:
    started = time.perf_counter()
    found = postmortem_files(folders)
    clean = warned = events = factors = items = 0
    kinds: Counter[str] = Counter()
    files_with: Counter[str] = Counter()
    refused: list[str] = []
    for path in found.files:
        try:
            result = import_file(path, options)
        except SourceError as exc:
            refused.append(str(exc))
            continue
        if result.notes.total:
            warned += 1
            kinds.update(result.notes.counts)
            files_with.update(set(result.notes.counts))
        else:
            clean += 1
        events += result.events
        factors += len(result.record.factors)
        items += len(result.record.action_items)
    elapsed = time.perf_counter() - started
    lines = [
        f"folders: {', '.join(str(f) for f in folders)}",
        f"files: {len(found.files)} (skipped: {len(found.skipped)})",
        f"imported cleanly (no warnings): {clean}",
        f"imported with warnings: {warned}",
    ]
    lines += [
        f"  {kind}: {count} warnings in {files_with[kind]} files"
        for kind, count in sorted(kinds.items())
    ]
    lines.append(f"refused: {len(refused)}")
    lines += [f"  {reason}" for reason in refused]
    lines += [f"  skipped {path}: {why}" for path, why in found.skipped]
    lines += [
        f"timeline events: {events}",
        f"contributing factors: {factors}",
        f"action items: {items}",
        f"time: {elapsed:.2f} s ({elapsed / max(len(found.files), 1) * 1000:.1f} ms per file)",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--tz", default="")
    parser.add_argument("--severity", default="")
    args = parser.parse_args()
    zone = zone_named(args.tz) if args.tz else None
    if args.tz and zone is None:
        parser.error(f"unknown time zone {args.tz!r}")
    options = ImportOptions(
        owner="importer",
        severity=args.severity,
        tz=zone.tz if zone else None,
        today=date.today(),
    )
    if args.folders:
        print("\n".join(report(args.folders, options)))
        return
    collections = [
        folder
        for folder in (CORPUS / "dfds-postmortems", CORPUS / "icco-postmortems" / "data")
        if folder.is_dir()
    ]
    if not collections:
        print(f"no folder given and no collection under {CORPUS}: nothing to report")
    for folder in collections:
        print(f"== {folder.relative_to(CORPUS)}")
        print("\n".join(report([folder], options)))


if __name__ == "__main__":
    main()
