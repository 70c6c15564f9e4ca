"""Search speed on a large organisation, per database, against `grep -ril` over an export.

Fills a fresh data directory with `secondstory demo --scale N` (or measures an
existing one with --reuse HOME), then runs a fixed mix of 1-3 word queries,
phrases and filtered queries, each several times, in-process through the search
engine, as an operator (no visibility check) and as a team member who is not
staff, and prints p50/p95 for the results page (count, ranking, snippets) and,
separately, for the facet counts, which the search page loads after its results.
SQLite always; PostgreSQL too when SECONDSTORY_DATABASE_URL is set (that database
is filled the same way, so give it a database of its own; with --reuse, PostgreSQL
is measured as it is).
Finally it exports the SQLite data as Markdown with `secondstory export` and runs
the same queries with `grep -ril` (one grep per word or phrase, AND-ed through
xargs), printing p50/p95 and the ratio grep p50 / SQLite p50 (member).

    python benchmarks/search_speed.py                  # --scale 100000
    python benchmarks/search_speed.py --scale 10000 --runs 5
    python benchmarks/search_speed.py --reuse ~/.secondstory-bench
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECONDSTORY = Path(sys.executable).with_name("secondstory")

QUERIES = [
    "timeout",
    "failover",
    "certificate",
    "runbook",
    "autoscaler",
    "connection pool",
    "replica lag",
    "dns ttl",
    "paging alert noise",
    "vendor retry storm",
    '"transaction pooler"',
    '"connection pool"',
    '"certificate expired"',
    '"feature flag"',
    "service:checkout-api timeout",
    "severity:SEV1 failover",
    "factor:technical pool",
    "team:platform deploy",
    "status:published after:2025-01",
    "failover service:orders-db after:2024 before:2026",
    "timeout -checkout",
    'runbook -"connection pool" severity:SEV2',
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(label: str, times: list[float]) -> None:
    p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
    print(f"{label:<34} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   ({len(times)} runs)")


def measure(runs: int) -> None:
    """Child mode: time the queries in this process and print JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
    import django

    django.setup()
    from django.db import connection

    from secondstory.accounts.models import User
    from secondstory.core.search.query import parse
    from secondstory.library.search import facets, matcher, search
    from secondstory.postmortems.models import Postmortem

    # A member of a team, not staff: visibility is checked for every match.
    member = (
        User.objects.filter(is_staff=False, is_superuser=False, teams__isnull=False)
        .order_by("pk")
        .first()
    )
    result: dict[str, object] = {
        "vendor": connection.vendor,
        "postmortems": Postmortem.objects.count(),
        "totals": {},
        "medians": {},
    }
    for label, user in (("operator", None), ("member", member)):
        pages: list[float] = []
        facet_times: list[float] = []
        for text in QUERIES:
            search(text, user=user)  # warm the caches once
            query = parse(text)
            for _ in range(runs):
                started = time.perf_counter()
                results = search(text, user=user, with_facets=False)
                pages.append(time.perf_counter() - started)
                started = time.perf_counter()
                facets(matcher(query, user), query)
                facet_times.append(time.perf_counter() - started)
            result["totals"][f"{label}: {text}"] = results.total  # type: ignore[index]
            result["medians"][f"{label}: {text}"] = percentile(  # type: ignore[index]
                pages[-runs:], 0.5
            )
        result[f"{label} page"] = pages
        result[f"{label} facets"] = facet_times
    print(json.dumps(result))


