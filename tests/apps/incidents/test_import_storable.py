"""An import stores on PostgreSQL whatever it stores on SQLite, or refuses it on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondstory.core.timeline.sources.base import Source, SourceError
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import Incident, Severity, TimelineEvent


@pytest.fixture
def incident(db: None) -> Incident:
    return Incident.objects.create(
        key="INC-42", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )


def import_csv(incident: Incident, tmp_path: Path, rows: str) -> object:
    path = tmp_path / "events.csv"
    path.write_text("Timestamp,Who,Type,Message,Ticket\n" + rows, encoding="utf-8")
    return import_events(incident, ImportRequest([Source(path, "events.csv")], redact=False))


def test_nul_characters_in_names_and_text_are_dropped(incident: Incident, tmp_path: Path) -> None:
    import_csv(
        incident, tmp_path, '2024-01-15T08:42:11+01:00,Ines\x00 Moreau,deploy,"a\x00b",T-1\n'
    )
    event = TimelineEvent.objects.get(incident=incident)
    assert (event.actor, event.text) == ("Ines Moreau", "ab")


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("2024-01-15T08:42:11+17:00", "the UTC offset +17:00 is out of range"),
        ("9999-12-30T12:00:00+00:00", "is out of range; in UTC it must fall between"),
    ],
)
def test_times_one_database_cannot_store_are_refused(
    incident: Incident, tmp_path: Path, moment: str, message: str
) -> None:
    with pytest.raises(SourceError) as refused:
        import_csv(incident, tmp_path, f'{moment},Ines,deploy,"Rolled out",T-1\n')
    assert message in str(refused.value) and "at" in str(refused.value)
    assert not TimelineEvent.objects.exists()
