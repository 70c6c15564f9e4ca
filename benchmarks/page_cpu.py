"""Server CPU per page for a reader without staff rights, on the demo organisation.

Loads the demo organisation (as `secondstory demo` does) into a fresh SQLite home (or the
PostgreSQL database named by SECONDSTORY_DATABASE_URL), signs in as the first person of the
demo without staff rights who owns a postmortem, and requests the pages of the load mix
(benchmarks/load.py) in-process with Django's test client. Each page is requested a few times
to warm up, then RUNS times; it prints the CPU time of this process per request (median and
90th percentile, in ms) and the number of queries. CPU time does not count time spent waiting
for another process, so the figures hold on a busy machine; on PostgreSQL they leave out the
database server's own CPU. The postmortem page cycles through every postmortem the reader
may read, as the load mix does. "section save" posts an edit of the summary of the reader's
own postmortem (the save path: the section, its revision and the audit event).

    python benchmarks/page_cpu.py
    python benchmarks/page_cpu.py --runs 40
    python benchmarks/page_cpu.py --profile "postmortem page"    # where the time goes
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from secondstory.accounts.models import User  # noqa: E402
from secondstory.lib.concurrency import fingerprint  # noqa: E402
from secondstory.postmortems.demo import load_demo  # noqa: E402
from secondstory.postmortems.models import Postmortem  # noqa: E402
from secondstory.postmortems.services import visible_postmortems  # noqa: E402

WARMUP = 3


def reader() -> tuple[User, str, list[str]]:
    """A demo person without staff rights who owns a postmortem, that postmortem's key
    (for the edit forms) and the keys of every postmortem they may read."""
    for user in User.objects.filter(is_staff=False, is_superuser=False).order_by("username"):
        owned = Postmortem.objects.filter(owner=user).order_by("key").first()
        if owned is not None:
            reads = list(visible_postmortems(user).order_by("key").values_list("key", flat=True))
            return user, owned.key, reads
    raise SystemExit("error: the demo organisation has no postmortem owned by a non-staff person")


def pages(own: str, reads: list[str]) -> list[tuple[str, Callable[[int], str]]]:
    return [
        ("home", lambda n: "/"),
        ("postmortem page", lambda n: f"/postmortems/{reads[n % len(reads)]}/"),
        ("action list", lambda n: "/actions/"),
        ("library", lambda n: "/library/search/"),
        ("search", lambda n: "/library/search/?q=database"),
        ("section form", lambda n: f"/postmortems/{own}/sections/summary/edit/"),
        ("capture form", lambda n: f"/postmortems/{own}/timeline/capture/"),
    ]


def save_ms(client: Client, own: str, n: int) -> tuple[float, int]:
    """Post a changed summary of the reader's own postmortem, as the section form does."""
    current = Postmortem.objects.values_list("summary", flat=True).get(key=own)
    data = {"text": f"{current.split(' [save ')[0]} [save {n}]", "base": fingerprint(current)}
    path = f"/postmortems/{own}/sections/summary/edit/"
    return cpu_ms(client, path, data)


def cpu_ms(client: Client, path: str, data: dict[str, str] | None = None) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        response = client.get(path) if data is None else client.post(path, data)
        spent = (time.process_time() - started) * 1000
    if response.status_code not in (200, 302):
        raise SystemExit(f"error: {path} answered {response.status_code}")
    return spent, len(queries)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="measured requests per page")
    parser.add_argument("--profile", metavar="PAGE", help="profile PAGE with cProfile instead")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    load_demo(login=False)
    user, own, reads = reader()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    chosen = pages(own, reads)
    if args.profile:
        import cProfile
        import pstats

        path_of = dict(chosen)[args.profile]
        for n in range(WARMUP):
            cpu_ms(client, path_of(n))
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(args.runs):
            client.get(path_of(n))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(200)
        return
    print(
        f"database: {connection.vendor}; reader {user.username} (no staff rights); "
        f"{len(reads)} readable postmortems; {args.runs} requests per page after {WARMUP} warm-up"
    )
    for label, path_of in chosen:
        for n in range(WARMUP):
            cpu_ms(client, path_of(n))
        spent, counts = [], []
        for n in range(args.runs):
            ms, count = cpu_ms(client, path_of(n))
            spent.append(ms)
            counts.append(count)
        print(
            f"{label:16} CPU median {statistics.median(spent):6.1f} ms   "
            f"p90 {percentile(spent, 0.9):6.1f} ms   queries {min(counts)}-{max(counts)}"
        )
    saves = [save_ms(client, own, n) for n in range(WARMUP + args.runs)][WARMUP:]
    spent = [ms for ms, _ in saves]
    print(
        f"{'section save':16} CPU median {statistics.median(spent):6.1f} ms   "
        f"p90 {percentile(spent, 0.9):6.1f} ms   queries "
        f"{min(c for _, c in saves)}-{max(c for _, c in saves)}"
    )


if __name__ == "__main__":
    main()
