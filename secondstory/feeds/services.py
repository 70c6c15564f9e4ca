"""Calendar feeds: create, find and revoke feed tokens, and render a feed as iCalendar."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from secondstory.accounts import permissions
from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.feeds.models import CalendarToken
from secondstory.lib import site
from secondstory.postmortems.services import visible_postmortems
from secondstory.reviews import calendar as review_calendar
from secondstory.reviews.models import ReviewMeeting

# Only items still to be done appear in a feed; done and not-doing items are left out.
OPEN_STATUSES = ("open", "in_progress")
PRODID = "-//secondstory//Action item due dates//EN"


def token_digest(raw: str) -> str:
    """The SHA-256 hex digest stored instead of the token itself."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewFeed:
    """A just-created feed with its token in clear: the only moment the token is known."""

    token: CalendarToken
    raw: str

    @property
    def url(self) -> str:
        return feed_url(self.raw)


def feed_url(raw: str) -> str:
    base = site.base_url()
    return base + reverse("feeds:calendar", args=[raw])


def may_create_for_team(user: User, team: Team) -> bool:
    """Members create feeds for their teams; staff for any team."""
    return permissions.is_admin(user) or team.members.filter(pk=user.pk).exists()


def may_manage(user: User, token: CalendarToken) -> bool:
    """The creator, the person a personal feed belongs to, and staff see and revoke a feed."""
    return permissions.is_admin(user) or user.pk in (token.created_by_id, token.user_id)


def manageable_tokens(user: User) -> QuerySet[CalendarToken]:
    tokens = CalendarToken.objects.select_related("user", "team", "created_by")
    if permissions.is_admin(user):
        return tokens
    return tokens.filter(created_by=user) | tokens.filter(user=user)


def create_token(*, created_by: User, team: Team | None = None) -> NewFeed:
    """A personal feed for ``created_by``, or a feed for ``team`` (members and staff only)."""
    if team is not None and not may_create_for_team(created_by, team):
        raise PermissionError("only members of a team (and staff) create feeds for it")
    raw = secrets.token_urlsafe(32)
    token = CalendarToken.objects.create(
        token_hash=token_digest(raw),
        hint=raw[:6],
        user=None if team is not None else created_by,
        team=team,
        created_by=created_by,
    )
    return NewFeed(token, raw)


def revoke(token: CalendarToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def find_token(raw: str) -> CalendarToken | None:
    """The feed a token belongs to (revoked ones included), or None."""
    tokens = CalendarToken.objects.select_related("user", "team", "created_by")
    return tokens.filter(token_hash=token_digest(raw)).first()


def is_live(token: CalendarToken) -> bool:
    """A feed answers while it is not revoked and its people still have access: the creator's
    (and a personal feed's owner's) account is active, and the creator of a team feed is
    still a member of the team or staff."""
    if token.revoked_at is not None or not token.created_by.is_active:
        return False
    if token.team is not None:
        return may_create_for_team(token.created_by, token.team)
    return token.user is not None and token.user.is_active


def readers(token: CalendarToken) -> list[User]:
    """Everybody a feed's content must be readable by: its creator, and the person of a
    personal feed or every active member of a team feed."""
    people = [token.created_by]
    if token.team is not None:
        people += list(token.team.members.filter(is_active=True))
    elif token.user is not None:
        people.append(token.user)
    return people


def feed_items(token: CalendarToken) -> QuerySet[ActionItem]:
    """The open and in-progress items of a feed that every one of its readers may read.

    A personal feed lists the items its person owns; a team feed the items owned by the
    team's members. Items of restricted postmortems appear only when all readers may read
    them (for a team feed: every current member of the team).
    """
    items = ActionItem.objects.filter(status__in=OPEN_STATUSES)
    if token.team is not None:
        items = items.filter(owner__teams=token.team)
    else:
        items = items.filter(owner=token.user)
    for reader in {person.pk: person for person in readers(token)}.values():
        if not permissions.is_admin(reader):
            items = items.filter(postmortem__in=visible_postmortems(reader))
    return items.select_related("owner", "postmortem").distinct().order_by("due", "id")


def touch(token: CalendarToken, now: datetime | None = None) -> None:
    """Record a fetch (at most one write a minute per feed)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def item_url(item: ActionItem) -> str:
    base = site.base_url()
    return f"{base}{reverse('postmortems:detail', args=[item.postmortem.key])}#action-{item.key}"


def _event(item: ActionItem, stamp: datetime) -> Event:
    link = item_url(item)
    event = Event()
    event.add("uid", f"{item.pk}@secondstory")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.due)
    event.add("dtend", item.due + timedelta(days=1))
    exercise = " [game day exercise]" if item.postmortem.is_exercise else ""
    event.add("summary", f"Due: {item.title} ({item.postmortem.key}){exercise}")
    event.add(
        "description",
        "\n".join(
            [
                f"Owner: {item.owner.name}",
                f"Status: {item.get_status_display()}",
                f"Priority: {item.priority}",
                f"Type: {item.get_type_display()}",
                f"Postmortem: {item.postmortem.key} {item.postmortem.title}",
                link,
            ]
        ),
    )
    event.add("url", link)
    event.add("categories", [item.priority])
    event.add("transp", "TRANSPARENT")
    event.add("last-modified", item.updated_at)
    return event


def feed_meetings(token: CalendarToken) -> list[ReviewMeeting]:
    """The review meetings of a feed's people that every one of its readers may read."""
    return review_calendar.feed_meetings(user=token.user, team=token.team, readers=readers(token))


def render_calendar(
    token: CalendarToken,
    items: list[ActionItem],
    now: datetime,
    meetings: Sequence[ReviewMeeting] = (),
) -> bytes:
    """The RFC 5545 text of a feed (CRLF line ends, lines folded at 75 octets): action-item
    due dates as all-day events, review meetings as timed ones."""

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"secondstory: {token.label}")
    calendar.add(
        "x-wr-caldesc", "Due dates of open and in-progress action items, and review meetings"
    )
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in items:
        calendar.add_component(_event(item, now))
    for meeting in meetings:
        calendar.add_component(review_calendar.feed_event(meeting, now))
    return bytes(calendar.to_ical())
