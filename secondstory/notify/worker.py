"""The task loop behind ``secondstory worker``: django-tasks' database worker, stopping cleanly.

The database worker already stops between tasks on SIGTERM, SIGINT or SIGQUIT; one task (a
reminder sweep over hundreds of deliveries) can take long, though. Here the signal also sets
the stop flag (``secondstory.notify.stopping``) that jobs check between deliveries, so the
worker finishes the delivery in flight (bounded by SECONDSTORY_NOTIFY_TIMEOUT), leaves the
rest queued for the next run and exits. A second signal exits at once.

While the loop runs, a thread beside it records the worker's heartbeat
(``secondstory.notify.heartbeat``), which ``/readyz`` checks.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import TextIO

from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from secondstory.notify.heartbeat import keep_beating
from secondstory.notify.stopping import clear_stop, request_stop

logger = logging.getLogger("secondstory.notify")


class StoppingWorker(Worker):
    """A database worker whose stop signal also stops the job it is running."""

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running:
            request_stop()
            logger.warning(
                "received %s: stopping after the current delivery", signal.strsignal(signum)
            )
        super().shutdown(signum, frame)


def run_tasks(
    *, queue_name: str, interval: float, batch: bool, verbosity: int, stdout: TextIO
) -> None:
    """Run ready tasks (all of them then return, with ``batch``) until a stop signal."""
    DatabaseWorkerCommand(stdout=stdout).configure_logging(verbosity)
    clear_stop()
    worker_id = get_random_string(32)
    worker = StoppingWorker(
        queue_names=queue_name.split(","),
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    stops = [signal.SIGINT, signal.SIGTERM] + (
        [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else []
    )
    previous = {signum: signal.getsignal(signum) for signum in stops}
    worker.configure_signals()
    stop_beating = threading.Event()
    heartbeat = threading.Thread(
        target=keep_beating,
        args=(stop_beating, worker_id),
        name="secondstory-heartbeat",
        daemon=True,
    )
    heartbeat.start()
    try:
        worker.run()
    finally:
        stop_beating.set()
        heartbeat.join(timeout=10)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
