"""The benchmark stream: lazy, distinct, valid, spread over years."""

from __future__ import annotations

import time
import tracemalloc
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise
from types import GeneratorType

from secondstory.core import taxonomy
from secondstory.core.demo import demo_postmortems, stream_postmortems
from secondstory.core.invariants import postmortem_problems

from .helpers import has_blame, milestone_map


def test_yields_exactly_n_distinct_keys(today: date) -> None:
    records = list(stream_postmortems(250, today=today))
    assert len(records) == 250
    keys = [r.key for r in records]
    assert len(set(keys)) == 250
    assert keys[0] == "PM-S000001"
    incidents = [i.key for r in records for i in r.incidents]
    assert len(set(incidents)) == len(incidents)
    assert incidents[0] == "INC-S000001"
    base = demo_postmortems(today=today)
    assert not set(keys) & {r.key for r in base}
    assert not set(incidents) & {i.key for r in base for i in r.incidents}


def test_prefix_and_empty(today: date) -> None:
    assert next(stream_postmortems(1, today=today, prefix="B")).key == "PM-B000001"
    assert list(stream_postmortems(0, today=today)) == []


def test_is_deterministic(today: date) -> None:
    assert list(stream_postmortems(40, today=today)) == list(stream_postmortems(40, today=today))
    assert list(stream_postmortems(5, today=today, seed=1)) != list(
        stream_postmortems(5, today=today, seed=2)
    )


def test_is_lazy(today: date) -> None:
    stream = stream_postmortems(10**9, today=today)
    assert isinstance(stream, GeneratorType)
    started = time.perf_counter()
    first = next(stream)
    assert time.perf_counter() - started < 1.0
    assert first.key == "PM-S000001"
    # An oldest-first stream of a billion records starts about four years back.
    assert milestone_map(first.incidents[0])["impact_started"].date() < today - timedelta(
        days=3 * 365
    )


def test_memory_does_not_grow_with_count(today: date) -> None:
    def peak(count: int) -> int:
        tracemalloc.start()
        for _ in stream_postmortems(count, today=today):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    assert peak(1500) < 2 * peak(150)


def test_every_record_is_valid_and_realistic(today: date) -> None:
    records = list(stream_postmortems(600, today=today, seed=3))
    statuses: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    for record in records:
        assert postmortem_problems(record) == [], record.key
        assert record.usernames() <= set(record.people)
        statuses[record.status] += 1
        for incident in record.incidents:
            severities[incident.severity] += 1
            assert incident.timeline[0].at < milestone_map(incident)["impact_started"]
            assert milestone_map(incident)["resolved"].date() < today
        if has_blame(record):
            assert record.status == "draft", record.key
    assert set(statuses) == set(taxonomy.POSTMORTEM_STATUSES)
    assert set(severities) == {"SEV1", "SEV2", "SEV3", "SEV4"}
    assert severities["SEV1"] < severities["SEV2"] < severities["SEV3"]


def test_spread_over_several_years(today: date) -> None:
    starts = [
        milestone_map(r.incidents[0])["impact_started"].date()
        for r in stream_postmortems(300, today=today)
    ]
    assert min(starts) < today - timedelta(days=3 * 365)
    assert max(starts) > today - timedelta(days=30)
    # Oldest first, give or take records that start on the same few days.
    assert sum(a > b + timedelta(days=7) for a, b in pairwise(starts)) == 0


def test_generates_quickly(today: date) -> None:
    # A loose floor so that slow CI machines pass; the real figure is ~3,000/s.
    started = time.perf_counter()
    count = sum(1 for _ in stream_postmortems(500, today=today))
    assert count / (time.perf_counter() - started) > 300
