"""Migrations and the production WSGI server behind ``secondstory serve``."""

from __future__ import annotations

import io
import os
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def pending_migrations() -> list[str]:
    """Names of the migrations not yet applied, e.g. ``incidents.0002_default_vocabularies``."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def run_migrations() -> int:
    """Apply pending migrations quietly; return how many were applied."""
    pending = pending_migrations()
    if pending:
        call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    return len(pending)


def default_workers() -> int:
    """Worker processes when ``--workers`` is not given: one per core.

    A page is mostly Python (ORM, templates), which holds the interpreter lock, so the
    threads of one process share one core and a process per core uses them all. More
    processes than cores served fewer requests under benchmarks/load.py: each warms its
    own caches and they only take turns on the same cores (docs/performance.md).
    """
    return os.cpu_count() or 1


#: Seconds an idle kept-alive connection stays open (gunicorn's default is 2). An HTTP
#: client or a reverse proxy reuses a pooled connection after pauses of its own choosing
#: (httpx keeps one 5 s, nginx and most load balancers 60 s); when the server closes it
#: first, a request already on its way gets no answer ("Server disconnected"). So the
#: server waits longer than any of them and the client always closes first. An idle
#: connection holds no thread of the gthread worker, only a socket in its poller.
KEEPALIVE = 75


def serve_wsgi(host: str, port: int, workers: int | None = None, threads: int = 4) -> None:
    """Serve ``secondstory.wsgi`` with gunicorn (never Django's development server).

    Each worker process runs ``threads`` threads, so a request waiting on the database
    does not hold a whole process. With more than one thread gunicorn runs its gthread
    worker, which keeps connections alive for ``KEEPALIVE`` seconds; with one thread its
    synchronous worker, which closes each connection after the answer.
    """
    from gunicorn.app.base import BaseApplication

    from secondstory.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers or default_workers(),
                "threads": threads,
                "accesslog": "-",
                # No access line for the near-miss form (docs/near-misses.md).
                "logger_class": "secondstory.lib.access_log.AccessLogger",
                "timeout": 60,
                "keepalive": KEEPALIVE,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
