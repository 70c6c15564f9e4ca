"""Sharing what was learned: feed tokens, scopes, subscriptions, customer summaries and
"on this day"."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts import permissions
from secondstory.accounts.models import Team, User
from secondstory.incidents.models import Milestone, Service, Tag
from secondstory.lib import site
from secondstory.lib.kept import Kept
from secondstory.postmortems.models import LONG_TEXT, Postmortem
from secondstory.postmortems.services import can_read, visible_postmortems
from secondstory.sharing.models import CustomerSummary, FeedToken, Subscription

# The longest customer summary accepted, in characters.
MAX_CUSTOMER_SUMMARY = 20_000
# The most entries an Atom feed carries.
FEED_LENGTH = 50
# The most past incidents the home page shows "on this day".
ON_THIS_DAY_LIMIT = 10
CUSTOMER_SUMMARY_SKELETON = (
    "## What happened\n\n\n## Impact on you\n\n\n## What we are changing\n\n"
)


class ScopeError(ValueError):
    """A scope value that names no known team, service or tag; the message names the field."""


@dataclass(frozen=True)
class Scope:
    kind: str
    team: Team | None = None
    service: Service | None = None
    tag: Tag | None = None

    def fields(self) -> dict[str, object]:
        return {"scope": self.kind, "team": self.team, "service": self.service, "tag": self.tag}


def parse_scope(value: str, *, allow_all: bool = True) -> Scope:
    """ "all", "team:<slug>", "service:<slug>" or "tag:<slug>" as a Scope."""
    value = value.strip()
    if value == "all" and allow_all:
        return Scope("all")
    kind, _, slug = value.partition(":")
    models: dict[str, type[Team] | type[Service] | type[Tag]] = {
        "team": Team,
        "service": Service,
        "tag": Tag,
    }
    model = models.get(kind)
    if model is None or not slug:
        choices = "all, " if allow_all else ""
        raise ScopeError(f"scope: choose {choices}a team, a service or a tag.")
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise ScopeError(f"scope: there is no {kind} “{slug}”.")
    return Scope(kind, **{kind: found})


def scope_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped options of the scope select: teams, services and tags."""
    return [
        ("Teams", [(f"team:{t.slug}", t.name) for t in Team.objects.order_by("name")]),
        ("Services", [(f"service:{s.slug}", s.name) for s in Service.objects.order_by("name")]),
        ("Tags", [(f"tag:{t.slug}", t.slug) for t in Tag.objects.order_by("slug")]),
    ]


def published_for(user: User, scope: FeedToken | Subscription | Scope) -> QuerySet[Postmortem]:
    """The published postmortems of ``scope`` that ``user`` may read, newest first."""
    found = visible_postmortems(user).filter(status="published", published_at__isnull=False)
    kind = scope.kind if isinstance(scope, Scope) else scope.scope
    if kind == "team":
        found = found.filter(incidents__teams=scope.team)
    elif kind == "service":
        found = found.filter(incidents__services=scope.service)
    elif kind == "tag":
        found = found.filter(incidents__tags=scope.tag)
    ids = found.values("pk")
    return (
        Postmortem.objects.filter(pk__in=ids)
        .select_related("owner")
        .order_by("-published_at", "-pk")
    )


# Feed tokens -------------------------------------------------------------------------------


def token_digest(raw: str) -> str:
    """The SHA-256 hex digest stored instead of the token itself."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewFeed:
    """A just-created feed with its token in clear: the only moment the token is known."""

    token: FeedToken
    raw: str

    @property
    def url(self) -> str:
        return feed_url(self.raw)


def feed_url(raw: str) -> str:
    return site.base_url() + reverse("sharing:atom", args=[raw])


def create_feed(*, created_by: User, scope: Scope) -> NewFeed:
    raw = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(
        token_hash=token_digest(raw), hint=raw[:6], created_by=created_by, **scope.fields()
    )
    return NewFeed(token, raw)


def find_feed(raw: str) -> FeedToken | None:
    """The feed a token belongs to (revoked ones included), or None."""
    tokens = FeedToken.objects.select_related("created_by", "team", "service", "tag")
    return tokens.filter(token_hash=token_digest(raw)).first()


def may_manage(user: User, token: FeedToken) -> bool:
    return permissions.is_admin(user) or token.created_by_id == user.pk


def manageable_feeds(user: User) -> QuerySet[FeedToken]:
    tokens = FeedToken.objects.select_related("created_by", "team", "service", "tag")
    return tokens if permissions.is_admin(user) else tokens.filter(created_by=user)


def revoke(token: FeedToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def touch(token: FeedToken, now: datetime | None = None) -> None:
    """Record a fetch (at most one write a minute per feed)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# Subscriptions -----------------------------------------------------------------------------


def subscribe(user: User, scope: Scope) -> tuple[Subscription, bool]:
    """Follow a team, service or tag; (subscription, created)."""
    lookup = {"user": user, **scope.fields()}
    existing = Subscription.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    return Subscription.objects.create(**lookup), True


