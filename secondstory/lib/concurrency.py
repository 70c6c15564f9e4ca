"""Optimistic editing: a form carries a fingerprint of what it started from.

Saving compares that fingerprint with one of the current values; when they
differ somebody else saved in between, and the save is refused with both texts
so the user can merge. Nothing typed is discarded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def fingerprint(*values: Any) -> str:
    """A short, stable digest of the values (JSON-serialisable, dates as ISO text)."""
    payload = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


@dataclass
class EditConflict(Exception):
    """Someone saved a newer version since the form was opened."""

    what: str  # e.g. "the Summary section"
    current: Any  # what is saved now
    yours: Any  # what the user tried to save
    base: str  # the fingerprint of the current version, for the next attempt

    def __str__(self) -> str:
        return f"{self.what} was changed by someone else since you opened it"


def check_base(base: str, *current: Any, what: str, yours: Any) -> None:
    """Raise EditConflict unless ``base`` is the fingerprint of ``current``."""
    now = fingerprint(*current)
    if base != now:
        raise EditConflict(
            what=what, current=current[0] if len(current) == 1 else current, yours=yours, base=now
        )


def conflict_status(request: HttpRequest) -> int:
    """The status of a conflict answer: 409 for a page, 200 for htmx.

    htmx swaps only successful answers, so an htmx request gets the conflict
    view as 200 (with its own target) or the user would see nothing.
    """
    htmx = getattr(request, "htmx", None)
    return 200 if htmx and not htmx.history_restore_request else 409


def render_conflict_page(
    request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    """A whole-page conflict view: 409 without JavaScript; for htmx, 200 and the page's body
    replaces the current one (the request came from a fragment that cannot show it)."""
    status = conflict_status(request)
    response = render(request, template, context, status=status)
    if status == 200:
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML show:top"
    return response
