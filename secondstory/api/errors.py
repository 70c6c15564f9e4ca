"""One error shape for every answer that is not a success: ``{"error": {...}}``.

``code`` is a short machine-readable word, ``message`` a sentence for a person, ``field``
the request field at fault when there is one; a 409 also carries ``current`` (what is
saved now) and ``version`` (its fingerprint, to send with the next attempt).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from secondstory.lib.concurrency import EditConflict

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
}


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    current: Any = None
    version: str | None = None


class Error(Schema):
    error: ErrorBody


#: The error answers every operation may give, for the OpenAPI document.
COMMON = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
WRITES = {**COMMON, 409: Error}


class ApiError(Exception):
    """Raise to answer with the error shape (``field`` names the request field at fault)."""

    def __init__(
        self, status: int, message: str, *, field: str | None = None, code: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code or CODES.get(status, "error")


def body(status: int, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": CODES.get(status, "error"), "message": message}
    if field:
        error["field"] = field
    error.update(extra)
    return {"error": error}


def _location(loc: Any) -> str:
    """``("query", "limit")`` -> ``limit``; ``("body", "payload", "events", 2, "at")`` ->
    ``events[2].at``."""
    parts = [p for p in loc if p not in ("body", "query", "path", "payload", "form", "file")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _first_message(error: DjangoValidationError) -> tuple[str | None, str]:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            return (None if name == "__all__" else name), "; ".join(messages)
    return None, "; ".join(error.messages)


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the error shape."""

    def answer(request: HttpRequest, status: int, payload: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, payload, status=status)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        payload = {"error": {"code": exc.code, "message": exc.message}}
        if exc.field:
            payload["error"]["field"] = exc.field
        return answer(request, exc.status, payload)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = "Send a live API token as 'Authorization: Bearer <token>'."
        response = answer(request, 401, body(401, message))
        response["WWW-Authenticate"] = 'Bearer realm="secondstory"'
        return response

    @api.exception_handler(RequestValidationError)
    def invalid(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        field = _location(first.get("loc", ())) or None
        message = str(first.get("msg", "the request is not valid"))
        if field:
            message = f"{field}: {message}"
        return answer(request, 422, body(422, message, field))

    @api.exception_handler(DjangoValidationError)
    def refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        field, message = _first_message(exc)
        return answer(request, 400, body(400, message, field))

    @api.exception_handler(EditConflict)
    def conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
        message = f"{exc}; send version {exc.base!r} to replace it"
        payload = body(409, message, "version", current=exc.current, version=exc.base)
        return answer(request, 409, payload)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return answer(request, 404, body(404, str(exc) or "Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return answer(request, 403, body(403, str(exc) or "You may not do this."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return answer(request, exc.status_code, body(exc.status_code, str(exc)))
