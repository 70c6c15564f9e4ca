"""Server time of every insights page over a generated organisation: computed and cached.

Uses the database named by SECONDSTORY_DATABASE_URL (or the SQLite file in SECONDSTORY_HOME).
With ``--scale N`` it first streams N generated incidents in (``secondstory demo --scale N``);
without it, it measures whatever the database holds. Each page is requested in-process with
Django's test client, signed in as a person who is not staff (so the visibility filters run):
once with the insights cache emptied ("computed": what the first reader after a change waits)
and then ``--runs`` times from the cache (p50/p95), each with the CPU time of this process
(with SQLite that includes the database's work; with PostgreSQL not the server's). It also
prints the bytes of the charts' SVG per chart and, with ``--worker``, how long the worker's
job (the default pages and today's health checks) takes with nothing cached.

    SECONDSTORY_HOME=/tmp/bench python benchmarks/insights_speed.py --scale 10000
    SECONDSTORY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        python benchmarks/insights_speed.py --scale 10000

Measured on a 2-core machine shared with other work (load average 4-7), 5 cached runs;
"before" is the first version at `--scale 10000`: organisation 1.8 s (SQLite) and 2.1 s
(PostgreSQL) on every view.

    scale 10,000    sqlite      organisation  computed  2.08 s (cpu 0.96)  cached 0.037 s
                                4 years       computed  4.88 s (cpu 1.67)  cached 0.080 s
                    postgresql  organisation  computed  1.85 s (cpu 0.47)  cached 0.036 s
                                4 years       computed  3.81 s (cpu 0.44)  cached 0.106 s
    scale 100,000   sqlite      organisation  computed  6.07 s (cpu 5.53)  cached 0.024 s
                                team          computed  4.13 s (cpu 3.80)  cached 0.024 s
                                service       computed  4.14 s (cpu 3.80)  cached 0.026 s
                                4 years       computed 22.1 s (cpu 14.8)   cached 0.048 s

With each incident's start kept by triggers (insights 0002) and the factor queries merged,
on the first 38,738 incidents of `demo --scale 100000` (load average 11-16):

    sqlite      4 years  computed before 33.5 s (cpu 6.63)  after 51.5 s (cpu 4.19)
    postgresql  4 years  computed before 35.4 s (cpu 1.10)  after 30.2 s (cpu 1.21)
                (34,079 incidents; the CPU leaves out the server's)

With the durations read from trigger-kept counts (insights 0003), on the first 33,046
incidents on SQLite and 29,935 on PostgreSQL (load average 14-18):

    sqlite      4 years  computed before 49.0 s (cpu 4.79)  after 27.8 s (cpu 3.05)
    postgresql  4 years  computed before 30.3 s (cpu 1.44)  after 17.7 s (cpu 0.52)

At 100,000 again (copies of the generated data, `--runs 2`, load average 4-9), after the
co-occurrence of factor categories was grouped by each postmortem's set of categories
(CPU before → after; wall time is mostly waiting for a core at that load):

    sqlite      organisation  computed cpu 3.07 → 3.16    4 years  cpu 7.60 → 6.53
                team, 4 years computed cpu 5.42 → 4.90    service, 4 years  cpu 5.12 → 4.61
    postgresql  organisation  computed 10.7 s (cpu 1.33)  4 years  17.3 s (cpu 0.85)

Every table is in docs/insights.md ("Speed").
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from secondstory.accounts.models import Team, User  # noqa: E402
from secondstory.incidents.models import Incident, Service  # noqa: E402
from secondstory.insights.jobs import compute_insights  # noqa: E402
from secondstory.postmortems.demo import load_scale  # noqa: E402
from secondstory.postmortems.models import ContributingFactor  # noqa: E402


def _reader() -> User:
    reader, _ = User.objects.get_or_create(username="insights-bench", defaults={"is_staff": False})
    return reader


def _pages() -> dict[str, str]:
    team = Team.objects.order_by("slug").first()
    service = Service.objects.order_by("slug").first()
    pages = {"organisation": "/insights/"}
    if team is not None:
        pages["team"] = f"/insights/teams/{team.slug}/"
    if service is not None:
        pages["service"] = f"/insights/services/{service.slug}/"
    pages["organisation, 4 years"] = "/insights/?from=2022-12-01"
    # The generator writes history oldest first: a partial load holds no incident of the last
    # 365 days, so the team's and the service's pages are measured over the 4 years too.
    if team is not None:
        pages["team, 4 years"] = f"/insights/teams/{team.slug}/?from=2022-12-01"
    if service is not None:
        pages["service, 4 years"] = f"/insights/services/{service.slug}/?from=2022-12-01"
    pages["csv (one chart)"] = "/insights/?format=csv&chart=incidents-by-severity"
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="stream N incidents in first")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--worker", action="store_true", help="also time the worker's job from nothing"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures as they come
    call_command("migrate", verbosity=0)
    if args.scale:
        print(load_scale(args.scale))
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"{engine}: {Incident.objects.count()} incidents")
    client = Client()
    client.force_login(_reader())
    store = caches["insights"]
    for name, url in _pages().items():
        store.clear()  # the first reader after a change: every figure computed
        cold_wall, cold_cpu, first = _timed(client, url)
        assert first.status_code == 200, (url, first.status_code)
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu, _response = _timed(client, url)
            walls.append(wall)
            cpus.append(cpu)
        walls.sort()
        p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
        print(
            f"{name:24} computed {cold_wall:6.3f} s (cpu {cold_cpu:6.3f})   "
            f"cached p50 {statistics.median(walls):6.3f} s p95 {p95:6.3f} s "
            f"(cpu {statistics.median(cpus):6.3f})"
        )
        for label, days in (("this month", 0), ("200 days ago", 200)):
            touched = _touch_a_postmortem(days)
            wall, cpu, response = _timed(client, url)
            assert response.status_code == 200, (url, response.status_code)
            print(
                f"{'':24} after a write to a postmortem of {label} ({touched}): "
                f"{wall:6.3f} s (cpu {cpu:6.3f})"
            )
        if name == "organisation":
            svgs = re.findall(rb"<svg.*?</svg>", first.content, flags=re.S)
            sizes = [len(s) for s in svgs]
            print(
                f"{'':24} {len(svgs)} charts, SVG bytes per chart: median "
                f"{statistics.median(sizes):.0f}, max {max(sizes)}; page {len(first.content)} B"
            )
    if not args.worker:
        return
    store.clear()
    started = time.perf_counter()
    compute_insights()
    elapsed = time.perf_counter() - started
    print(f"worker job (default pages and health checks, nothing cached): {elapsed:.1f} s")


def _touch_a_postmortem(days_ago: int) -> str:
    """Rewrite one factor of the newest postmortem whose first incident began at least
    ``days_ago`` days ago, unchanged (the triggers record it as any edit): what a page
    finds after someone edits a postmortem."""
    since = timezone.now() - timedelta(days=days_ago)
    factor = (
        ContributingFactor.objects.filter(postmortem__incidents__insights_start__began__lt=since)
        .order_by("-postmortem__incidents__insights_start__began")
        .select_related("postmortem")
        .first()
    )
    if factor is None:
        return "none found"
    ContributingFactor.objects.filter(pk=factor.pk).update(description=F("description"))
    return factor.postmortem.key


def _timed(client: Client, url: str) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one request (CPU of this process: with SQLite it includes the
    database's work, with PostgreSQL not the server's)."""
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(url, HTTP_HOST="localhost")
    return time.perf_counter() - wall, time.process_time() - cpu, response


if __name__ == "__main__":
    main()
