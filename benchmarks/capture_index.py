"""CPU of quick capture's search-index update: in place from the new events, or rewritten.

Loads the demo organisation (as `secondstory demo` does) into a fresh SQLite home (or the
PostgreSQL database named by SECONDSTORY_DATABASE_URL) and, RUNS times per postmortem of one
incident, adds one event to its timeline (after every other event, then within it) and
updates the index both ways, alternated, each in a transaction rolled back afterwards:
``reindex_timeline`` with the new events (``index_appended``), and without them (the timeline
text and word counts rewritten from the first events). It prints the CPU time of this
process per update (median and 90th percentile, in ms) and the queries of each.

    python benchmarks/capture_index.py
    python benchmarks/capture_index.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
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
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from secondstory.incidents.models import TimelineEvent  # noqa: E402
from secondstory.library.index_fields import reindex_timeline  # noqa: E402
from secondstory.postmortems.demo import load_demo  # noqa: E402
from secondstory.postmortems.models import Postmortem  # noqa: E402


class Rollback(Exception):
    pass


def _update(postmortem: Postmortem, at_end: bool, in_place: bool) -> tuple[float, int]:
    incident = postmortem.incidents.get()
    span = incident.timeline.aggregate(first=Min("at"), last=Max("at"))
    at = span["last"] + timedelta(minutes=1) if at_end else span["first"] + timedelta(seconds=1)
    try:
        with transaction.atomic():
            event = TimelineEvent.objects.create(
                incident=incident,
                at=at,
                kind="note",
                source="manual",
                source_ref="bench-capture",
                actor="Bench Person",
                text="the capybara queue drained after the rollback",
            )
            with CaptureQueriesContext(connection) as queries:
                start = time.process_time()
                reindex_timeline(postmortem, [event] if in_place else [])
                spent = (time.process_time() - start) * 1000
            raise Rollback
    except Rollback:
        pass
    return spent, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="updates per postmortem and way")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_demo(login=False)
    postmortems = [
        p
        for p in Postmortem.objects.annotate(n=Count("incidents")).filter(n=1).order_by("key")
        if p.incidents.get().timeline.count() > 1
    ]
    print(f"database: {connection.vendor}; {len(postmortems)} postmortems of one incident")
    for at_end, where in ((True, "after every event"), (False, "within the timeline")):
        spent: dict[bool, list[float]] = {True: [], False: []}
        queries: dict[bool, int] = {}
        for _ in range(args.runs):
            for postmortem in postmortems:
                for in_place in (False, True):
                    ms, count = _update(postmortem, at_end, in_place)
                    spent[in_place].append(ms)
                    queries[in_place] = count
        for in_place, label in ((False, "rewritten"), (True, "in place")):
            ordered = sorted(spent[in_place])
            print(
                f"{where:20} {label:9} CPU median {statistics.median(ordered):5.2f} ms   "
                f"p90 {ordered[int(0.9 * (len(ordered) - 1))]:5.2f} ms   "
                f"queries {queries[in_place]}"
            )


if __name__ == "__main__":
    main()
