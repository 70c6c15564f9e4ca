"""Revisions: every saved change keeps who, when, what, and the whole postmortem after it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core.exchange import render_postmortem
from secondstory.library.index import index_postmortem
from secondstory.postmortems.models import Postmortem, Revision
from secondstory.postmortems.records import postmortems_for_export, record_for


def snapshot(postmortem: Postmortem) -> str:
    """The postmortem as it is in the database now, in the exchange format."""
    fresh = postmortems_for_export().get(pk=postmortem.pk)
    return render_postmortem(record_for(fresh))


@transaction.atomic
def record_revision(
    postmortem: Postmortem, *, author: User | None, summary: str
) -> Revision | None:
    """Keep a revision after a change; None when nothing changed since the last one.

    Call it inside the transaction of the change, after the change is saved.
    """
    index_postmortem(postmortem)
    text = snapshot(postmortem)
    last = postmortem.revisions.order_by("-number").first()
    if last is not None and last.snapshot == text:
        return None
    number = (postmortem.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    return Revision.objects.create(
        postmortem=postmortem,
        number=number,
        author=author,
        created_at=timezone.now(),
        summary=summary[:300],
        snapshot=text,
    )
