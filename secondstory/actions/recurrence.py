"""Did it work? Recurrence of a contributing factor after the action item that addressed it.

A done action item watches the factor categories it addressed (its factors' categories) on the
services it addressed (the services of its postmortem's incidents). A contributing factor of
another postmortem is a recurrence of the item when it has one of those categories and one of
that postmortem's incidents is on one of those services and started (its "impact started"
milestone, else when the incident was created) after the item was completed, at most
``SECONDSTORY_RECURRENCE_DAYS`` days later, and its description is the same kind of failure as
a factor of that category the item addressed: they share specific terms (see
:mod:`secondstory.actions.kind`), which the pages show as the reason.

This module finds the matches in a constant number of queries; the pages show them as a
reader may see them (:mod:`secondstory.actions.recurrence_evidence`), and the worker records
them as ``Recurrence`` rows and tells each item's owner once
(:mod:`secondstory.actions.recurrence_checks`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from secondstory.actions.kind import generic_terms, shared_terms, terms
from secondstory.actions.models import ActionItem
from secondstory.incidents.models import Incident, Milestone
from secondstory.postmortems.models import ContributingFactor


def window_days() -> int:
    """How many days after completion a done item is watched (SECONDSTORY_RECURRENCE_DAYS)."""
    return int(getattr(settings, "SECONDSTORY_RECURRENCE_DAYS", 180))


@dataclass(frozen=True, slots=True)
class _Incident:
    start: datetime
    services: frozenset[int]


@dataclass(slots=True)
class _Item:
    id: int
    key: str
    postmortem_id: int
    postmortem_key: str
    completed_at: datetime
    categories: set[int] = field(default_factory=set)
    services: set[int] = field(default_factory=set)
    # category id -> the specific terms of each factor of that category the item addressed
    addressed: dict[int, list[frozenset[str]]] = field(default_factory=dict)


@dataclass(slots=True)
class _Factor:
    id: int
    key: str
    postmortem_id: int
    postmortem_key: str
    postmortem_title: str
    category_id: int
    category_name: str
    incidents: list[_Incident] = field(default_factory=list)
    terms: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Match:
    """One recurrence: ``factor`` (of a later postmortem) came back after ``item`` was done."""

    item_id: int
    item_key: str
    item_postmortem_id: int
    item_postmortem_key: str
    factor_id: int
    factor_key: str
    factor_postmortem_id: int
    factor_postmortem_key: str
    factor_postmortem_title: str
    category: str
    service_ids: tuple[int, ...]
    started_at: datetime
    days: int
    shared: tuple[str, ...] = ()  # the specific terms that make it the same kind


def _with_start(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """``incidents`` annotated with ``start``: impact started, else when it was recorded."""
    impact = Milestone.objects.filter(incident=OuterRef("pk"), kind__code="impact_started")
    return incidents.annotate(start=Coalesce(Subquery(impact.values("at")[:1]), "created_at"))


def _incidents_of(
    postmortem_ids: Iterable[int],
) -> tuple[dict[int, list[_Incident]], list[str]]:
    """Each postmortem's incidents with their start and services, and the slugs and names of
    those services (two queries)."""
    rows = _with_start(Incident.objects.filter(postmortems__in=set(postmortem_ids))).values_list(
        "postmortems", "pk", "start"
    )
    rows_list = list(rows)
    services: dict[int, set[int]] = defaultdict(set)
    names: set[str] = set()
    through = Incident.services.through.objects.filter(incident_id__in={r[1] for r in rows_list})
    for incident_id, service_id, slug, name in through.values_list(
        "incident_id", "service_id", "service__slug", "service__name"
    ):
        services[incident_id].add(service_id)
        names.update((slug, name))
    result: dict[int, list[_Incident]] = defaultdict(list)
    for postmortem_id, incident_id, start in rows_list:
        result[postmortem_id].append(_Incident(start, frozenset(services[incident_id])))
    return result, sorted(names)


# A factor's category, as the words too general to tell two failures apart.
_CATEGORY_WORDS = ("category__code", "category__name", "category__description")


def _generic(words: dict[int, tuple[str, ...]], services: list[str]) -> dict[int, frozenset[str]]:
    """Per category id, the words too general to tell two failures apart: the category's
    code, name and description and the slugs and names of the services involved."""
    return {pk: generic_terms([*texts, *services]) for pk, texts in words.items()}


_ItemRow = tuple[int, str, int, str, datetime]


def _done_rows(items: QuerySet[ActionItem]) -> list[_ItemRow]:
    """The done ones of ``items`` (one query)."""
    return list(
        items.filter(status="done", completed_at__isnull=False).values_list(
            "pk", "key", "postmortem_id", "postmortem__key", "completed_at"
        )
    )


def _load_items(items: QuerySet[ActionItem], rows: list[_ItemRow] | None = None) -> list[_Item]:
    """Done items with the categories and services they watch (four queries, three when
    ``rows`` are the done items already read by ``_done_rows``)."""
    rows = _done_rows(items) if rows is None else rows
    loaded = {pk: _Item(pk, key, pm, pm_key, done) for pk, key, pm, pm_key, done in rows}
    if not loaded:
        return []
    through = ActionItem.factors.through.objects.filter(actionitem_id__in=loaded)
    addressed = list(
        through.values_list(
            "actionitem_id", "contributingfactor__category_id", "contributingfactor__description",
            *(f"contributingfactor__{w}" for w in _CATEGORY_WORDS),
        )
    )  # fmt: skip
    for item_id, category_id, *_ in addressed:
        loaded[item_id].categories.add(category_id)
    incidents, services = _incidents_of({i.postmortem_id for i in loaded.values()})
    for item in loaded.values():
        for incident in incidents.get(item.postmortem_id, []):
            item.services.update(incident.services)
    generic = _generic({row[1]: tuple(row[3:]) for row in addressed}, services)
    for item_id, category_id, description, *_ in addressed:
        found = terms(description, generic.get(category_id, frozenset()))
        loaded[item_id].addressed.setdefault(category_id, []).append(found)
    return [i for i in loaded.values() if i.categories and i.services]


def _load_factors(factors: QuerySet[ContributingFactor]) -> list[_Factor]:
    """Factors with their postmortem's incidents and their specific terms (three queries)."""
    rows = list(factors.values_list(
        "pk", "key", "postmortem_id", "postmortem__key", "postmortem__title",
        "category_id", "category__name", "description", *_CATEGORY_WORDS,
    ))  # fmt: skip
    loaded = [_Factor(*row[:7]) for row in rows]
    incidents, services = _incidents_of({f.postmortem_id for f in loaded})
    for factor in loaded:
        factor.incidents = incidents.get(factor.postmortem_id, [])
    generic = _generic({row[5]: tuple(row[8:]) for row in rows}, services)
    for factor, row in zip(loaded, rows, strict=True):
        factor.terms = terms(row[7], generic.get(factor.category_id, frozenset()))
    return loaded


