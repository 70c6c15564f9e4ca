"""Any valid record loads through the real ``load`` path, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from secondstory.core import taxonomy
from secondstory.core.exchange import render_postmortem
from secondstory.core.record import PostmortemRecord
from secondstory.postmortems.exchange import export_postmortem, load_text
from secondstory.postmortems.records import postmortems_for_export, record_for
from tests.core.strategies import postmortem_records

MILESTONE_ORDER = {kind.code: kind.position for kind in taxonomy.DEFAULT_MILESTONE_KINDS}


class Rollback(Exception):
    """Leaves each example's transaction without a trace."""


def comparable(record: PostmortemRecord) -> PostmortemRecord:
    """The record as the database gives it back: sets sorted, people by username only."""
    events = sorted(
        (e for i in record.incidents for e in i.timeline),
        key=lambda e: (e.at, e.source, e.source_ref),
    )
    event_order = {e.ref: n for n, e in reversed(list(enumerate(events)))}
    factor_order = {f.key: n for n, f in enumerate(record.factors)}
    return replace(
        record,
        collaborators=sorted(set(record.collaborators)),
        reviewers=sorted(set(record.reviewers)),
        people={},
        sections={name: text for name, text in record.sections.items() if text},
        factors=[
            replace(factor, events=sorted(set(factor.events), key=event_order.__getitem__))
            for factor in record.factors
        ],
        action_items=[
            replace(item, factors=sorted(set(item.factors), key=factor_order.__getitem__))
            for item in record.action_items
        ],
        incidents=[
            replace(
                incident,
                services=sorted(set(incident.services)),
                teams=sorted(set(incident.teams)),
                tags=sorted(set(incident.tags)),
                external_references=sorted(
                    incident.external_references, key=lambda r: (r.system, r.identifier)
                ),
                milestones=sorted(incident.milestones, key=lambda m: MILESTONE_ORDER[m.kind]),
                timeline=sorted(incident.timeline, key=lambda e: (e.at, e.source, e.source_ref)),
            )
            for incident in sorted(record.incidents, key=lambda i: i.key)
        ],
    )


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(postmortem_records())
def test_every_valid_record_loads_and_reads_back(record: PostmortemRecord) -> None:
    try:
        with transaction.atomic():
            postmortem, outcome = load_text(render_postmortem(record), source="generated.md")
            assert outcome == "created"
            stored = postmortems_for_export().get(pk=postmortem.pk)
            back = comparable(record_for(stored))
            if record.created_at is None:
                back.created_at = None  # the database says when it was loaded
            assert back == comparable(record)
            offsets = [[e.at.utcoffset() for e in i.timeline] for i in comparable(record).incidents]
            assert [[e.at.utcoffset() for e in i.timeline] for i in back.incidents] == offsets
            # What was loaded exports to a file that loads again without a change.
            assert load_text(export_postmortem(stored), source="again.md")[1] == "unchanged"
            raise Rollback
    except Rollback:
        pass
