"""Slack import speed: messages per second of ``sources.parse`` and the peak memory.

python benchmarks/parse_speed.py [--messages 200000] [--zip]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.slack_export import generate
from secondstory.core.timeline import sources


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--zip", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slack-bench-") as folder:
        path = Path(folder) / ("export.zip" if args.zip else "export")
        generate(path, args.messages, zip=args.zip)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, cpu = time.perf_counter(), time.process_time()
        count = sum(1 for _ in sources.parse(sources.Source(path), fmt="slack"))
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{count} events in {took:.2f} s: {count / took:,.0f} messages/s")
    print(f"CPU time {cpu:.2f} s: {count / cpu:,.0f} messages/s (other load excluded)")
    print(f"peak RSS {peak / 1024:.0f} MiB (after generating: {before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
