"""Restoring a revision, refused while the postmortem changed since the user looked.

The restore form carries ``seen``: the newest revision number when the page was
rendered. When a newer revision exists the restore is not done; the user sees what
changed since (the history diff) and confirms restoring over it, or cancels.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from secondstory.lib.concurrency import render_conflict_page
from secondstory.postmortems.access import postmortem_for_editor, signed_in_user
from secondstory.postmortems.history import RevisionDiff, compare_revisions
from secondstory.postmortems.models import Postmortem, Revision
from secondstory.postmortems.writing_services import restore_revision

# The conflict view lists at most this many of the revisions saved since.
SHOWN_SINCE = 20


def newest_revision_number(postmortem: Postmortem) -> int | None:
    """The number of the newest revision (what a restore form says the user saw)."""
    numbers = postmortem.revisions.order_by("-number").values_list("number", flat=True)
    return numbers.first()


def _seen(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("seen", ""))
    except ValueError:
        return None


@require_POST
def revision_restore(request: HttpRequest, key: str, number: int) -> HttpResponse:
    postmortem = postmortem_for_editor(request, key)
    revision = get_object_or_404(Revision, postmortem=postmortem, number=number)
    seen = _seen(request)
    try:
        with transaction.atomic():
            # Lock the postmortem so no section save slips in between the check and the restore.
            Postmortem.objects.select_for_update().only("pk").get(pk=postmortem.pk)
            newest = newest_revision_number(postmortem)
            stale = newest is not None and seen != newest
            if not stale:
                restore_revision(postmortem, revision, author=signed_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("postmortems:history", key)
    if stale:
        assert newest is not None
        return _conflict_response(request, postmortem, revision, seen, newest)
    messages.success(request, f"Restored revision {number}.")
    return redirect("postmortems:history", key)


def _changes_since(postmortem: Postmortem, seen: int | None, newest: int) -> RevisionDiff | None:
    """What changed from the revision the user saw to the newest one (None if unknown)."""
    if seen is None or seen >= newest:
        return None
    found = {r.number: r for r in postmortem.revisions.filter(number__in=[seen, newest])}
    if seen not in found:
        return None
    return compare_revisions(found[seen], found[newest])


def _conflict_response(
    request: HttpRequest, postmortem: Postmortem, revision: Revision, seen: int | None, newest: int
) -> HttpResponse:
    since = postmortem.revisions.order_by("-number")
    if seen is not None:
        since = since.filter(number__gt=seen)
    context: dict[str, Any] = {
        "postmortem": postmortem,
        "revision": revision,
        "seen": seen,
        "newest": newest,
        "since": since.values(
            "number", "created_at", "summary", "author__display_name", "author__username"
        )[:SHOWN_SINCE],
        "since_count": since.count(),
        "diff": _changes_since(postmortem, seen, newest),
    }
    return render_conflict_page(request, "postmortems/restore_conflict.html", context)
