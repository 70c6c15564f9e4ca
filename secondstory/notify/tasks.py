"""Background tasks run by ``secondstory worker`` (django-tasks, database backend)."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from secondstory.notify import jobs

logger = logging.getLogger(__name__)


@task()
def reminder_sweep() -> dict[str, int]:
    """Due-soon and overdue reminders, plus retries of failed deliveries."""
    return jobs.remind(digest=False).as_dict()


@task()
def weekly_digest() -> dict[str, int]:
    """Each owner's digest, at most once per ISO week."""
    return jobs.remind(items=False).as_dict()


@task()
def periodic_job(path: str) -> None:
    """One job from ``secondstory.notify.jobs.PERIODIC_JOBS``."""
    jobs.run_job(path)


def _waiting(task_obj: Task[Any, Any], args: list[Any]) -> bool:
    return (
        DBTaskResult.objects.ready()
        .filter(task_path=task_obj.module_path, args_kwargs={"args": args, "kwargs": {}})
        .exists()
    )


def enqueue_periodic() -> list[str]:
    """Enqueue the sweep, the digest check and every periodic job not already waiting.

    Returns the names of what was enqueued.
    """
    enqueued = []
    for task_obj in (reminder_sweep, weekly_digest):
        if not _waiting(task_obj, []):
            task_obj.enqueue()
            enqueued.append(task_obj.name)
    for path in jobs.periodic_job_paths():
        try:
            target = import_string(path)
        except ImportError as exc:
            logger.error("periodic job %s cannot be imported: %s", path, exc)
            continue
        if isinstance(target, Task):
            if not _waiting(target, []):
                target.enqueue()
                enqueued.append(path)
        elif not _waiting(periodic_job, [path]):
            periodic_job.enqueue(path)
            enqueued.append(path)
    return enqueued
