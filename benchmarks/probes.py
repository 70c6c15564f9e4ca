"""What a load balancer's probe costs: `/healthz` and `/readyz` through the whole handler.

Migrates a fresh data directory (SQLite; the database of SECONDSTORY_DATABASE_URL when set,
which should be one of its own), records one worker heartbeat, then times --calls requests
of each probe through Django's request handler (middleware included) and counts the queries
of one request.

    python benchmarks/probes.py --calls 2000

Measured with 2,000 requests each on 2 shared cores under a load average of 14 to 19 (so the
tails are the machine's, not the probes'):

    sqlite      /healthz  median  106 µs  0 queries   /readyz  median   944 µs  3 queries
    postgresql  /healthz  median  158 µs  0 queries   /readyz  median 27337 µs  3 queries

The first /readyz of a process reads the migration files: 58 ms (SQLite), 86 ms (PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2_000)
    args = parser.parse_args()
    os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from secondstory.notify.heartbeat import beat

    call_command("migrate", verbosity=0)
    beat("bench-probes", timezone.now())
    client = Client()
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    print(f"{connection.vendor}: {args.calls:,} requests each")
    for path in ("/healthz", "/readyz"):
        start = time.perf_counter()
        client.get(path)  # the first /readyz of a process reads the migration files
        first = (time.perf_counter() - start) * 1e3
        queries.clear()
        with connection.execute_wrapper(count):
            if client.get(path).status_code != 200:
                sys.exit(f"error: {path} did not answer 200")
        durations = []
        for _ in range(args.calls):
            start = time.perf_counter()
            client.get(path)
            durations.append(time.perf_counter() - start)
        durations.sort()
        median = statistics.median(durations) * 1e6
        p99 = durations[int(len(durations) * 0.99) - 1] * 1e6
        print(
            f"  {path:8}  median {median:6.0f} µs   p99 {p99:7.0f} µs   "
            f"{len(queries)} queries   first request {first:4.0f} ms"
        )


if __name__ == "__main__":
    main()
