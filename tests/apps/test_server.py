"""How ``secondstory serve`` sizes gunicorn (see docs/performance.md)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from gunicorn.app.base import BaseApplication

from secondstory.lib.server import default_workers, serve_wsgi


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The configuration gunicorn would run with (the server itself is not started)."""
    seen: dict[str, Any] = {}

    def run(app: BaseApplication) -> None:
        seen.update(bind=app.cfg.bind, workers=app.cfg.workers, threads=app.cfg.threads)

    monkeypatch.setattr(BaseApplication, "run", run)
    return seen


def test_workers_default_to_one_per_core(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert default_workers() == 6
    serve_wsgi("127.0.0.1", 8123)
    assert started == {"bind": ["127.0.0.1:8123"], "workers": 6, "threads": 4}


def test_workers_and_threads_can_be_chosen(started: dict[str, Any]) -> None:
    serve_wsgi("127.0.0.1", 8123, workers=3, threads=8)
    assert started["workers"] == 3
    assert started["threads"] == 8
