"""``/healthz`` and ``/readyz``: open to load balancers, cheap, and honest about what fails."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from secondstory.accounts import permissions
from secondstory.notify.heartbeat import beat
from secondstory.operations import probes


def get(path: str, **extra: Any) -> Any:
    # A load balancer probes by address: a Host the installation does not serve.
    return Client().get(path, HTTP_HOST="10.0.0.7:8000", **extra)


def readyz() -> tuple[int, dict[str, Any]]:
    response = get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthz_answers_ok_without_the_database(django_assert_num_queries: Any, db: None) -> None:
    with django_assert_num_queries(0):
        response = get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_ready_with_a_database_the_schema_and_a_fresh_worker(db: None) -> None:
    beat("worker-1", timezone.now())
    status, body = readyz()
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
        "worker_last_seen_seconds_ago": 0,
    }


def test_readyz_fails_while_no_worker_ever_ran(db: None) -> None:
    status, body = readyz()
    assert status == 503
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"] == "never seen"


def test_readyz_fails_when_the_newest_beat_is_older_than_the_limit(db: None, settings: Any) -> None:
    settings.SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE = 120
    beat("worker-1", timezone.now())
    with time_machine.travel(timezone.now() + timedelta(seconds=100)):
        assert readyz()[0] == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=200)):
        status, body = readyz()
    assert status == 503
    assert body["checks"]["worker"] == "stale"
    assert body["failing"] == ["worker"]
    assert 199 <= body["worker_last_seen_seconds_ago"] <= 201


def test_a_second_worker_beating_keeps_it_ready(db: None) -> None:
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        beat("old", timezone.now())
    assert readyz()[0] == 503
    beat("new", timezone.now())
    assert readyz()[0] == 200


def test_the_worker_check_can_be_left_out(db: None, settings: Any) -> None:
    settings.SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE = 0
    status, body = readyz()
    assert status == 200
    assert body["checks"]["worker"] == "not checked"


def test_readyz_fails_while_a_migration_is_pending(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    beat("worker-1", timezone.now())
    real = probes._migrations_on_disk()
    shipped = (("notify", "0099_not_applied_yet"), ())
    monkeypatch.setattr(probes, "_migrations_on_disk", lambda: (*real, shipped))
    status, body = readyz()
    assert status == 503
    assert body["checks"] == {"database": "ok", "migrations": "pending", "worker": "unknown"}
    assert body["failing"] == ["migrations"]
    assert probes.unapplied_migrations() == ["notify.0099_not_applied_yet"]


def test_a_squashed_migration_counts_as_applied_when_what_it_replaces_is(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = probes._migrations_on_disk()
    replaced = (("notify", "0001_channels_and_deliveries"), ("notify", "0002_delivery_claims"))
    squashed = (("notify", "0001_squashed_0002"), replaced)
    monkeypatch.setattr(probes, "_migrations_on_disk", lambda: (*real, squashed))
    assert probes.unapplied_migrations() == []
    replaces_unknown = (("notify", "0001_squashed_0099"), (("notify", "0099_unknown"),))
    monkeypatch.setattr(probes, "_migrations_on_disk", lambda: (*real, replaces_unknown))
    assert probes.unapplied_migrations() == ["notify.0001_squashed_0099"]


def test_readyz_fails_when_the_database_cannot_be_reached(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Unreachable:
        closed = 0

        def cursor(self) -> None:
            raise OperationalError("connection refused: password authentication failed for app")

        def close_if_unusable_or_obsolete(self) -> None:
            self.closed += 1

    unreachable = Unreachable()
    monkeypatch.setattr(probes, "connection", unreachable)
    response = get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"] == {
        "database": "unreachable",
        "migrations": "unknown",
        "worker": "unknown",
    }
    assert body["failing"] == ["database"]
    # no error text, database name or host in what anyone may read
    assert b"password" not in response.content and b"refused" not in response.content
    assert unreachable.closed == 1  # the next probe opens a new connection


def test_the_answer_names_no_database_host_or_path(db: None) -> None:
    beat("worker-1", timezone.now())
    content = get("/readyz").content.decode()
    name = str(connection.settings_dict["NAME"])
    assert name not in content
    assert set(json.loads(content)) == {"status", "checks", "worker_last_seen_seconds_ago"}


def test_probes_need_no_sign_in_and_skip_the_https_redirect(db: None, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/login/").status_code == 301  # everything else goes to HTTPS
    assert get("/healthz").status_code == 200
    assert get("/readyz").status_code == 503  # answered, not redirected (no worker yet)
    assert Client().get("/").status_code in (301, 302)


def test_only_get_and_head_are_answered(db: None) -> None:
    response = Client().post("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    head = Client().head("/healthz", HTTP_HOST="10.0.0.7")
    assert head.status_code == 200 and head.content == b""


def test_a_path_next_to_a_probe_is_an_ordinary_page(db: None) -> None:
    # /healthz/ and /readyzz go through host checks and URL resolution like any page
    assert Client().get("/healthz/").status_code == 404
    assert get("/readyzz").status_code == 400


def test_the_permission_table_opens_the_probes_and_nothing_else() -> None:
    assert permissions.may_probe("healthz") and permissions.may_probe("readyz")
    assert not permissions.may_probe("metrics") and not permissions.may_probe("")
