"""SQLite's write lock never answers 500: a locked request is retried, then answered 503;
requests get in between the batches of a command-line import."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.core.timeline.sources.base import Source
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from secondstory.lib import database_locks
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import PASSWORD
from tests.apps.incidents.test_pending_imports import write_jsonl

pytestmark = [
    pytest.mark.skipif(
        __import__("os").environ.get("SECONDSTORY_DATABASE_URL", "").startswith("postgres"),
        reason="SQLite's database-wide write lock",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def busy_timeout() -> Iterator[None]:
    """A short busy timeout, so a held lock fails a writer quickly."""
    options = connection.settings_dict["OPTIONS"]
    before = options["timeout"]
    connection.close()
    options["timeout"] = 0.2
    yield
    connection.close()
    options["timeout"] = before


@pytest.fixture
def held_lock(busy_timeout: None) -> Iterator[sqlite3.Connection]:
    """Another connection holding SQLite's write lock until the test releases it."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def login(client: Client, username: str = "alice") -> int:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return response.status_code


def test_a_locked_request_is_retried_then_answered_503_never_500(
    alice: User, held_lock: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == str(database_locks.RETRY_AFTER_SECONDS)
    assert b"Busy for a moment" in response.content
    assert b"Traceback" not in response.content
    retried = [r for r in caplog.records if "running /login/ again" in r.getMessage()]
    assert len(retried) == 2  # SECONDSTORY_LOCK_RETRIES


def test_a_locked_request_succeeds_when_the_lock_goes_during_its_retries(
    alice: User, held_lock: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if held_lock.in_transaction:
            held_lock.execute("COMMIT")  # the other writer finishes while this one waits

    monkeypatch.setattr(database_locks.time, "sleep", pause)
    client = Client(raise_request_exception=False)
    assert login(client) == 302
    assert len(pauses) == 1
    assert client.get(reverse("postmortems:home")).status_code == 200


def test_a_request_that_committed_a_change_is_not_run_twice(
    alice: User, busy_timeout: None
) -> None:
    """The lock meets the request after its first write was committed: 503, no retry."""
    calls = []

    def view_that_writes_then_meets_the_lock(request: object) -> object:
        calls.append(1)
        User.objects.filter(pk=alice.pk).update(display_name=f"Alice {len(calls)}")
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            User.objects.filter(pk=alice.pk).update(email="alice@new.example")
        finally:
            other.execute("ROLLBACK")
            other.close()
        raise AssertionError("the second write should have met the lock")

    middleware = database_locks.LockRetryMiddleware(_handler(view_that_writes_then_meets_the_lock))
    response = middleware(_request())
    assert response.status_code == 503
    assert calls == [1]
    assert User.objects.get(pk=alice.pk).display_name == "Alice 1"


def _request():  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    return RequestFactory().post("/somewhere/")


def _handler(view):  # type: ignore[no-untyped-def]
    """The view behind Django's own exception handling, as the next middleware would be."""
    from django.core.handlers.exception import convert_exception_to_response

    return convert_exception_to_response(view)


def test_login_and_a_section_save_go_through_while_an_import_runs(
    postmortem: Postmortem, alice: User, tmp_path: Path
) -> None:
    options = connection.settings_dict["OPTIONS"]
    before = options["timeout"]
    connection.close()
    options["timeout"] = 1.0
    incident = Incident.objects.create(
        key="INC-BIG", title="Big import", severity=Severity.objects.get(code="SEV2")
    )
    export = write_jsonl(tmp_path / "chat.jsonl", 60_000)
    failures: list[BaseException] = []

    def run_import() -> None:
        try:
            request = ImportRequest([Source(export, "chat.jsonl")], fmt="jsonl", redact=False)
            import_events(incident, request)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=run_import)
    try:
        worker.start()
        while not TimelineEvent.with_pending.filter(incident=incident).exists():
            assert worker.is_alive(), failures
        client = Client()
        assert login(client) == 302
        url = reverse("postmortems:section_edit", args=[postmortem.key, "summary"])
        base = fingerprint(postmortem.summary)
        response = client.post(url, {"text": "Saved during an import.", "base": base})
        assert response.status_code in (200, 302)
        importing_meanwhile = TimelineEvent.with_pending.filter(incident=incident).exists()
    finally:
        worker.join()
        connection.close()
        options["timeout"] = before
    assert not failures
    assert importing_meanwhile, "the import finished before the requests: make it bigger"
    postmortem.refresh_from_db()
    assert postmortem.summary == "Saved during an import."
    assert TimelineEvent.objects.filter(incident=incident).count() == 60_000
