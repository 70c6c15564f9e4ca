"""Periodic work of the sharing app: the digest of newly published postmortems.

``send_publication_digests`` runs from the worker's periodic jobs. Each subscriber gets at
most one digest per period (``SECONDSTORY_PUBLICATION_DIGEST``: "weekly", the default, or
"daily"), listing the postmortems of the teams, services and tags they follow that were
published since their previous digest and that they may read.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.lib import site
from secondstory.notify.channels import Message
from secondstory.notify.models import Delivery
from secondstory.notify.services import Run, deliver_message
from secondstory.notify.stopping import stop_requested
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import visible_postmortems
from secondstory.sharing.models import DigestCursor, Subscription

logger = logging.getLogger(__name__)

KIND = "digest_published"
PERIODS = ("weekly", "daily")


def digest_period() -> str:
    period = str(getattr(settings, "SECONDSTORY_PUBLICATION_DIGEST", "weekly")).strip().lower()
    if period not in PERIODS:
        raise ValueError(
            f"SECONDSTORY_PUBLICATION_DIGEST: use one of {', '.join(PERIODS)} (got {period!r})."
        )
    return period


def period_label(today: date, period: str) -> str:
    """The period ``today`` belongs to: ``2026-W09`` for weekly digests, the date for daily."""
    if period == "daily":
        return today.isoformat()
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def _news(
    user: User, subscriptions: list[Subscription], since: datetime, until: datetime
) -> list[Postmortem]:
    scope = Q(pk__in=[])
    for subscription in subscriptions:
        if subscription.scope == "team":
            scope |= Q(incidents__teams=subscription.team_id)
        elif subscription.scope == "service":
            scope |= Q(incidents__services=subscription.service_id)
        elif subscription.scope == "tag":
            scope |= Q(incidents__tags=subscription.tag_id)
        else:
            scope = Q()
            break
    ids = (
        visible_postmortems(user)
        .filter(status="published", published_at__gt=since, published_at__lte=until)
        .filter(scope)
        .values("pk")
    )
    return list(
        Postmortem.objects.filter(pk__in=ids).select_related("owner").order_by("published_at")
    )


def _restricted_ids(postmortems: list[Postmortem]) -> set[int]:
    return set(
        Postmortem.objects.filter(
            pk__in=[pm.pk for pm in postmortems], incidents__visibility="restricted"
        ).values_list("pk", flat=True)
    )


def _line(postmortem: Postmortem, *, hide_title: bool) -> str:
    url = site.base_url() + reverse("postmortems:detail", args=[postmortem.key])
    title = "(restricted postmortem)" if hide_title else postmortem.title
    published = postmortem.published_at.date().isoformat() if postmortem.published_at else ""
    return f"- {postmortem.key} {title} (published {published}, {postmortem.owner.name})\n  {url}"


def _following(subscriptions: list[Subscription]) -> str:
    return ", ".join(subscription.scope_label for subscription in subscriptions)


def digest_for(
    user: User, subscriptions: list[Subscription], since: datetime, until: datetime, label: str
) -> tuple[Message, list[Postmortem]] | None:
    """The digest message for ``user``, or None when nothing new was published."""
    news = _news(user, subscriptions, since, until)
    if not news:
        return None
    restricted = _restricted_ids(news)
    count = f"{len(news)} newly published postmortem{'s' if len(news) != 1 else ''}"
    head = f"{user.name}, {count} from what you follow ({_following(subscriptions)}):\n\n"
    foot = "\n\nChange what you follow: " + site.base_url()
    foot += reverse("sharing:index")
    text = head + "\n".join(_line(pm, hide_title=False) for pm in news) + foot
    shared = head + "\n".join(_line(pm, hide_title=pm.pk in restricted) for pm in news) + foot
    subject = f"{count} ({label})"
    message = Message(
        kind=KIND,
        subject=subject,
        text=text,
        recipient=user,
        restricted=bool(restricted),
        shared_subject=subject,
        shared_text=shared,
    )
    return message, news


def digest_key(user: User, label: str) -> str:
    return f"{KIND}:{user.pk}:{label}"


def send_publication_digests(today: date | None = None) -> list[Delivery]:
    """Send each subscriber's digest of newly published postmortems, once per period.

    Postmortems published since the subscriber's previous digest (or since they first
    subscribed) are listed. Once the digest is queued to some channel the cursor moves on;
    a channel that failed is retried by the worker's sweep (at most three tries in all), so
    the digest is composed once and sent as composed. Returns the deliveries tried now.
    """
    period = digest_period()
    now = timezone.now()
    today = today or timezone.localdate(now)
    label = period_label(today, period)
    by_user: dict[int, list[Subscription]] = {}
    subscriptions = Subscription.objects.select_related("user", "team", "service", "tag")
    for subscription in subscriptions.filter(user__is_active=True).order_by("user_id", "id"):
        by_user.setdefault(subscription.user_id, []).append(subscription)
    cursors = {c.user_id: c for c in DigestCursor.objects.filter(user_id__in=list(by_user))}
    deliveries: list[Delivery] = []
    run = Run(now)
    for user_id, mine in by_user.items():
        if stop_requested():
            break
        user = mine[0].user
        cursor = cursors.get(user_id)
        if cursor is not None and cursor.period == label:
            continue
        since = cursor.through if cursor else min(s.created_at for s in mine)
        built = digest_for(user, mine, since, now, label)
        if built is None:
            continue
        message, _ = built
        key = digest_key(user, label)
        deliveries += deliver_message(message, item=None, key=key, run=run)
        if Delivery.objects.filter(recipient=user, key=key).exists():
            DigestCursor.objects.update_or_create(
                user=user, defaults={"through": now, "period": label}
            )
        else:
            logger.info("no channel reaches %s; publication digest composed again next run", user)
    return deliveries
