"""Speed of the learning-health diagnostic on a large organisation, per database.

Fills a fresh data directory with `secondstory demo --scale N` (or measures an existing one
with --reuse HOME), then times the diagnostic several times:

- in-process, computed: `health_data.build` + `evaluate` + rendering JSON, the work behind
  both the command and /insights/health/ when the data changed (the first run also reviews
  postmortems the blameless reviewer has never seen and caches their findings; it is printed
  apart as "cold");
- in-process, cached: `health_data.checks` + rendering JSON while the data is unchanged;
- the whole `secondstory health --format json` process (cached), interpreter start-up
  included, wall and CPU.

SQLite always; PostgreSQL too when SECONDSTORY_DATABASE_URL is set (that database is filled
the same way, so give it a database of its own; --postgres-only skips SQLite).

    python benchmarks/health_speed.py --scale 10000
    python benchmarks/health_speed.py --reuse ~/.secondstory-bench --runs 5

Measured on `demo --scale 10000` (10,348 incidents, 10,000 postmortems, 24,269 action items;
the checks read 3,284 postmortems and 8,010 items of the last year), 2 shared cores:

    before (first version)  sqlite  in-process warm 4.33 s, process 6.96 s
    uncached                sqlite  in-process warm 1.02 s (max 1.09), process 2.24 s
    uncached                postgresql  in-process warm 1.28 s (max 1.31), process 2.63 s
    cold (reviewing 3,284 never-reviewed postmortems once): sqlite 84 s, postgresql 121 s

With the cache, on the same data but a machine at load average 11-15 (wall times there are
mostly waiting for a core; CPU is the steadier figure), 3 runs:

    sqlite      computed 9.66 s (cpu 0.61)   cached 0.210 s (cpu 0.017)
                process, cached 11.4 s (cpu 0.68)
    postgresql  computed 7.06 s (cpu 0.57)   cached 0.116 s (cpu 0.005)
                process, cached 10.6 s (cpu 0.85)

At `--scale 100000` on SQLite (33,150 postmortems and 81,038 items read), load 2-5:

    sqlite      computed 6.43 s (cpu 5.25)   cached 0.159 s (cpu 0.118)
                process, cached 0.666 s (cpu 0.591)
    first run: reviewing 24,985 never-reviewed postmortems took about 7 minutes

Again at `--scale 100000` on SQLite (`--reuse`, 2 runs, load about 5), before → after the
never-reviewed lookup ran once per state of the data and the ids went into subqueries:

    sqlite      computed 13.6 s (cpu 6.54) → 11.0 s (cpu 5.63)
                cached 0.242 s (cpu 0.119) → 0.003 s (cpu 0.002)
                process, cached 2.18 s (cpu 1.05) → 1.84 s (cpu 0.89)
    postgresql  computed 10.9 s (cpu 5.76) → 7.81 s (cpu 3.34)     (load 2.5-3)
                cached 0.176 s (cpu 0.010) → 0.004 s (cpu 0.003)
                process, cached 1.20 s (cpu 0.93) → 0.91 s (cpu 0.89)

At load average 4-7 the cached process at 10,000 took 0.63-0.86 s (cpu 0.5) on SQLite and
1.6-2.2 s (cpu 0.6) on PostgreSQL. The process figure is nearly all starting Python and
Django.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECONDSTORY = Path(sys.executable).with_name("secondstory")

IN_PROCESS = """
import os, statistics, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
django.setup()
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from secondstory.core.insights.health import evaluate
from secondstory.core.insights.health.render import as_json
from secondstory.insights import health_data

def once():
    start, cpu = time.perf_counter(), time.process_time()
    data = health_data.build(timezone.localdate())
    results = evaluate(data, targets_people=health_data.person_predicate())
    as_json(data.as_of, results)
    return (time.perf_counter() - start, time.process_time() - cpu, len(results),
            len(data.postmortems), len(data.items))

def cached():
    start, cpu = time.perf_counter(), time.process_time()
    as_json(timezone.localdate(), health_data.checks(timezone.localdate()))
    return time.perf_counter() - start, time.process_time() - cpu

cold = once()
warm = sorted(once()[:2] for _ in range(int(sys.argv[1])))
print(f"  {connection.vendor}: rows read: {cold[3]} postmortems, {cold[4]} action items; "
      f"{cold[2]} check results")
print(f"  in-process cold (reviews uncached postmortems): {cold[0]:.3f} s")
print(f"  in-process computed: median {statistics.median(t for t, _ in warm):.3f} s "
      f"(cpu {statistics.median(c for _, c in warm):.3f}), max {warm[-1][0]:.3f} s")
caches["insights"].clear()
health_data.checks(timezone.localdate())
hits = sorted(cached() for _ in range(int(sys.argv[1])))
print(f"  in-process cached: median {statistics.median(t for t, _ in hits):.3f} s "
      f"(cpu {statistics.median(c for _, c in hits):.3f})")
"""


def run(env: dict[str, str], runs: int) -> None:
    subprocess.run([sys.executable, "-c", IN_PROCESS, str(runs)], env=env, check=True)
    walls, cpus = [], []
    for _ in range(runs):  # the checks are cached by the in-process runs above
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [str(SECONDSTORY), "health", "--format", "json"],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(time.perf_counter() - start)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(
        f"  `secondstory health --format json` process, cached: median "
        f"{statistics.median(walls):.3f} s (cpu {statistics.median(cpus):.3f})"
    )


def fill(env: dict[str, str], scale: int) -> None:
    start = time.perf_counter()
    subprocess.run(
        [str(SECONDSTORY), "demo", "--scale", str(scale), "--no-login"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"  filled with demo --scale {scale} in {time.perf_counter() - start:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", type=Path, help="measure this SECONDSTORY_HOME as it is")
    parser.add_argument(
        "--postgres-only", action="store_true", help="skip SQLite (with SECONDSTORY_DATABASE_URL)"
    )
    args = parser.parse_args()
    home = args.reuse or Path(tempfile.mkdtemp(prefix="health-bench-"))
    postgres = os.environ.get("SECONDSTORY_DATABASE_URL", "")
    base = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_DATABASE_URL"}
    engines = [("sqlite", {**base, "SECONDSTORY_HOME": str(home)})]
    if postgres:
        engines.append(("postgresql", {**engines[0][1], "SECONDSTORY_DATABASE_URL": postgres}))
    if args.postgres_only:
        engines = engines[1:]
    for name, env in engines:
        print(f"{name}:")
        if args.reuse is None:
            fill(env, args.scale)
        run(env, args.runs)


if __name__ == "__main__":
    main()
