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

At `--scale 100000` (`--reuse`, 5 runs, nothing else running; the checks read 33,092
postmortems from their facts kept per week), computed in process:

    sqlite      every week kept 0.62 s; after one postmortem changed 0.77 s;
                as of a date never asked 1.34 s; no week kept 4.97 s
    postgresql  every week kept 0.67 s (cpu 0.50); after one postmortem changed 0.92 s
                (cpu 0.66); as of a date never asked 1.29 s (cpu 0.96); no week kept 8.21 s
    cached, either engine: 2-4 ms in process; the process 0.92-1.04 s (start-up: 0.45-0.5 s
    of Python and Django on that machine)

The first run also reviews the postmortems the blameless reviewer has never seen (33,150
at 100,000: 3-15 minutes). Figures and what is left: docs/insights.md, "Speed".
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
from datetime import timedelta
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
django.setup()
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from secondstory.actions.models import ActionItem
from secondstory.core.insights.health import evaluate
from secondstory.core.insights.health.render import as_json
from secondstory.insights import health_data

runs = int(sys.argv[1])
today = timezone.localdate()

def once(as_of=today):
    start, cpu = time.perf_counter(), time.process_time()
    data = health_data.build(as_of)
    results = evaluate(data, targets_people=health_data.person_predicate())
    as_json(data.as_of, results)
    return (time.perf_counter() - start, time.process_time() - cpu, len(results),
            len(data.postmortems), len(data.item_sums or data.items), len(data.pairs or ()))

def cached():
    start, cpu = time.perf_counter(), time.process_time()
    as_json(today, health_data.checks(today))
    return time.perf_counter() - start, time.process_time() - cpu

def show(label, times):
    times = sorted(times)
    print(f"  {label}: median {statistics.median(t for t, _ in times):.3f} s "
          f"(cpu {statistics.median(c for _, c in times):.3f}), max {times[-1][0]:.3f} s")

cold = once()
print(f"  {connection.vendor}: {cold[3]} postmortems read, the items of {cold[4]} of them and "
      f"{cold[5]} (service, category) pairs summed; {cold[2]} check results")
print(f"  in-process cold (reviews uncached postmortems, keeps every week): {cold[0]:.3f} s")
show("computed, every week kept", [once()[:2] for _ in range(runs)])
# What a user causes: one postmortem of the last weeks edited (an action item renamed), then
# the checks computed again; its week is read again, the others are kept.
item = ActionItem.objects.filter(
    postmortem__created_at__gte=timezone.now() - timedelta(days=14)).order_by("id").first()
title = item.title
written = []
for run in range(runs):
    ActionItem.objects.filter(pk=item.pk).update(title=f"{title} ({run})")
    written.append(once()[:2])
ActionItem.objects.filter(pk=item.pk).update(title=title)
show("computed after one postmortem changed", written)
# Earlier dates: their year's postmortems never reviewed are reviewed first (once, untimed).
dates = [today - timedelta(days=17 * (run + 1)) for run in range(runs)]
for day in dates:
    health_data.review_unreviewed(day)
show("computed as of a date never asked (today - 17 × run days)", [once(day)[:2] for day in dates])
nothing = []
for _ in range(min(runs, 3)):
    caches["insights"].clear()
    nothing.append(once()[:2])
show("computed with no week kept (a cleared cache)", nothing)
caches["insights"].clear()
health_data.checks(today)
show("cached", [cached() for _ in range(runs)])
"""


def run(env: dict[str, str], runs: int) -> None:
    subprocess.run([sys.executable, "-c", IN_PROCESS, str(runs)], env=env, check=True)
    # The process as an installation runs it: from compiled bytecode (written by a first,
    # untimed run), never compiling the sources at every start.
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [str(SECONDSTORY), "health", "--format", "json"]
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):  # the checks are cached by the in-process runs above
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
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
