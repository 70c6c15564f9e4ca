"""Periodic work: the reminder sweep, the weekly digest, and other apps' periodic jobs.

``PERIODIC_JOBS`` lists dotted paths of callables (or django-tasks tasks) that
``secondstory worker`` enqueues every interval next to the reminder sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.module_loading import import_string

from secondstory.notify.models import Delivery
from secondstory.notify.reminders import digest_reminders, item_reminders, plan, send_planned
from secondstory.notify.services import Run, retry_failed

logger = logging.getLogger(__name__)

PERIODIC_JOBS: list[str] = [
    "secondstory.actions.recurrence_checks.check_recurrences",
    "secondstory.trackers.jobs.pull_sync",
    "secondstory.sharing.jobs.send_publication_digests",
    "secondstory.insights.health_digest.send_health_digests",
    "secondstory.insights.jobs.compute_insights",
    "secondstory.outgoing.jobs.run_webhooks",
    "secondstory.insights.jobs.keep_history",  # last: its first run takes minutes
]


@dataclass
class SweepResult:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)

    def add(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            (self.sent if delivery.status == "sent" else self.failed).append(delivery)

    def as_dict(self) -> dict[str, int]:
        return {"sent": len(self.sent), "failed": len(self.failed)}


def remind(today: date | None = None, *, items: bool = True, digest: bool = True) -> SweepResult:
    """Send the pending due-soon and overdue reminders and digests; with ``items``, retry
    the failures of other notifications too (once per sweep, not again for the digest).

    Nothing raises out of here for a channel's failure: it is recorded and retried next run,
    up to three tries. Overlapping runs never send the same delivery twice.
    """
    started = timezone.now()
    today = today or timezone.localdate()
    reminders = (item_reminders(today) if items else []) + (
        digest_reminders(today) if digest else []
    )
    result = SweepResult()
    run = Run(started)
    result.add(send_planned(plan(reminders), run))
    if items:
        result.add(retry_failed(run=run))
    return result


def run_job(path: str) -> None:
    """Import and call one periodic job by its dotted path."""
    job = import_string(path)
    job()


def periodic_job_paths() -> list[str]:
    return list(PERIODIC_JOBS)
