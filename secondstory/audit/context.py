"""Who is acting: a context variable set by the middleware for web requests and by the
command line for commands, read by everything that writes an audit event."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

#: The actor when nobody said who acts (a shell, a migration, a test).
SYSTEM = "system"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Actor:
    """A named actor: a person (``user_id`` set) or a non-person such as ``cli``."""

    name: str
    user_id: int | None = None
    request_id: str = ""
    remote_addr: str = ""


@dataclass(frozen=True, slots=True)
class _RequestActor:
    """The actor of a web request, resolved only when an event is written: most requests
    write none, and the signed-in user is loaded lazily."""

    request: HttpRequest
    request_id: str

    def resolve(self) -> Actor:
        user = getattr(self.request, "user", None)
        address = str(self.request.META.get("REMOTE_ADDR", ""))[:64]
        if user is not None and user.is_authenticated:
            return Actor(user.get_username(), user.pk, self.request_id, address)
        return Actor("anonymous", None, self.request_id, address)


_current: ContextVar[Actor | _RequestActor | None] = ContextVar("audit_actor", default=None)
# The actor of this process where no request or block says otherwise (threads included).
_process = Actor(SYSTEM)


def set_process_actor(name: str) -> str:
    """Name the actor of everything this process does outside a request: ``cli`` for
    commands, ``worker`` for the background worker. Returns the name it replaces."""
    global _process
    previous, _process = _process.name, Actor(name)
    return previous


def current_actor() -> Actor:
    """Who acts now: the request's user, an ``acting_as`` block, or the process's actor."""
    value = _current.get()
    if value is None:
        return _process
    return value.resolve() if isinstance(value, _RequestActor) else value


@contextmanager
def acting_as(name: str, user_id: int | None = None) -> Iterator[Actor]:
    """Attribute what happens inside to a named actor, e.g. ``with acting_as("cli"):``."""
    actor = Actor(name, user_id)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def request_id(request: HttpRequest) -> str:
    """The request's id: a sane ``X-Request-ID`` from the proxy, or a new one."""
    given = str(request.META.get("HTTP_X_REQUEST_ID", ""))
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class AuditActorMiddleware:
    """Make the request's user (resolved lazily) the actor of what the request changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = _current.set(_RequestActor(request, request_id(request)))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