def _slowest(data: dict[str, object], count: int) -> None:
    """The ``count`` queries with the slowest median results page, and their match counts."""
    medians: dict[str, float] = data["medians"]  # type: ignore[assignment]
    totals: dict[str, int] = data["totals"]  # type: ignore[assignment]
    for key in sorted(medians, key=medians.__getitem__, reverse=True)[:count]:
        print(f"    {medians[key] * 1000:7.1f} ms  {totals[key]:>7} matches  {key}")


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(SECONDSTORY), *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def fill(home: str, scale: int, env: dict[str, str]) -> None:
    seconds = run(["demo", "--scale", str(scale), "--no-login"], env)
    print(
        f"secondstory demo --scale {scale} ({env.get('SECONDSTORY_DATABASE_URL', 'SQLite')}): "
        f"{seconds:.0f} s, search index included"
    )
    started = time.perf_counter()
    reindex = "from secondstory.cli.search import reindex_command; reindex_command()"
    subprocess.run(
        [sys.executable, "-c", reindex], env=env, cwd=ROOT, check=True, capture_output=True
    )
    print(f"secondstory reindex: {time.perf_counter() - started:.0f} s")


def timed_child(env: dict[str, str], runs: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", "--runs", str(runs)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return data


def grep_command(text: str, directory: str) -> str:
    """The query as a chain of case-insensitive fixed-string greps (filters: their values)."""
    import re

    patterns = []
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', text):
        piece = quoted or bare
        if piece.startswith("-"):
            continue
        patterns.append(piece.split(":", 1)[1].strip('"') if ":" in piece else piece)
    first, *rest = patterns
    chain = f"grep -ril -F -e {shlex.quote(first)} {shlex.quote(directory)}"
    for pattern in rest:
        chain += f" | xargs -r grep -il -F -e {shlex.quote(pattern)}"
    return chain


def grep_times(directory: str, runs: int) -> list[float]:
    times = []
    for text in QUERIES:
        command = grep_command(text, directory)
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--reuse", metavar="HOME", help="measure this existing data directory")
    parser.add_argument("--runs", type=int, default=5, help="runs of each query")
    parser.add_argument(
        "--no-grep", action="store_true", help="skip the export and the grep comparison"
    )
    parser.add_argument(
        "--postgres-only",
        action="store_true",
        help="measure only the PostgreSQL database of SECONDSTORY_DATABASE_URL",
    )
    parser.add_argument(
        "--slowest", type=int, default=0, metavar="N", help="also print the N slowest queries"
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure(options.runs)
        return
    home = options.reuse or tempfile.mkdtemp(prefix="secondstory-search-")
    postgres = os.environ.get("SECONDSTORY_DATABASE_URL", "")
    sqlite_env = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_DATABASE_URL"}
    sqlite_env["SECONDSTORY_HOME"] = home
    backends = [] if options.postgres_only else [("SQLite", sqlite_env)]
    if options.postgres_only and not postgres:
        parser.error("--postgres-only needs SECONDSTORY_DATABASE_URL")
    if postgres:
        backends.append(("PostgreSQL", {**sqlite_env, "SECONDSTORY_DATABASE_URL": postgres}))
    print(f"{len(QUERIES)} queries × {options.runs} runs; data directory {home}")
    sqlite_p50 = 0.0
    for name, env in backends:
        if not options.reuse:
            fill(home, options.scale, env)
        data = timed_child(env, options.runs)
        print(f"{name}: {data['postmortems']} postmortems")
        for who in ("operator", "member"):
            report(f"{name} results page ({who})", data[f"{who} page"])  # type: ignore[arg-type]
            report(f"{name} facet counts ({who})", data[f"{who} facets"])  # type: ignore[arg-type]
        _slowest(data, options.slowest)
        if name == "SQLite":
            sqlite_p50 = percentile(data["member page"], 0.5)  # type: ignore[arg-type]
    if options.no_grep:
        return
    with tempfile.TemporaryDirectory() as export:
        seconds = run(["export", export], sqlite_env)
        files = sum(1 for _ in Path(export).rglob("*.md"))
        print(f"secondstory export: {files} Markdown files in {seconds:.0f} s")
        times = grep_times(export, options.runs)
    report("grep -ril over the export", times)
    if sqlite_p50:
        print(f"grep p50 / SQLite p50: {percentile(times, 0.5) / sqlite_p50:,.1f}×")


if __name__ == "__main__":
    main()
