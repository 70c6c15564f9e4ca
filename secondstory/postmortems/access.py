"""Request-level access to postmortems, shared by every view module of the workspace."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import can_edit, visible_postmortems


def signed_in_user(request: HttpRequest) -> User:
    """The request's user (every workspace page requires signing in)."""
    assert isinstance(request.user, User)
    return request.user


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which wants the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def postmortem_for_reader(request: HttpRequest, key: str) -> Postmortem:
    """The postmortem if the user may read it; 404 otherwise, the same answer as for a key
    that does not exist, so a restricted postmortem leaves no hint.

    Only readable postmortems are looked up, in one query (as the postmortem's page does).
    """
    readable = visible_postmortems(signed_in_user(request))
    postmortems = readable.select_related("owner", "facilitator", "template")
    try:
        return postmortems.get(key=key)
    except Postmortem.DoesNotExist:
        raise Http404("No postmortem matches the given query.") from None


def postmortem_for_editor(request: HttpRequest, key: str) -> Postmortem:
    """The postmortem if the user may edit it: 404 when unreadable, 403 when read-only."""
    postmortem = postmortem_for_reader(request, key)
    # Read once: the roles below need them, and so do the editor's pages (the blameless
    # review's names); a change through this object's managers drops them again.
    prefetch_related_objects([postmortem], "collaborators", "reviewers")
    if not can_edit(signed_in_user(request), postmortem):
        raise PermissionDenied(
            "Only the owner, the facilitator, collaborators and admins change this postmortem."
        )
    return postmortem


def require(allowed: bool) -> None:
    """403 unless ``allowed``: for readers who may not make this change."""
    if not allowed:
        raise PermissionDenied("You may read this postmortem but not do this.")
