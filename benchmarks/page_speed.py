"""Server render time of the workspace pages, and what a long timeline costs in a browser.

First part: loads the demo organisation into a fresh SQLite home (or uses the PostgreSQL
database named by SECONDSTORY_DATABASE_URL), adds one postmortem whose incident has 500
timeline events, then requests each page in-process with Django's test client, signed in as
its owner, and prints the median and worst of 15 requests.

Second part (benchmarks/long_timeline_browser.py, one fresh interpreter and data directory
per size): a postmortem with 2,000 and with 20,000 imported events: the server render time
and HTML bytes of its page, and in headless Chromium (/usr/bin/chromium, through the DevTools
protocol) its DOM nodes and time to interactive on first load.

    python benchmarks/page_speed.py                 # both parts, 2,000 and 20,000 events
    python benchmarks/page_speed.py --long 2000     # the second part only, for these sizes
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from secondstory.accounts.models import User  # noqa: E402
from secondstory.core.timeline.event import TimelineEvent  # noqa: E402
from secondstory.postmortems.demo import load_demo  # noqa: E402
from secondstory.postmortems.records import load_record  # noqa: E402
from tests.apps.factories import START, postmortem_record  # noqa: E402

KINDS = ("alert", "page", "change", "chat", "action", "decision", "observation")
RUNS = 15


def big_postmortem() -> str:
    record = postmortem_record("PM-BENCH")
    events = record.incidents[0].timeline
    for n in range(500 - len(events)):
        events.append(
            TimelineEvent(
                START + timedelta(minutes=3 * n),
                KINDS[n % len(KINDS)],
                "slack",
                f"bench-{n}",
                f"Message {n}: checking the connection pool graphs for the checkout service",
                actor=f"Responder {n % 7}",
                known_at_the_time=n % 9 != 0,
                starred=n % 50 == 0,
            )
        )
    load_record(record)
    return record.key


def pages(key: str) -> list[tuple[str, str]]:
    """(label, path) of every page worth timing that exists in this version."""
    wanted = [
        ("home", "postmortems:home", {}),
        ("postmortem list", "postmortems:list", {}),
        ("postmortem page (500 events)", "postmortems:detail", {"key": key}),
        ("history", "postmortems:history", {"key": key}),
        ("download", "postmortems:download", {"key": key}),
        ("incident list", "incidents:list", {}),
        ("incident page", "incidents:detail", {"key": f"INC-{key}"}),
        ("incident edit form", "incidents:edit", {"key": f"INC-{key}"}),
        ("timeline (filtered: alerts)", "postmortems:timeline", {"key": key}),
        ("section edit form", "postmortems:section_edit", {"key": key, "field": "summary"}),
        ("factor form", "postmortems:factor_add", {"key": key}),
        ("action item form", "postmortems:action_add", {"key": key}),
        ("submit checklist", "postmortems:lifecycle_submit", {"key": key}),
        ("people form", "postmortems:people", {"key": key}),
        ("start from a template", "postmortems:start", {}),
    ]
    found = []
    for label, name, kwargs in wanted:
        try:
            path = reverse(name, kwargs=kwargs)
            if name == "postmortems:timeline":
                path += "?kind=alert"
            elif name == "postmortems:start":
                path += f"?incident=INC-{key}"
            found.append((label, path))
        except NoReverseMatch:
            continue
    return found


LONG_SIZES = [2_000, 20_000]


def long_timelines(sizes: list[int]) -> None:
    """Each size in a fresh interpreter and data directory: figures do not leak."""
    script = Path(__file__).with_name("long_timeline_browser.py")
    for size in sizes:
        env = {**os.environ, "SECONDSTORY_HOME": tempfile.mkdtemp(prefix="secondstory-bench-")}
        subprocess.run([sys.executable, str(script), str(size)], env=env, check=True)


def main() -> None:
    if sys.argv[1:2] == ["--long"]:
        long_timelines([int(arg) for arg in sys.argv[2:]] or LONG_SIZES)
        return
    call_command("migrate", verbosity=0)
    load_demo(login=False)
    key = big_postmortem()
    owner = User.objects.get(username="alice")
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    print(f"database: {django.db.connection.vendor}; {RUNS} requests per page")
    for label, path in pages(key):
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        print(
            f"{label:32} median {statistics.median(timings):6.1f} ms   "
            f"worst {max(timings):6.1f} ms   {len(response.content) // 1024} KiB"
        )
    sys.stdout.flush()
    long_timelines(LONG_SIZES)


if __name__ == "__main__":
    main()
