"""The worker's part: deliver queued webhooks now, and again when the next retry is due."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)


@task()
def deliver_webhooks() -> dict[str, int]:
    """Send every due webhook delivery; schedule the next run for the earliest retry."""
    from secondstory.outgoing.sender import deliver_due, next_retry_at

    tried = deliver_due()
    retry = next_retry_at()
    if isinstance(retry, datetime):
        schedule_delivery(at=retry)
    return {
        "delivered": sum(1 for d in tried if d.status == "delivered"),
        "failed": sum(1 for d in tried if d.status != "delivered"),
    }


def schedule_delivery(at: datetime | None = None) -> None:
    """Enqueue a delivery run (at ``at``) unless one already waits that would run by then."""
    when = max(at or timezone.now(), timezone.now())
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_webhooks.module_path
    )
    try:
        if waiting.filter(Q(run_after__lte=when) | Q(run_after=get_date_max())).exists():
            return
        if at is None:
            deliver_webhooks.enqueue()
        else:
            deliver_webhooks.using(run_after=when).enqueue()
    except DatabaseError as exc:  # the periodic job picks the rows up anyway
        logger.warning("could not enqueue webhook delivery (sent by the next run): %s", exc)
