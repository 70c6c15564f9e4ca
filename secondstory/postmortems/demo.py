"""Load the demo organisation (``secondstory demo``)."""

from __future__ import annotations

import time
from datetime import date

from django.db import transaction
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from secondstory.accounts.models import User
from secondstory.accounts.services import create_user, load_organisation
from secondstory.core.demo import demo_organisation, demo_postmortems, stream_postmortems
from secondstory.postmortems.bulk import bulk_insert
from secondstory.postmortems.records import load_record, vocabulary

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


def ensure_demo_login() -> str:
    """The demo login (staff, so the admin is reachable too); created once."""
    if not User.objects.filter(username=DEMO_USERNAME).exists():
        create_user(DEMO_USERNAME, password=DEMO_PASSWORD, display_name="Demo Visitor", staff=True)
    return f"log in as {DEMO_USERNAME} / {DEMO_PASSWORD}"


def load_demo(*, seed: int = 7, login: bool = True, today: date | None = None) -> str:
    """Create or refresh the demo organisation; running it twice changes nothing."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    records = demo_postmortems(today=today, seed=seed)
    vocab = vocabulary()
    with transaction.atomic():
        load_organisation(demo_organisation())
        for record in records:
            load_record(record, vocab=vocab)
    incidents = len({i.key for r in records for i in r.incidents})
    summary = (
        f"demo organisation ready: {len(records)} postmortems, {incidents} incidents "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if login:
        summary += f"; {ensure_demo_login()}"
    return summary


def load_scale(count: int, *, seed: int = 7, today: date | None = None) -> str:
    """Stream ``count`` generated incidents into the database, with a progress bar."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        load_organisation(demo_organisation())
    columns = (
        TextColumn("loading incidents"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("scale", total=count)
        inserted, skipped = bulk_insert(
            stream_postmortems(count, today=today, seed=seed),
            on_batch=lambda n: progress.advance(task, n),
        )
    return (
        f"scale data ready: {inserted} postmortems inserted, {skipped} already there, "
        f"in {time.perf_counter() - started:.1f} s"
    )
