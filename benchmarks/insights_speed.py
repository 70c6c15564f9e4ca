"""Server time of every insights page over a generated organisation: from nothing, cached,
and after a write.

Uses the database named by SECONDSTORY_DATABASE_URL (or the SQLite file in SECONDSTORY_HOME).
With ``--scale N`` it first streams N generated incidents in (``secondstory demo --scale N``);
without it, it measures whatever the database holds. Each page is requested in-process with
Django's test client, signed in as a person who is not staff (so the visibility filters run):
once with the insights cache emptied, kept months included ("computed": a new installation,
or the first page after an upgrade), then ``--runs`` times from the cache (p50/p95), then
right after a write to one factor of a postmortem of this month and of one whose incident
began about 200 days ago (what the first reader after an edit waits for: the month edited
and the rest of the range are computed, the other months read as kept). Each figure comes
with the CPU time of this process (with SQLite that includes the database's work; with
PostgreSQL not the server's). It also prints the bytes of the charts' SVG per chart and,
with ``--worker``, how long the worker's job (the default pages, today's health checks and
every month of the history kept) takes with nothing cached, then pages over ranges nobody
asked for before, as a reader finds them after the worker ran. The figures at 100,000
postmortems are in docs/insights.md.

    SECONDSTORY_HOME=/tmp/bench python benchmarks/insights_speed.py --scale 10000
    SECONDSTORY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        python benchmarks/insights_speed.py --scale 10000
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
from secondstory.insights.jobs import compute_insights, keep_history  # noqa: E402
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
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="a page to measure, by name (repeatable; default: every page)",
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
    wanted = set(args.only)
    for name, url in _pages().items():
        if wanted and name not in wanted:
            continue
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
    keep_history()
    elapsed = time.perf_counter() - started
    print(
        "worker jobs (default pages, health checks, every month of the history kept; "
        f"nothing cached): {elapsed:.1f} s"
    )
    # What a reader waits for after the worker ran: a range nobody asked for before, so the
    # page's own figures are computed, its whole months read as kept.
    team = Team.objects.order_by("slug").first()
    service = Service.objects.order_by("slug").first()
    fresh = {"organisation, from 2023-03-15": "/insights/?from=2023-03-15"}
    if team is not None:
        fresh["team, 2024-02-10 to 2025-08-20"] = (
            f"/insights/teams/{team.slug}/?from=2024-02-10&to=2025-08-20"
        )
    if service is not None:
        fresh["service, from 2022-12-05"] = f"/insights/services/{service.slug}/?from=2022-12-05"
    for name, url in fresh.items():
        wall, cpu, response = _timed(client, url)
        assert response.status_code == 200, (url, response.status_code)
        print(f"{name:32} after the worker, never asked: {wall:6.3f} s (cpu {cpu:6.3f})")


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
