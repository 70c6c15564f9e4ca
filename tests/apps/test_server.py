"""How ``secondstory serve`` sizes gunicorn (see docs/performance.md)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from gunicorn.app.base import BaseApplication

from secondstory.lib.access_log import AccessLogger
from secondstory.lib.server import default_workers, serve_wsgi


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The configuration gunicorn would run with (the server itself is not started)."""
    seen: dict[str, Any] = {}

    def run(app: BaseApplication) -> None:
        seen.update(bind=app.cfg.bind, workers=app.cfg.workers, threads=app.cfg.threads)
        seen["logger"] = app.cfg.logger_class

    monkeypatch.setattr(BaseApplication, "run", run)
    return seen


def test_workers_default_to_one_per_core(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert default_workers() == 6
    serve_wsgi("127.0.0.1", 8123)
    assert started == {
        "bind": ["127.0.0.1:8123"],
        "workers": 6,
        "threads": 4,
        "logger": AccessLogger,
    }


def test_workers_and_threads_can_be_chosen(started: dict[str, Any]) -> None:
    serve_wsgi("127.0.0.1", 8123, workers=3, threads=8)
    assert started["workers"] == 3
    assert started["threads"] == 8


def test_the_access_log_leaves_out_the_near_miss_form(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    logger = AccessLogger(config)
    logged: list[str] = []
    monkeypatch.setattr(
        "gunicorn.glogging.Logger.access",
        lambda self, resp, req, environ, took: logged.append(environ["PATH_INFO"]),
    )
    paths = [
        "/near-misses/new",
        "/near-misses/thanks",
        "/postmortems/PM-1/learning-check/answer",
        "/api/postmortems/PM-1/learning-check/answer",
        "/near-misses/",
        "/incidents/",
        "/postmortems/PM-1/learning-check/",
    ]
    for path in paths:
        logger.access(None, None, {"PATH_INFO": path, "REQUEST_METHOD": "POST"}, None)
    assert logged == ["/near-misses/", "/incidents/", "/postmortems/PM-1/learning-check/"]
