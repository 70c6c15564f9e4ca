"""The audit log: who did what, when, to which object, with the fields before and after.

Append-only from the application: saving an existing event, and updating or deleting
events through a queryset, raise :class:`AuditLogIsAppendOnly`; on PostgreSQL a trigger
refuses ``UPDATE`` and ``DELETE`` as well (see docs/audit.md for retention).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Something tried to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("audit events are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events are never deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("audit events are never changed")


class Action(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    PERMISSION = "permission", "Role or permission changed"
    READ = "read", "Read (restricted)"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    TOKEN_USE = "token_use", "Token used"
    TOKEN_REFUSED = "token_refused", "Token refused"
    BULK = "bulk", "Bulk operation"


class AuditEvent(models.Model):
    """One audited happening. The actor is kept by name (and user id, when a person), not
    by a foreign key: an event outlives the account and travels between installations."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(
        max_length=200,
        db_index=True,
        help_text="A username, or a named non-person actor: cli, worker, system, "
        "anonymous, or a token such as calendar-token:ab12cd.",
    )
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, help_text="app.model")
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(
        max_length=200, blank=True, help_text="The object's key, username or name."
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # Newest first, a page at a time (keyset on at, id).
            models.Index(fields=["at", "id"], name="audit_at_id"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["object_label"], name="audit_object_label"),
        ]

    def __str__(self) -> str:
        what = f" {self.object_type} {self.object_label or self.object_id}".rstrip()
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}{what}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events are never deleted")
