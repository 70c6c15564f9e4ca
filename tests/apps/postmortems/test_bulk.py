"""The bulk loader (``secondstory demo --scale``) stores what the general loader stores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.core.demo import stream_postmortems
from secondstory.core.record import PostmortemRecord
from secondstory.incidents.models import (
    ExternalReference,
    Incident,
    Milestone,
    Service,
    Severity,
    Tag,
    TimelineEvent,
)
from secondstory.insights import triggers
from secondstory.insights.bulk_fill import POSTGRES_SUSPENDED, SQLITE_SUSPENDED
from secondstory.insights.models import DurationCount, DurationValue, IncidentStart
from secondstory.library.models import SearchDocument, SearchKeys
from secondstory.postmortems import bulk
from secondstory.postmortems.bulk import bulk_insert
from secondstory.postmortems.models import (
    ContributingFactor,
    FactorCategory,
    Postmortem,
    PostmortemTransition,
)
from secondstory.postmortems.records import load_record

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def records(count: int = 24) -> list[PostmortemRecord]:
    return list(stream_postmortems(count, today=TODAY, seed=11))


def rows(queryset: Any, *fields: str) -> list[tuple[Any, ...]]:
    return sorted(queryset.values_list(*fields), key=repr)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the loaders write, by natural keys (ids differ between the two paths)."""
    incident_key = dict(Incident.objects.values_list("pk", "key"))
    event = TimelineEvent._meta
    event_fields = [
        f.attname for f in event.concrete_fields if f.attname not in ("id", "incident_id")
    ]
    return {
        "incidents": rows(
            Incident.objects,
            "key",
            "title",
            "severity__code",
            "visibility",
            "milestone_order_note",
            "is_exercise",
        ),
        "labels": rows(Incident.objects, "key", "services__slug", "teams__slug", "tags__slug"),
        "references": rows(
            ExternalReference.objects, "incident__key", "system", "identifier", "url"
        ),
        "milestones": rows(
            Milestone.objects, "incident__key", "kind__code", "at", "utc_offset_minutes"
        ),
        "events": rows(TimelineEvent.objects, "incident__key", *event_fields),
        "postmortems": rows(
            Postmortem.objects,
            *[
                f.attname
                for f in Postmortem._meta.concrete_fields
                if f.attname not in ("id", "owner_id", "facilitator_id", "updated_at")
            ],
            "owner__username",
            "facilitator__username",
            "incidents__key",
            "collaborators__username",
            "reviewers__username",
        ),
        "factors": rows(
            ContributingFactor.objects,
            "postmortem__key",
            "key",
            "position",
            "category__code",
            "description",
            "evidence",
            "events__incident__key",
            "events__source_ref",
        ),
        "items": rows(
            ActionItem.objects,
            *[
                f.attname
                for f in ActionItem._meta.concrete_fields
                if f.attname not in ("id", "postmortem_id", "owner_id", "created_at", "updated_at")
            ],
            "postmortem__key",
            "owner__username",
            "factors__key",
        ),
        "transitions": rows(
            PostmortemTransition.objects,
            "postmortem__key",
            "from_status",
            "to_status",
            "by__username",
            "at",
            "note",
        ),
        # The labels' order follows the order PostgreSQL reads the label rows in, which
        # after the undone first load is not the order they were written in: compared as sets.
        "documents": [
            (*row[:5], sorted(row[5].split("\n")), *row[6:-1], natural(row[-1]))
            for row in rows(
                SearchDocument.objects,
                "postmortem__key",
                "title",
                "summary",
                "factors",
                "actions",
                "labels",
                "narrative",
                "timeline",
                "keys",
            )
        ],
        "facets": [
            (key, natural(facets))
            for key, facets in rows(SearchKeys.objects, "document__postmortem__key", "facets")
        ],
        # Every generated incident has milestones, so its start is its first milestone.
        "starts": rows(IncidentStart.objects, "incident__key", "first_milestone", "began"),
        "values": sorted(
            (incident_key[i], metric, minutes)
            for i, metric, minutes in DurationValue.objects.values_list(
                "incident_id", "metric_id", "minutes"
            )
        ),
        "counts": rows(DurationCount.objects.filter(n__gt=0), "metric_id", "month", "minutes", "n"),
    }


