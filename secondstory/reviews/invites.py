"""Invites of a review meeting: the ``.ics`` text, and emails queued for the worker.

A request only queues one ``Delivery`` per person (with the invite attached) and enqueues
``send_invites``; the worker sends them. A failing mail server therefore never breaks the
page, and what failed is retried by the worker's sweep (docs/reminders.md).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core.reviews import invite
from secondstory.lib import site
from secondstory.lib.timezones import parse_zone
from secondstory.notify import outbox
from secondstory.notify.channels import Message, active_channels
from secondstory.reviews.models import ReviewMeeting

logger = logging.getLogger(__name__)


def meeting_url(meeting: ReviewMeeting) -> str:
    path = reverse("reviews:meeting", args=[meeting.postmortem.key, meeting.pk])
    return f"{site.base_url()}{path}"


def invitees(meeting: ReviewMeeting) -> list[User]:
    """The attendees and the facilitator, each once, in a stable order."""
    people = {person.pk: person for person in meeting.attendees.all()}
    if meeting.facilitator is not None:
        people.setdefault(meeting.facilitator.pk, meeting.facilitator)
    return sorted(people.values(), key=lambda person: person.pk)


def _person(user: User) -> invite.Person:
    return invite.Person(user.name, user.email or f"{user.username}@invalid")


def local_start(meeting: ReviewMeeting) -> datetime:
    """The start in the zone it was scheduled in."""
    zone = parse_zone(meeting.time_zone)
    return timezone.localtime(meeting.starts_at, zone) if zone else meeting.starts_at


def when(meeting: ReviewMeeting) -> str:
    """The time as scheduled, in its own zone: "Tuesday 15 December 2026, 15:00 (Europe/Paris)"."""
    start = local_start(meeting)
    return f"{start:%A} {start.day} {start:%B %Y, %H:%M} ({meeting.time_zone})"


def description(meeting: ReviewMeeting) -> str:
    postmortem = meeting.postmortem
    lines = [
        f"Review of {postmortem.key}: {postmortem.title}",
        f"When: {when(meeting)}, {meeting.duration_minutes} minutes",
    ]
    if meeting.facilitator is not None:
        lines.append(f"Facilitator: {meeting.facilitator.name}")
    if meeting.location:
        lines.append(f"Where: {meeting.location}")
    lines += ["", "Please read the draft before the meeting.", meeting_url(meeting)]
    return "\n".join(lines)


def calendar_meeting(
    meeting: ReviewMeeting, *, people: list[User] | None = None, cancelled: bool = False
) -> invite.Meeting:
    """The meeting as the invite tells it, to ``people`` (default: everybody invited)."""
    postmortem = meeting.postmortem
    return invite.Meeting(
        uid=f"review-{meeting.uid}@secondstory",
        sequence=meeting.sequence,
        start=meeting.starts_at,
        duration=timedelta(minutes=meeting.duration_minutes),
        summary=f"Postmortem review: {postmortem.key} {postmortem.title}",
        description=description(meeting),
        location=meeting.location,
        url=meeting_url(meeting),
        organizer=_person(meeting.organizer),
        attendees=[_person(person) for person in (people or invitees(meeting))],
        cancelled=cancelled or meeting.status == "cancelled",
    )


def ics(
    meeting: ReviewMeeting,
    stamp: datetime | None = None,
    *,
    people: list[User] | None = None,
    cancelled: bool = False,
) -> str:
    """The invite (METHOD:REQUEST) or cancellation (METHOD:CANCEL) of ``meeting``."""
    described = calendar_meeting(meeting, people=people, cancelled=cancelled)
    text = invite.render_invite(described, stamp or timezone.now())
    return text.decode("utf-8")


def _message(meeting: ReviewMeeting, person: User, calendar: str, kind: str) -> Message:
    postmortem = meeting.postmortem
    start = local_start(meeting)
    verb = {"review_invite": "Invitation", "review_update": "Updated invitation"}.get(
        kind, "Cancelled"
    )
    subject = f"{verb}: review of {postmortem.key} on {start:%d %b %Y %H:%M} ({meeting.time_zone})"
    return Message(
        kind=kind, subject=subject, text=description(meeting), recipient=person, calendar=calendar
    )


def queue_invites(
    meeting: ReviewMeeting, kind: str, *, people: list[User] | None = None
) -> list[int]:
    """Queue one email with the invite for each invitee (or ``people``, who get a
    cancellation of their copy); return the deliveries' ids.

    Only personal email channels carry invites (a shared channel would leak who is invited
    to a restricted review). The key holds the sequence, so each version goes out once.
    """
    channels = [channel for channel in active_channels() if channel.personal]
    calendar = ics(meeting, people=people, cancelled=people is not None)
    key = f"{kind}:{meeting.uid}:{meeting.sequence}"
    ids = []
    for person in people if people is not None else invitees(meeting):
        message = _message(meeting, person, calendar, kind)
        for channel in channels:
            if channel.can_reach(person):
                ids.append(outbox.queue(channel, message, item=None, key=key).pk)
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(ids: list[int]) -> None:
    from secondstory.reviews.tasks import send_invites

    try:
        send_invites.enqueue(ids)
    except DatabaseError as exc:  # the worker's sweep sends queued rows anyway
        logger.warning("could not enqueue review invites (sent by the next sweep): %s", exc)
