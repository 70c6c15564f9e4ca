"""What a postmortem's page says about recurrence ("did it work?"), as one reader may see it.

Finding the matches (:mod:`secondstory.actions.recurrence`) reads factors and action items
across the organisation and analyses the text of every candidate factor; that work is the
same for every reader, so it is kept per postmortem between page views
(:mod:`secondstory.actions.recurrence_cache`) and only what depends on the reader (which of
the other postmortems they may read) is computed for each view.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions import recurrence_cache
from secondstory.actions.models import ActionItem
from secondstory.actions.recurrence import (
    Match,
    _done_rows,
    _load_items,
    _matches_of,
    find_matches_for_factors,
    window_days,
)
from secondstory.incidents.models import Service
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.postmortems.services import visible_postmortems


@dataclass(frozen=True, slots=True)
class Shown:
    """A recurrence as one reader may see it; ``url`` and ``key`` are empty when restricted."""

    key: str
    title: str
    url: str
    other_key: str
    category: str
    services: str
    days: int
    shared: str = ""  # "connection, pool": why it counts as the same kind of failure

    @property
    def restricted(self) -> bool:
        return not self.url


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a done action item's page says about recurrence, either way."""

    recurrences: list[Shown]
    days_watched: int
    window: int
    watched: bool = True

    @property
    def window_passed(self) -> bool:
        return self.days_watched >= self.window


def _service_names(matches: list[Match]) -> dict[int, str]:
    ids = {s for m in matches for s in m.service_ids}
    if not ids:
        return {}
    return dict(Service.objects.filter(pk__in=ids).values_list("pk", "name"))


def _readable(user: User | None, postmortem_ids: set[int]) -> set[int]:
    if user is None or not user.is_authenticated or not postmortem_ids:
        return set()
    return set(visible_postmortems(user).filter(pk__in=postmortem_ids).values_list("pk", flat=True))


def _days_since(moment: datetime, now: datetime) -> int:
    return max(0, (now - moment).days)


def _shown(
    m: Match, names: dict[int, str], visible: bool, key: str, anchor: str, title: str = ""
) -> Shown:
    """``m`` linking to ``anchor`` on postmortem ``key``, unnamed when ``visible`` is false."""
    url = reverse("postmortems:detail", args=[key]) + f"#{anchor}"
    return Shown(
        key=key if visible else "",
        title=title if visible else "",
        url=url if visible else "",
        other_key=anchor.split("-", 1)[1] if visible else "",
        category=m.category.lower(),
        services=", ".join(names.get(s, "") for s in m.service_ids),
        days=m.days,
        shared=", ".join(m.shared) if visible else "",
    )


@dataclass(frozen=True, slots=True)
class _ItemMatches:
    """The reader-independent part of ``item_evidence``."""

    done: dict[int, datetime]  # done item id -> completed at
    watched: frozenset[int]  # the done items that watch something
    matches: list[Match]
    names: dict[int, str]  # service id -> name


def _item_matches(postmortem_id: int) -> _ItemMatches:
    items = ActionItem.objects.filter(postmortem_id=postmortem_id)
    rows = _done_rows(items)
    if not rows:
        return _ItemMatches({}, frozenset(), [], {})
    watched = _load_items(items, rows)
    matches = _matches_of(watched)
    done = {row[0]: row[4] for row in rows}
    return _ItemMatches(done, frozenset(i.id for i in watched), matches, _service_names(matches))


def item_evidence(
    postmortem: Postmortem, user: User | None, *, now: datetime | None = None
) -> dict[int, Evidence]:
    """For each done item of ``postmortem``: its recurrences as ``user`` may see them, and how
    long it has been watched. Items that are not done have no entry."""
    now = now or timezone.now()
    found = recurrence_cache.KEPT.keep(
        ("items", postmortem.pk, window_days()), lambda: _item_matches(postmortem.pk)
    )
    if not found.done:
        return {}
    readable = _readable(user, {m.factor_postmortem_id for m in found.matches})
    shown: dict[int, list[Shown]] = defaultdict(list)
    for m in found.matches:
        visible = m.factor_postmortem_id in readable
        key, title = m.factor_postmortem_key, m.factor_postmortem_title
        anchor = f"factor-{m.factor_key}"
        shown[m.item_id].append(_shown(m, found.names, visible, key, anchor, title))
    window = window_days()
    return {
        pk: Evidence(shown[pk], min(_days_since(done_at, now), window), window, pk in found.watched)
        for pk, done_at in found.done.items()
    }


def _factor_matches(postmortem_id: int) -> tuple[list[Match], dict[int, str]]:
    matches = find_matches_for_factors(
        ContributingFactor.objects.filter(postmortem_id=postmortem_id)
    )
    return matches, _service_names(matches)


def factor_recurrences(postmortem: Postmortem, user: User | None) -> dict[int, list[Shown]]:
    """For each factor of ``postmortem``: the done items of earlier postmortems it recurred
    after, as ``user`` may see them."""
    matches, names = recurrence_cache.KEPT.keep(
        ("factors", postmortem.pk, window_days()), lambda: _factor_matches(postmortem.pk)
    )
    readable = _readable(user, {m.item_postmortem_id for m in matches})
    shown: dict[int, list[Shown]] = defaultdict(list)
    for m in matches:
        visible = m.item_postmortem_id in readable
        anchor = f"action-{m.item_key}"
        shown[m.factor_id].append(_shown(m, names, visible, m.item_postmortem_key, anchor))
    return dict(shown)
