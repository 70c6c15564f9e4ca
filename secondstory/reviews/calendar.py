"""Review meetings in the calendar feeds (docs/calendar.md): the meetings a feed's
people are invited to or facilitate, of postmortems every reader of the feed may read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from icalendar import Event

from secondstory.accounts import permissions
from secondstory.accounts.models import Team, User
from secondstory.core.reviews import invite
from secondstory.reviews.invites import calendar_meeting
from secondstory.reviews.models import ReviewMeeting


def feed_meetings(
    *, user: User | None, team: Team | None, readers: Iterable[User]
) -> list[ReviewMeeting]:
    """Scheduled and held meetings of ``user`` (or of ``team``'s members); cancelled ones
    leave the calendar at its next refresh."""
    if team is not None:
        concerned = Q(attendees__teams=team) | Q(facilitator__teams=team)
    else:
        concerned = Q(attendees=user) | Q(facilitator=user)
    meetings = ReviewMeeting.objects.filter(concerned, status__in=("scheduled", "held"))
    for reader in {person.pk: person for person in readers}.values():
        if not permissions.is_admin(reader):
            meetings = meetings.filter(postmortem__in=permissions.visible_postmortems(reader))
    chosen = meetings.values_list("pk", flat=True).distinct()
    return list(
        ReviewMeeting.objects.filter(pk__in=list(chosen))
        .select_related("postmortem", "facilitator", "organizer")
        .prefetch_related("attendees")
        .order_by("starts_at", "id")
    )


def feed_event(meeting: ReviewMeeting, stamp: datetime) -> Event:
    return invite.event(calendar_meeting(meeting), stamp)
