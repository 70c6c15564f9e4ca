"""Render time of the similar-incidents panel of the postmortem page.

Uses the database of SECONDSTORY_HOME (or SECONDSTORY_DATABASE_URL) when it already holds
postmortems, for example after ``secondstory demo --scale 100000``; otherwise loads the demo
organisation into a fresh SQLite home. Renders the panel (``library/_similar.html``) for a
seeded random sample of postmortems, once as a staff reader (sees everything) and once as a
reader on no team (the restricted filter applies), and prints p50, p95 and the worst time,
then the CPU time of this process per panel (p50 and p95; on PostgreSQL it leaves out the
database server's own work, which wall time includes).

    SECONDSTORY_HOME=/tmp/big python benchmarks/similar_speed.py [--sample 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from secondstory.accounts.models import User  # noqa: E402
from secondstory.postmortems.demo import load_demo  # noqa: E402
from secondstory.postmortems.models import Postmortem  # noqa: E402

WARM_UP = 5


def reader(username: str, *, staff: bool) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": staff})
    return user


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=200, help="postmortems to render")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Postmortem.objects.exists():
        print(load_demo(login=False))
    total = Postmortem.objects.count()
    ids = list(Postmortem.objects.values_list("pk", flat=True))
    sample = random.Random(args.seed).sample(ids, min(args.sample, len(ids)))
    factory = RequestFactory()
    print(f"{connection.vendor}: {total} postmortems, panel rendered for {len(sample)} of them")
    for label, user in (
        ("staff reader", reader("bench-librarian", staff=True)),
        ("reader on no team", reader("bench-visitor", staff=False)),
    ):
        times: list[float] = []
        cpu: list[float] = []
        listed: list[int] = []
        for pk in sample[:WARM_UP]:  # compile templates and queries, fill the caches
            request = factory.get("/")
            request.user = user
            render_to_string(
                "library/_similar.html",
                {"postmortem": Postmortem.objects.get(pk=pk)},
                request=request,
            )
        for pk in sample:
            postmortem = Postmortem.objects.get(pk=pk)
            request = factory.get(f"/postmortems/{postmortem.key}/")
            request.user = user
            started, started_cpu = time.perf_counter(), time.process_time()
            html = render_to_string(
                "library/_similar.html", {"postmortem": postmortem}, request=request
            )
            cpu.append((time.process_time() - started_cpu) * 1000)
            times.append((time.perf_counter() - started) * 1000)
            listed.append(html.count('class="similar-item"'))
        print(
            f"  {label:18} p50 {statistics.median(times):6.1f} ms   "
            f"p95 {percentile(times, 0.95):6.1f} ms   max {max(times):6.1f} ms   "
            f"(mean {statistics.mean(listed):.1f} listed)\n"
            f"  {'':18} CPU p50 {statistics.median(cpu):5.1f} ms   "
            f"p95 {percentile(cpu, 0.95):6.1f} ms"
        )


if __name__ == "__main__":
    main()
