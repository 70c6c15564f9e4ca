"""Sign-ins, failed sign-ins and sign-outs, from Django's authentication signals.

A failed sign-in records the username that was tried (never the password) and, when a
person of that name exists, their id.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from secondstory.audit.context import Actor, current_actor
from secondstory.audit.models import Action
from secondstory.audit.record import record

_USER = "accounts.user"


def _as(user: Any) -> Actor:
    base = current_actor()
    return Actor(user.get_username(), user.pk, base.request_id, base.remote_addr)


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.LOGIN, object_type=_USER, object_id=user.pk, object_label=user.get_username(),
           actor=_as(user))  # fmt: skip


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # signing out without being signed in
        return
    record(Action.LOGOUT, object_type=_USER, object_id=user.pk, object_label=user.get_username(),
           actor=_as(user))  # fmt: skip


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    model = get_user_model()
    field = str(getattr(model, "USERNAME_FIELD", "username"))
    tried = str(credentials.get(field, credentials.get("username", "")))[:150]
    known = model._default_manager.filter(**{field: tried}).first()
    base = current_actor()
    record(
        Action.LOGIN_FAILED,
        object_type=_USER,
        object_id=known.pk if known is not None else "",
        object_label=tried,
        after={"username": tried, "known_user": known is not None},
        actor=Actor("anonymous", None, base.request_id, base.remote_addr),
    )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
