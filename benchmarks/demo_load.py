"""Time and peak memory of `secondstory demo` and `secondstory demo --scale N`.

Each run uses a fresh SQLite data directory, or with ``--postgres URL`` a fresh
PostgreSQL database of that name (created, and dropped afterwards). Peak memory is
the largest resident set of any child process so far; CPU is the loader process's own
(on PostgreSQL the server's work is not in it). Prints one line per run, with the
load average, since a shared machine slows the wall time down.

    python benchmarks/demo_load.py               # demo, then --scale 10000
    python benchmarks/demo_load.py --scale 3000 --no-demo
    python benchmarks/demo_load.py --scale 3000 --no-demo \\
        --postgres postgres://postgres@127.0.0.1:5432/ss_bench
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
from urllib.parse import urlsplit, urlunsplit

SECONDSTORY = Path(sys.executable).with_name("secondstory")
COUNT = (
    "from secondstory.incidents.models import Incident; "
    "from secondstory.postmortems.models import Postmortem; "
    "print(Incident.objects.count(), Postmortem.objects.count())"
)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory in MiB of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(SECONDSTORY), *args], env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu, max(after.ru_maxrss, before.ru_maxrss) / 1024


def counts(env: dict[str, str]) -> tuple[int, int]:
    """(incidents, postmortems) in the database."""
    out = subprocess.run(
        [str(SECONDSTORY), "django", "shell", "-c", COUNT],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[-2]), int(out[-1])


def postgres(url: str, statement: str) -> None:
    """Run one statement on the server of ``url``, connected to its ``postgres`` database."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(statement)


def scale(count: int, home: str, url: str | None) -> None:
    env = {**os.environ, "SECONDSTORY_HOME": home}
    env.pop("SECONDSTORY_DATABASE_URL", None)
    name = ""
    if url:
        name = urlsplit(url).path.lstrip("/")
        postgres(url, f'DROP DATABASE IF EXISTS "{name}"')
        postgres(url, f'CREATE DATABASE "{name}"')
        env["SECONDSTORY_DATABASE_URL"] = url
    try:
        run(["django", "migrate", "--verbosity", "0"], env)
        seconds, cpu, peak = run(["demo", "--scale", str(count), "--no-login"], env)
        load = os.getloadavg()[0]
        incidents, postmortems = counts(env)
        if url:
            where = f"PostgreSQL {name}"
        else:
            size = Path(home, "secondstory.sqlite3").stat().st_size / 2**20
            where = f"SQLite, database {size:.0f} MiB"
        print(
            f"secondstory demo --scale {count} ({where}): {seconds:.1f} s, "
            f"{incidents / seconds * 60:,.0f} incidents/min "
            f"({postmortems / seconds * 60:,.0f} postmortems/min; {incidents:,} incidents), "
            f"CPU of the loader {cpu:.1f} s ({cpu / postmortems * 1000:.2f} ms per postmortem), "
            f"peak memory {peak:.0f} MiB, load average {load:.1f}"
        )
    finally:
        if url:
            postgres(url, f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--no-demo", action="store_true", help="only the --scale run")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="load into this PostgreSQL database (created and dropped) instead of SQLite",
    )
    options = parser.parse_args()
    if not options.no_demo:
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "SECONDSTORY_HOME": home}
            env.pop("SECONDSTORY_DATABASE_URL", None)
            run(["django", "migrate", "--verbosity", "0"], env)
            seconds, _, _ = run(["demo"], env)
            print(f"secondstory demo: {seconds:.1f} s")
            seconds, _, _ = run(["demo"], env)
            print(f"secondstory demo (second run, nothing new): {seconds:.1f} s")
    with tempfile.TemporaryDirectory() as home:
        scale(options.scale, home, options.postgres)


if __name__ == "__main__":
    main()
