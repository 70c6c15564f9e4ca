"""Requests refused before their body is read, and cookies kept to HTTPS when served over it.

:class:`QueryStringMiddleware` answers ``400`` to a query string holding a NUL character,
which no page uses and PostgreSQL refuses in any text it is given (so a lookup would fail).

:class:`RequestSizeMiddleware` answers ``413`` with a page that says the size and the limit
(``SECONDSTORY_UPLOAD_MAX_MB``) when a request declares a bigger body, before anything reads
it: no temporary file is written, no form is parsed, nothing is changed.

:class:`SecureCookieMiddleware` marks every cookie ``Secure`` on a response to a request that
came over HTTPS (directly, or through a proxy trusted with ``SECONDSTORY_HTTPS`` or
``SECONDSTORY_TRUST_FORWARDED_PROTO``), so a session cookie set over HTTPS is never sent back
over plain HTTP, even when ``SECONDSTORY_HTTPS`` is not set.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

from secondstory.core.timeline.archives import describe_bytes


def max_request_bytes() -> int:
    return int(settings.SECONDSTORY_UPLOAD_MAX_MB) * 1024 * 1024


def declared_length(request: HttpRequest) -> int:
    """The body size a request declares (0 when it declares none or nonsense)."""
    raw = str(request.META.get("CONTENT_LENGTH") or "0").strip()
    return int(raw) if raw.isdigit() and len(raw) < 20 else 0


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    """The API's error shape (docs/api.md), for refusals made before the API sees a request."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size, limit = declared_length(request), max_request_bytes()
        if size > limit and _is_api(request):
            message = f"The request is {describe_bytes(size)}; at most {describe_bytes(limit)}."
            response = _api_error(413, "too_large", message)
            response["Connection"] = "close"
            return response
        if size > limit:
            page = render_to_string(
                "too_big.html", {"size": describe_bytes(size), "limit": describe_bytes(limit)}
            )
            response = HttpResponse(page, status=413)
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class SecureCookieMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class QueryStringMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = str(request.META.get("QUERY_STRING", ""))
        if ("%00" in query or "\x00" in query) and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = "Bad request: a query parameter holds a NUL character (%00)."
            if _is_api(request):
                return _api_error(400, "bad_request", message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
