"""The words the learning-health checks count in SQL equal those counted in Python: spaces
and line breaks of every section, plus one per section that is not empty."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from secondstory.core import taxonomy
from secondstory.insights import health_data
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

TEXTS = ["", "one", "two words", "a\nb c\n\nd", "  spaced  out ", "line\n", "x " * 40]


@pytest.mark.django_db
def test_words_equal_those_counted_in_python() -> None:
    fields = [field for field, _heading in taxonomy.SECTIONS]
    for n in range(6):
        pm = load_record(postmortem_record(f"PM-{n}"))
        texts = {field: TEXTS[n * (i + 1) % len(TEXTS)] for i, field in enumerate(fields)}
        created = datetime(2026, 3, 1 + n, 12, tzinfo=UTC)
        Postmortem.objects.filter(pk=pm.pk).update(created_at=created, **texts)
    expected = {}
    for pm in Postmortem.objects.all():
        texts = [getattr(pm, field) for field in fields]
        expected[pm.key] = sum(t.count(" ") + t.count("\n") + (1 if t else 0) for t in texts)
    data = health_data.build(date(2026, 6, 30))
    assert {row.key: row.words for row in data.postmortems} == expected
    assert len(set(expected.values())) > 1