def natural(document_keys: str) -> list[str]:
    """A document's key tokens with the ids in them replaced by slugs, codes and usernames."""
    teams = dict(Team.objects.values_list("pk", "slug"))
    names = {
        "xu": dict(User.objects.values_list("pk", "username")),
        "xs": dict(Service.objects.values_list("pk", "slug")),
        "xt": teams,
        "xk": teams,
        "xg": dict(Tag.objects.values_list("pk", "slug")),
        "xv": dict(Severity.objects.values_list("pk", "code")),
        "xf": dict(FactorCategory.objects.values_list("pk", "code")),
    }
    tokens = []
    for token in document_keys.split():
        prefix, rest = token[:2], token[2:]
        named = names.get(prefix, {}).get(int(rest)) if rest.isdigit() else None
        tokens.append(f"{prefix}:{named}" if named else token)
    return sorted(tokens)


class _Undo(Exception):
    pass


def stored_by(load: Callable[[], object]) -> dict[str, list[tuple[Any, ...]]]:
    """What ``load`` stores, then undone, so the other path starts from the same state."""
    try:
        with transaction.atomic():
            load()
            found = snapshot()
            raise _Undo
    except _Undo:
        pass
    return found


def triggers_on() -> set[str]:
    """The names of the insights' triggers that are present and enabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT t.tgname || ' ' || c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                "AND t.tgenabled <> 'D'"
            )
        return {name for (name,) in cursor.fetchall()}


def suspended() -> set[str]:
    if connection.vendor == "sqlite":
        return set(SQLITE_SUSPENDED)
    return {f"{name} {table}" for name, table in POSTGRES_SUSPENDED}


def test_the_bulk_loader_stores_what_the_general_loader_stores() -> None:
    batch = records()
    fast = stored_by(lambda: bulk_insert(batch, batch_size=10))
    general = stored_by(lambda: [load_record(record) for record in batch])
    assert len(fast["postmortems"]) >= len(batch)
    assert fast["values"] and fast["counts"] and fast["documents"]
    for name, found in general.items():
        assert fast[name] == found, name


def test_a_second_run_adds_nothing() -> None:
    batch = records(12)
    assert bulk_insert(batch, batch_size=5) == (12, 0)
    before = snapshot()
    assert bulk_insert(batch, batch_size=5) == (0, 12)
    assert snapshot() == before


def test_the_triggers_are_back_after_each_batch() -> None:
    before = triggers_on()
    assert suspended() <= before
    bulk_insert(records(6), batch_size=4)
    assert triggers_on() == before
    assert triggers.existing(connection) >= set(triggers.start_triggers(connection.vendor))


def test_an_existing_incident_is_refused_with_its_key() -> None:
    (first,) = records(1)
    load_record(first)
    with pytest.raises(ValueError, match=f"incident {first.incidents[0].key} exists already"):
        bulk_insert([replace(first, key="PM-OTHER")])
    assert not Postmortem.objects.filter(key="PM-OTHER").exists()


def test_an_interrupted_batch_leaves_nothing_of_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    batch = records(8)
    calls = []
    index_keys = bulk.index_keys

    def failing(keys: list[str]) -> int:
        calls.append(keys)
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        return index_keys(keys)

    monkeypatch.setattr(bulk, "index_keys", failing)
    before = triggers_on()
    with pytest.raises(RuntimeError, match="interrupted"):
        bulk_insert(batch, batch_size=4)
    first = {r.key for r in batch[:4]}
    assert set(Postmortem.objects.values_list("key", flat=True)) == first
    assert Incident.objects.count() == IncidentStart.objects.count()
    incidents = {i.key for r in batch[:4] for i in r.incidents}
    assert set(Incident.objects.values_list("key", flat=True)) == incidents
    assert triggers_on() == before
    monkeypatch.setattr(bulk, "index_keys", index_keys)
    assert bulk_insert(batch, batch_size=4) == (4, 4)  # the rest, once the cause is gone
