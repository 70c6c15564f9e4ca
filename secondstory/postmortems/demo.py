"""Load the demo organisation (``secondstory demo``)."""

from __future__ import annotations

import time
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from secondstory.accounts.models import Role, User
from secondstory.accounts.services import load_organisation
from secondstory.core.demo import demo_organisation, demo_postmortems, stream_postmortems
from secondstory.core.demo.reviews import demo_reviews
from secondstory.postmortems.bulk import bulk_insert
from secondstory.postmortems.records import load_record, vocabulary

DEMO_PASSWORD = "demo"


def ensure_demo_login() -> str:
    """Sign in as one of the demo organisation's people, so the home page has work on it.

    The person with the most open action items of the demo organisation gets the password
    ``demo`` and the admin role (with the admin site); the choice follows the data, so it
    is the same on every run.
    """
    people = [person.username for person in demo_organisation().people]
    open_items = Count(
        "action_items",
        filter=Q(action_items__status__in=("open", "in_progress")),
        distinct=True,
    )
    person = (
        User.objects.filter(username__in=people)
        .annotate(open_items=open_items)
        .order_by("-open_items", "username")
        .first()
    )
    if person is None:
        raise ValueError("the demo organisation has no people yet")
    if not person.check_password(DEMO_PASSWORD) or not person.is_staff or person.role != Role.ADMIN:
        person.set_password(DEMO_PASSWORD)
        person.is_staff = person.is_superuser = True
        person.role = Role.ADMIN
        person.save(update_fields=["password", "is_staff", "is_superuser", "role"])
    return f"log in as {person.username} / {DEMO_PASSWORD}"


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
        from secondstory.learningcheck.demo import load_demo_reviews

        load_demo_reviews(demo_reviews(records, today=today, seed=seed))
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