def _pair(items: list[_Item], factors: list[_Factor], window: int) -> list[Match]:
    """Every (item, factor) pair that is a recurrence, with the earliest qualifying incident.

    Incidents are indexed by (category, service) and sorted by start, so each item looks only
    at the incidents inside its window.
    """
    index: dict[tuple[int, int], list[tuple[datetime, int, _Incident]]] = defaultdict(list)
    for n, factor in enumerate(factors):
        for incident in factor.incidents:
            for service in incident.services:
                index[(factor.category_id, service)].append((incident.start, n, incident))
    for entries in index.values():
        entries.sort(key=lambda entry: (entry[0], entry[1]))
    starts = {slot: [entry[0] for entry in entries] for slot, entries in index.items()}
    limit = timedelta(days=window)
    matches: list[Match] = []
    for item in items:
        first: dict[int, _Incident] = {}
        kinds: dict[int, tuple[str, ...]] = {}
        for slot in ((c, s) for c in item.categories for s in item.services):
            if slot not in index:
                continue
            lo = bisect_right(starts[slot], item.completed_at)
            hi = bisect_right(starts[slot], item.completed_at + limit)
            for start, n, incident in index[slot][lo:hi]:
                known = first.get(n)
                if factors[n].postmortem_id == item.postmortem_id or (
                    known is not None and start >= known.start
                ):
                    continue
                shared = kinds[n] if n in kinds else _same_kind(item, factors[n])
                kinds[n] = shared
                if shared:
                    first[n] = incident
        matches.extend(
            _match(item, factors[n], incident, kinds[n]) for n, incident in first.items()
        )
    matches.sort(key=lambda m: (m.item_id, m.days, m.factor_postmortem_key, m.factor_key))
    return matches


def _same_kind(item: _Item, factor: _Factor) -> tuple[str, ...]:
    """The terms ``factor`` shares with the closest factor of its category that ``item``
    addressed, or ``()`` when it is not the same kind of failure as any of them."""
    candidates = (shared_terms(a, factor.terms) for a in item.addressed.get(factor.category_id, []))
    return max(candidates, key=len, default=())


def _match(item: _Item, factor: _Factor, incident: _Incident, shared: tuple[str, ...]) -> Match:
    return Match(
        item.id, item.key, item.postmortem_id, item.postmortem_key,
        factor.id, factor.key, factor.postmortem_id, factor.postmortem_key,
        factor.postmortem_title, factor.category_name,
        tuple(sorted(incident.services & item.services)), incident.start,
        (incident.start - item.completed_at).days, shared,
    )  # fmt: skip


def find_matches(items: QuerySet[ActionItem]) -> list[Match]:
    """The recurrences of ``items`` (only done ones count), in a constant number of queries."""
    return _matches_of(_load_items(items))


def _matches_of(watched: list[_Item]) -> list[Match]:
    if not watched:
        return []
    categories = set().union(*(i.categories for i in watched))
    services = set().union(*(i.services for i in watched))
    window = window_days()
    # A game day's findings are rehearsals, not recurrences (docs/game-days.md).
    real = Incident.objects.filter(services__in=services, is_exercise=False)
    in_window = _with_start(real).filter(
        start__gt=min(i.completed_at for i in watched),
        start__lte=max(i.completed_at for i in watched) + timedelta(days=window),
    )
    candidates = ContributingFactor.objects.filter(
        category_id__in=categories, postmortem__incidents__in=in_window.values("pk")
    ).distinct()
    return _pair(watched, _load_factors(candidates), window)


def find_matches_for_factors(factors: QuerySet[ContributingFactor]) -> list[Match]:
    """The done items that ``factors`` recurred after, in a constant number of queries."""
    loaded = _load_factors(factors.filter(postmortem__is_exercise=False))
    starts = [incident.start for f in loaded for incident in f.incidents]
    if not starts:
        return []
    earliest = min(starts) - timedelta(days=window_days())
    items = ActionItem.objects.filter(
        status="done",
        completed_at__gte=earliest,
        completed_at__lt=max(starts),
        factors__category_id__in={f.category_id for f in loaded},
        postmortem__incidents__services__in={
            s for f in loaded for i in f.incidents for s in i.services
        },
    ).distinct()
    return _pair(_load_items(items), loaded, window_days())