def subscriptions_of(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).select_related("team", "service", "tag")


def followers_of(postmortem: Postmortem) -> list[User]:
    """Active people whose publication digest would list ``postmortem``: they follow
    everything, or a team, service or tag of its incidents, and they may read it."""
    incidents = postmortem.incidents.all()
    follows = (
        Q(scope="all")
        | Q(scope="team", team__in=incidents.values("teams"))
        | Q(scope="service", service__in=incidents.values("services"))
        | Q(scope="tag", tag__in=incidents.values("tags"))
    )
    ids = Subscription.objects.filter(follows).values("user")
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")
    return [person for person in people if can_read(person, postmortem)]


# Customer summaries ------------------------------------------------------------------------


def clean_customer_summary(text: str) -> str:
    """The text to store; ValueError with a message naming the field when it is unusable."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ValueError("text: write the customer summary (it may not be empty).")
    if len(text) > MAX_CUSTOMER_SUMMARY:
        raise ValueError(
            f"text: keep the customer summary under {MAX_CUSTOMER_SUMMARY} characters."
        )
    return text + "\n"


@transaction.atomic
def save_customer_summary(postmortem: Postmortem, *, text: str, by: User) -> CustomerSummary:
    summary, _ = CustomerSummary.objects.update_or_create(
        postmortem=postmortem,
        defaults={"text": clean_customer_summary(text), "updated_by": by},
    )
    return summary


def customer_summary_markdown(postmortem: Postmortem, summary: CustomerSummary) -> str:
    """The downloadable Markdown: a title and the customer summary, nothing internal."""
    published = summary.updated_at.date().isoformat()
    return f"# {postmortem.title}\n\n_Updated {published}_\n\n{summary.text}"


# On this day -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastIncident:
    postmortem: Postmortem
    incident_title: str
    started_at: datetime
    years_ago: int


def _same_day_ranges(today: date, zone: ZoneInfo, since: datetime) -> Q:
    """``at`` on this calendar day (in ``zone``) of every earlier year back to ``since``: one
    range per year, which both databases answer from an index (a 29 February only in leap
    years)."""
    ranges = Q(pk__in=[])
    for year in range(today.year - 1, since.astimezone(zone).year - 1, -1):
        try:
            day = date(year, today.month, today.day)
        except ValueError:  # 29 February in a year without one
            continue
        start = datetime.combine(day, time.min, tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        ranges |= Q(at__gte=start, at__lt=end)
    return ranges


# The incidents whose impact started on a calendar day in earlier years, per (day, zone):
# the same for every reader, and milestones change rarely (see secondstory.lib.kept).
_STARTED_ON = Kept(
    ("incidents_milestone", "incidents_milestonekind"),
    setting="SECONDSTORY_KEPT_ANSWERS_SECONDS",
    default=60,
)


def _started_on(today: date, zone: ZoneInfo) -> dict[int, datetime]:
    """Incident id -> impact start, for impact that started on this calendar day (in ``zone``)
    in an earlier year (two queries)."""
    impact = Milestone.objects.filter(kind__code="impact_started")
    earliest = impact.aggregate(first=Min("at"))["first"]
    if earliest is None or today.year <= 1:
        return {}
    found = impact.filter(_same_day_ranges(today, zone, earliest))
    return dict(found.values_list("incident_id", "at"))


def on_this_day(user: User, today: date, zone: ZoneInfo) -> list[PastIncident]:
    """Published postmortems ``user`` may read whose incident's impact started on this
    calendar day (in ``zone``) in an earlier year, most recent year first."""
    started = _STARTED_ON.keep((today, zone.key), lambda: _started_on(today, zone))
    if not started:
        return []
    # It recalls incidents: a game day's exercise is not one (docs/game-days.md).
    readable = visible_postmortems(user).filter(status="published", is_exercise=False).values("pk")
    links = Postmortem.incidents.through.objects.filter(
        incident_id__in=started, postmortem_id__in=readable
    ).values_list("postmortem_id", "postmortem__key", "incident_id", "incident__title")
    latest: dict[int, tuple[datetime, str, str]] = {}  # postmortem -> (start, key, title)
    for postmortem_id, key, incident_id, title in links:
        at, _, first_title = latest.get(postmortem_id, (started[incident_id], key, title))
        latest[postmortem_id] = (max(at, started[incident_id]), key, min(first_title, title))
    chosen = sorted(latest.items(), key=lambda row: (-row[1][0].timestamp(), row[1][1]))
    chosen = chosen[:ON_THIS_DAY_LIMIT]
    postmortems = Postmortem.objects.defer(*LONG_TEXT).in_bulk([pk for pk, _ in chosen])
    return [
        PastIncident(postmortems[pk], title, at, today.year - at.astimezone(zone).year)
        for pk, (at, _, title) in chosen
    ]
