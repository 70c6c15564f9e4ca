"""The audit log in a complete export (``export --all``) and back (``load``).

``audit_events.jsonl`` holds every event, oldest first, with the fields of
``secondstory audit --format jsonl`` but no ``id``. Loading appends the events the
installation does not have yet (same moment, actor, action, object and request), so
loading twice adds nothing. Object ids are those of the installation that wrote them;
labels (keys, usernames) are what carries meaning across installations.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from secondstory.audit.models import Action, AuditEvent
from secondstory.audit.query import as_dict, stream
from secondstory.operations.kinds import Item, read_kind

KIND = "audit_events"


def exported_events() -> Iterator[dict[str, Any]]:
    for event in stream(AuditEvent.objects.all()):
        row = as_dict(event)
        del row["id"]
        yield row


def load_events(directory: Path) -> int:
    """Append the events of ``audit_events.jsonl`` not yet here; return how many."""
    added = 0
    for item in read_kind(directory, KIND):
        added += _load(item)
    return added


def _load(i: Item) -> int:
    action = i.text("action")
    if action not in Action.values:
        raise i.error("action", f"unknown action {action!r}")
    fields: dict[str, Any] = {
        "at": i.instant("at"),
        "actor": i.text("actor"),
        "action": action,
        "object_type": i.text("object_type", required=False),
        "object_id": i.text("object_id", required=False),
        "request_id": i.text("request_id", required=False),
    }
    if AuditEvent.objects.filter(**fields).exists():
        return 0
    user_id = i.data.get("actor_user_id")
    if user_id is not None and (not isinstance(user_id, int) or isinstance(user_id, bool)):
        raise i.error("actor_user_id", "expected a whole number or null")
    for name in ("before", "after"):
        if not isinstance(i.data.get(name, {}), dict):
            raise i.error(name, "expected a JSON object")
    AuditEvent.objects.create(
        **fields,
        actor_user_id=user_id,
        object_label=i.text("object_label", required=False),
        before=i.data.get("before", {}),
        after=i.data.get("after", {}),
        remote_addr=i.text("remote_addr", required=False),
    )
    return 1
