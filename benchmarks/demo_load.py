"""Time and peak memory of `secondstory demo` and `secondstory demo --scale N`.

Each run uses a fresh SQLite data directory. Peak memory is the largest
resident set of any child process so far. Prints one line per run.

    python benchmarks/demo_load.py               # demo, then --scale 10000
    python benchmarks/demo_load.py --scale 100000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECONDSTORY = Path(sys.executable).with_name("secondstory")


def run(args: list[str], home: str) -> tuple[float, float]:
    """Wall time in seconds and peak resident memory in MiB of one command."""
    env = {**os.environ, "SECONDSTORY_HOME": home}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([str(SECONDSTORY), *args], env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        run(["django", "migrate", "--verbosity", "0"], home)
        seconds, _ = run(["demo"], home)
        print(f"secondstory demo: {seconds:.1f} s")
        seconds, _ = run(["demo"], home)
        print(f"secondstory demo (second run, nothing new): {seconds:.1f} s")
    with tempfile.TemporaryDirectory() as home:
        run(["django", "migrate", "--verbosity", "0"], home)
        seconds, peak = run(["demo", "--scale", str(options.scale), "--no-login"], home)
        rate = options.scale / seconds
        size = Path(home, "secondstory.sqlite3").stat().st_size / 2**20
        print(
            f"secondstory demo --scale {options.scale}: {seconds:.1f} s "
            f"({rate:,.0f} incidents/s), peak memory {peak:.0f} MiB, database {size:.0f} MiB"
        )


if __name__ == "__main__":
    main()
