"""Telling a postmortem's page that the postmortem changed.

A save made in place (htmx) answers with the fragment it swaps and, when the change is one
that parts computed from the whole postmortem depend on, an ``HX-Trigger`` header naming
``POSTMORTEM_CHANGED``. htmx fires that event on the element that made the request; it
bubbles to ``<body>``, where such parts listen (the similar-incidents panel re-fetches
itself, see ``library/_similar.html``). Full-page saves need nothing: they end in a redirect
to a freshly rendered page.
"""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpRequest, HttpResponseBase
from django_htmx.http import trigger_client_event

from secondstory.postmortems.access import is_htmx

POSTMORTEM_CHANGED = "postmortem-changed"

_Response = TypeVar("_Response", bound=HttpResponseBase)


def announce_change(request: HttpRequest, response: _Response) -> _Response:
    """``response`` with the ``POSTMORTEM_CHANGED`` trigger added when htmx made the request."""
    if is_htmx(request):
        trigger_client_event(response, POSTMORTEM_CHANGED)
    return response


__all__ = ["POSTMORTEM_CHANGED", "announce_change"]
