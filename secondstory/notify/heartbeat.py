"""The worker's heartbeat: a row each ``secondstory worker`` process refreshes; ``/readyz``
reads the newest.

The task loop can spend minutes inside one task (a reminder sweep over hundreds of
deliveries), so the beat comes from a thread beside it, as the periodic scheduler's does: a
fresh beat says the worker process is alive and reaches the database, however long its
current task. Each process writes one row, at most every ``BEAT_SECONDS``; rows of workers
silent for ``FORGET_AFTER`` are removed when a worker starts.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Max
from django.utils import timezone

from secondstory.notify.models import WorkerHeartbeat

BEAT_SECONDS = 30.0
FORGET_AFTER = timedelta(days=7)

logger = logging.getLogger("secondstory.notify")


def beat(worker_id: str, started_at: datetime) -> None:
    """Record that the worker ``worker_id`` (started at ``started_at``) is alive now."""
    now = timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=started_at,
            beat_at=now,
        )


def forget_silent_workers() -> int:
    """Remove the rows of workers silent for ``FORGET_AFTER``; return how many."""
    cutoff = timezone.now() - FORGET_AFTER
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()
    return deleted


def last_beat() -> datetime | None:
    """When any worker last gave a sign of life (None: no worker ever ran here)."""
    newest: datetime | None = WorkerHeartbeat.objects.aggregate(newest=Max("beat_at"))["newest"]
    return newest


def keep_beating(stop: threading.Event, worker_id: str, seconds: float = BEAT_SECONDS) -> None:
    """Beat now and every ``seconds`` until ``stop`` is set (the body of the heartbeat thread).

    A database problem is logged and tried again at the next beat; the thread's own
    connection is closed when it ends.
    """
    started_at = timezone.now()
    try:
        _logged(forget_silent_workers)
        while True:
            _logged(lambda: beat(worker_id, started_at))
            close_old_connections()
            if stop.wait(seconds):
                return
    finally:
        connection.close()


def _logged(step: Callable[[], object]) -> None:
    try:
        step()
    except DatabaseError as exc:
        logger.warning("could not record the worker heartbeat (tried again later): %s", exc)
