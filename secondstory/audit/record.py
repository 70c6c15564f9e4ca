"""Writing audit events: the one function everything calls, and the named cases
(restricted reads, token use) that views call explicitly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from secondstory.audit.context import Actor, current_actor
from secondstory.audit.models import Action, AuditEvent

#: A value longer than this is kept cut, with a note of how much was left out: the full
#: text of a section is in its revision history, and the log must stay small.
MAX_VALUE_CHARS = 2000


def record(
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    object_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Append one event, attributed to ``actor`` (default: whoever acts now)."""
    who = actor or current_actor()
    return AuditEvent.objects.create(
        actor=who.name[:200],
        actor_user_id=who.user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_label=object_label[:200],
        before=before or {},
        after=after or {},
        request_id=who.request_id,
        remote_addr=who.remote_addr,
    )


def clip(value: Any) -> Any:
    """A JSON-ready value, long text cut to :data:`MAX_VALUE_CHARS`."""
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        left_out = len(value) - MAX_VALUE_CHARS
        return f"{value[:MAX_VALUE_CHARS]}… ({left_out} more characters)"
    return value


def type_of(model: type[models.Model] | models.Model) -> str:
    """``app_label.model_name``, the object type of an event."""
    return model._meta.label_lower


def record_restricted_read(
    request: HttpRequest | None,
    postmortem: Any,
    what: str,
    incidents: Iterable[Any] | None = None,
) -> None:
    """Record that the request's user read ``postmortem`` (its page, a download, its
    history...) when any incident it covers is restricted; nothing otherwise.

    Pass ``incidents`` when the view has them already (no query then). Without a request
    (the MCP server), the current actor reads and no path is kept.
    """
    if incidents is not None:
        restricted = any(incident.visibility == "restricted" for incident in incidents)
    else:
        restricted = postmortem.incidents.filter(visibility="restricted").exists()
    if not restricted:
        return
    record(
        Action.READ,
        object_type="postmortems.postmortem",
        object_id=postmortem.pk,
        object_label=postmortem.key,
        after={"view": what, "path": request.path[:300]} if request else {"view": what},
    )


def record_token_use(
    kind: str, token: Any, *, refused: str = "", request: HttpRequest | None = None
) -> None:
    """Record one use of a token (``kind``: calendar, feed, api...), by the token itself.

    ``token`` is the stored token object: its ``hint`` (first characters) names the actor,
    its creator is kept. ``refused`` says why a known token was turned away (revoked,
    expired...). The secret itself is never written, nor the request's path (a feed's
    path is its token).
    """
    hint = str(getattr(token, "hint", "") or token.pk)
    base = current_actor()
    actor = Actor(
        f"{kind}-token:{hint}",
        getattr(token, "created_by_id", None) or getattr(token, "user_id", None),
        base.request_id,
        base.remote_addr,
    )
    after: dict[str, Any] = {"kind": kind}
    if request is not None:  # the method only: a feed's path holds its token
        after["method"] = request.method or ""
    if refused:
        after["refused"] = refused
    record(
        Action.TOKEN_REFUSED if refused else Action.TOKEN_USE,
        object_type=type_of(token),
        object_id=token.pk,
        object_label=hint,
        after=after,
        actor=actor,
    )
