"""The application never changes or removes an audit event; PostgreSQL refuses it too."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from secondstory.audit.models import AuditEvent, AuditLogIsAppendOnly
from secondstory.audit.record import record


@pytest.fixture
def event(db: None) -> AuditEvent:
    return record("login", object_type="accounts.user", object_id=1, object_label="alice")


def test_an_event_cannot_be_saved_again(event: AuditEvent) -> None:
    event.actor = "someone else"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).actor == "system"


def test_an_event_cannot_be_deleted(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_in_bulk(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(actor="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["actor"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET actor = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_update_and_delete_from_any_client(event: AuditEvent, sql: str) -> None:
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor == "system"
