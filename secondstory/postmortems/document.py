"""The postmortem as a document worth sharing: print view, PDF, readable Markdown, HTML.

One reading of the postmortem feeds every form: its title and status, its incidents with their
milestones, its narrative sections, its timeline, its contributing factors and its action
items. Nothing in it is an editing control, an e-mail address or an imported event's raw
payload; a timeline longer than ``DOCUMENT_EVENTS`` is given as its key events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from secondstory.actions.models import ActionItem
from secondstory.incidents.models import Incident, Milestone, TimelineEvent
from secondstory.incidents.timeline_navigation import ORDER, key_events_filter
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.postmortems.services import STATUS_LABELS
from secondstory.postmortems.writing_services import PageSection, page_sections

#: The longest timeline a document gives in full; a longer one is given as its key events.
DOCUMENT_EVENTS = 1_000

_EMAIL = re.compile(r"[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_REMOVED = "[e-mail removed]"


def without_emails(text: str) -> str:
    """``text`` with every e-mail address replaced by ``[e-mail removed]``.

    >>> without_emails("Ask ana@example.com or bo.li+ops@corp.example.org.")
    'Ask [e-mail removed] or [e-mail removed].'
    """
    return _EMAIL.sub(EMAIL_REMOVED, text)


@dataclass(frozen=True, slots=True)
class DocumentIncident:
    incident: Incident
    milestones: list[Milestone]


@dataclass(frozen=True, slots=True)
class Document:
    """What a shared postmortem says, e-mail addresses already removed from its text."""

    postmortem: Postmortem
    status: str
    zone: ZoneInfo
    incidents: list[DocumentIncident]
    sections: list[PageSection]
    events: list[TimelineEvent]
    events_total: int
    key_events_only: bool
    factors: list[ContributingFactor]
    action_items: list[ActionItem]
    generated_at: datetime


def _clean_section(section: PageSection) -> PageSection:
    return PageSection(
        section.field,
        section.heading,
        section.question,
        without_emails(section.text),
        section.in_template,
    )


def _timeline(incidents: list[Incident]) -> tuple[list[TimelineEvent], int, bool]:
    everything = TimelineEvent.objects.filter(incident__in=incidents)
    total = everything.count()
    chosen = everything
    key_only = total > DOCUMENT_EVENTS
    if key_only:
        chosen = everything.filter(key_events_filter(everything))
    # Only what the document prints is read: never the raw payload.
    rows = chosen.select_related("incident").only(
        "at",
        "kind",
        "source",
        "source_ref",
        "actor",
        "actor_role",
        "text",
        "starred",
        "known_at_the_time",
        "incident__key",
    )
    events = list(rows.order_by(*ORDER)[:DOCUMENT_EVENTS])
    for event in events:
        event.text = without_emails(event.text)
        event.actor = without_emails(event.actor)
        event.one_line = " ".join(event.text.split())  # type: ignore[attr-defined]
    return events, total, key_only


def build_document(postmortem: Postmortem, zone: ZoneInfo, now: datetime) -> Document:
    """Read everything the shared document shows (a fixed number of queries)."""
    incidents = list(
        postmortem.incidents.select_related("severity")
        .order_by("key")
        .prefetch_related("milestones__kind")
    )
    events, total, key_only = _timeline(incidents)
    factors = list(postmortem.factors.select_related("category").order_by("position", "id"))
    for factor in factors:
        factor.description = without_emails(factor.description)
        factor.evidence = without_emails(factor.evidence)
    items = list(postmortem.action_items.select_related("owner").order_by("position", "id"))
    for item in items:
        item.title = without_emails(item.title)
    return Document(
        postmortem=postmortem,
        status=STATUS_LABELS[postmortem.status],
        zone=zone,
        incidents=[
            DocumentIncident(
                incident,
                sorted(incident.milestones.all(), key=lambda m: (m.kind.position, m.at)),
            )
            for incident in incidents
        ],
        sections=[_clean_section(s) for s in page_sections(postmortem) if s.text.strip()],
        events=events,
        events_total=total,
        key_events_only=key_only,
        factors=factors,
        action_items=items,
        generated_at=now,
    )
