"""Suggested game days for one reader: the recurring (service, category) pairs of the insights
pages and the done action items whose factor recurred (``actions.Recurrence``)."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.actions.models import Recurrence
from secondstory.core.gamedays.suggestions import (
    RecurredItem,
    Suggestion,
    from_recurred_item,
    from_recurring_pair,
    ranked,
)
from secondstory.insights import factor_figures as insights
from secondstory.insights.scope import Scope, date_range
from secondstory.postmortems.models import FactorCategory

MAX_RECURRED = 50


def _recurring(user: User) -> list[Suggestion]:
    today = timezone.localdate()
    scope = Scope(date_range({}, today), today)
    _counts, candidates = insights.categories_and_candidates(scope)
    names = dict(FactorCategory.objects.values_list("code", "name"))
    return [
        from_recurring_pair(
            pair.service,
            pair.category,
            pair.postmortems,
            pair.keys,
            category_name=names.get(pair.category, pair.category),
        )
        for pair in insights.readable_pairs(user, candidates)
    ]


def _recurred(user: User) -> list[Suggestion]:
    rows = (
        Recurrence.objects.filter(item__status="done")
        .select_related("item__postmortem", "factor__postmortem", "factor__category")
        .order_by("-found_at")[: MAX_RECURRED * 4]
    )
    visible = set(
        permissions.visible_postmortems(user)
        .filter(
            pk__in={r.item.postmortem_id for r in rows} | {r.factor.postmortem_id for r in rows}
        )
        .values_list("pk", flat=True)
    )
    items: dict[int, list[Recurrence]] = defaultdict(list)
    for row in rows:
        if row.item.postmortem_id in visible:
            items[row.item_id].append(row)
    return [_recurred_item(found, visible) for found in list(items.values())[:MAX_RECURRED]]


def _recurred_item(found: list[Recurrence], visible: set[int]) -> Suggestion:
    item = found[0].item
    services = item.postmortem.incidents.values_list("services__slug", flat=True)
    return from_recurred_item(
        RecurredItem(
            postmortem=item.postmortem.key,
            item=item.key,
            title=item.title,
            services=tuple(sorted({s for s in services if s})),
            categories=tuple(sorted({r.factor.category.code for r in found})),
            recurred_in=tuple(
                sorted(
                    {r.factor.postmortem.key for r in found if r.factor.postmortem_id in visible}
                )
            ),
        )
    )


def suggested_game_days(user: User) -> list[Suggestion]:
    """What this reader is suggested to probe, fixes that did not hold first."""
    return ranked([*_recurred(user), *_recurring(user)])


def suggestion(user: User, source: str) -> Suggestion | None:
    """The suggestion identified by ``source`` (as in its link), if this reader sees it."""
    return next((s for s in suggested_game_days(user) if s.source == source), None)
