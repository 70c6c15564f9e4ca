"""What one postmortem with a huge timeline costs: its pages, a one-line save, a revision.

For each size (default 2,000, 20,000 and 200,000 events) a fresh SQLite home (or the
PostgreSQL database named by SECONDSTORY_DATABASE_URL, emptied first) gets one postmortem
whose incident has that many events, written in batches as an import writes them. Then it
prints, in-process with Django's test client:

- the postmortem's page as a signed-in reader who is neither staff nor on the postmortem:
  time and HTML bytes;
- the timeline editor page (as the owner): time and bytes;
- a one-line save of the summary section through ``save_section``: time and peak Python
  memory (tracemalloc);
- the size of the revision row that save wrote.

    python benchmarks/large_timeline.py            # 2000 20000 200000
    python benchmarks/large_timeline.py 2000 20000
    PROFILE=1 python benchmarks/large_timeline.py 20000   # pyinstrument of the page and save
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = [2_000, 20_000, 200_000]


def run_one(size: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from secondstory.accounts.models import User
    from secondstory.incidents.models import Incident, TimelineEvent
    from secondstory.lib.concurrency import fingerprint
    from secondstory.postmortems.models import Postmortem
    from secondstory.postmortems.records import load_record
    from secondstory.postmortems.services import can_read
    from secondstory.postmortems.writing_services import save_section
    from tests.apps.factories import START, postmortem_record

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    key = "PM-BIG"
    record = postmortem_record(key)
    load_record(record)
    incident = Incident.objects.get(key=f"INC-{key}")
    kinds = ("alert", "page", "change", "chat", "action", "decision", "observation")
    rows = []
    for n in range(size):
        rows.append(
            TimelineEvent(
                incident=incident,
                at=START + timedelta(seconds=7 * n),
                kind=kinds[n % len(kinds)],
                source="slack",
                source_ref=f"C1-{n:07d}",
                actor=f"Responder {n % 7}",
                text=f"Message {n}: checking the connection pool graphs for the checkout service",
                starred=n % 5000 == 0,
            )
        )
        if len(rows) == 5000:
            TimelineEvent.objects.bulk_create(rows)
            rows = []
    TimelineEvent.objects.bulk_create(rows)
    postmortem = Postmortem.objects.get(key=key)
    reader = User.objects.create_user("reader", password="x")
    assert not reader.is_staff and can_read(reader, postmortem)
    owner = User.objects.get(username="alice")
    profile = bool(os.environ.get("PROFILE"))

    def fetch(user: User, path: str) -> tuple[float, int]:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        return elapsed, len(response.content)

    page = reverse("postmortems:detail", args=[key])
    editor = reverse("postmortems:timeline", args=[key])
    if profile:
        from pyinstrument import Profiler

        with Profiler() as profiler:
            fetch(reader, page)
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    page_s, page_bytes = fetch(reader, page)
    editor_s, editor_bytes = fetch(owner, editor)

    postmortem = Postmortem.objects.get(key=key)
    tracemalloc.start()
    started = time.perf_counter()
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    save_section(
        postmortem,
        "summary",
        postmortem.summary + "\n\nOne more line.",
        base=fingerprint(postmortem.summary),
        author=owner,
    )
    save_s = time.perf_counter() - started
    if profile:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    revision = postmortem.revisions.order_by("-number").first()
    assert revision is not None
    revision_bytes = sum(
        len(str(getattr(revision, f.attname) or "").encode())
        for f in revision._meta.concrete_fields
    )
    print(
        f"{size:>8,} events | page {page_s:7.2f} s {page_bytes / 1e6:8.2f} MB"
        f" | editor {editor_s:7.2f} s {editor_bytes / 1e6:8.2f} MB"
        f" | save {save_s:7.2f} s peak {peak / 1e6:8.1f} MB"
        f" | revision {revision_bytes / 1e3:9.1f} kB",
        flush=True,
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        run_one(int(sys.argv[2]))
        return
    sizes = [int(arg) for arg in sys.argv[1:]] or SIZES
    engine = "PostgreSQL" if os.environ.get("SECONDSTORY_DATABASE_URL") else "SQLite"
    print(f"database: {engine}; one postmortem, one incident, N timeline events", flush=True)
    for size in sizes:
        # A fresh interpreter and data directory per size: figures do not leak between sizes.
        env = {**os.environ, "SECONDSTORY_HOME": tempfile.mkdtemp(prefix="secondstory-bench-")}
        subprocess.run([sys.executable, __file__, "--one", str(size)], env=env, check=True)


if __name__ == "__main__":
    main()
