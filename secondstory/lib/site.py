"""The address people open secondstory at, for links that leave the page.

``SECONDSTORY_BASE_URL`` wins when it is configured. When it is not, links built while a request
is served start with the scheme, host and port that request came to (the host is one of
``ALLOWED_HOSTS``, checked by Django), so a feed address copied from a page served on another port
or name works; outside a request (the worker, the command line) they start with
:data:`DEFAULT_BASE_URL`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_BASE_URL = "http://127.0.0.1:8000"

_current: ContextVar[HttpRequest | None] = ContextVar("secondstory_site_request", default=None)


def configured_base_url() -> str:
    """``SECONDSTORY_BASE_URL`` without its trailing slash, or ``""`` when unset."""
    return str(getattr(settings, "SECONDSTORY_BASE_URL", "") or "").rstrip("/")


def base_url() -> str:
    """The configured address, else the origin of the request being served, else the default."""
    configured = configured_base_url()
    if configured:
        return configured
    request = _current.get()
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEFAULT_BASE_URL


def absolute(path: str) -> str:
    """``path`` (starting with ``/``) on :func:`base_url`."""
    return base_url() + path


class SiteMiddleware:
    """Remember the request being served, so links built anywhere below can use its origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
