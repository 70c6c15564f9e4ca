"""The audit log page for admins: filters, pages by keyset, CSV and JSON Lines downloads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from secondstory.accounts import permissions
from secondstory.audit.models import Action
from secondstory.audit.query import (
    AuditFilter,
    FilterError,
    as_jsonl,
    csv_lines,
    describe_change,
    page,
    parse_moment,
    stream,
)

PAGE_SIZE = 100


def may_read_audit_log(user: object) -> bool:
    """Admins read the audit log (docs/permissions.md)."""
    return permissions.is_admin(user)


def _require_admin(request: HttpRequest) -> None:
    if not may_read_audit_log(request.user):
        raise PermissionDenied("Only admins read the audit log.")


def _filter(request: HttpRequest) -> AuditFilter:
    query = request.GET
    action = query.get("action", "").strip()
    if action and action not in Action.values:
        raise FilterError(f"action: unknown action {action!r}")
    return AuditFilter(
        since=parse_moment(query.get("since", ""), "since"),
        until=parse_moment(query.get("until", ""), "until", end=True),
        actor=query.get("actor", "").strip(),
        action=action,
        object=query.get("object", "").strip(),
    )


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    try:
        found = _filter(request)
        events, cursor = page(found.events(), PAGE_SIZE, request.GET.get("after", ""))
    except FilterError as exc:
        refused = {"error": str(exc), "actions": Action.choices, "query": request.GET}
        return render(request, "audit/log.html", refused, status=400)
    query = request.GET.copy()
    query.pop("after", None)
    context: dict[str, Any] = {
        "rows": [(event, describe_change(event)) for event in events],
        "actions": Action.choices,
        "query": request.GET,
        "query_string": query.urlencode(),
        "next_cursor": cursor,
        "first_page": not request.GET.get("after"),
    }
    return render(request, "audit/log.html", context)


@require_GET
def audit_download(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _require_admin(request)
    try:
        found = _filter(request)
    except FilterError as exc:
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain; charset=utf-8")
    events = stream(found.events())
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(events), content_type="text/csv; charset=utf-8")
    else:
        lines = (as_jsonl(event) for event in events)
        response = StreamingHttpResponse(lines, content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
