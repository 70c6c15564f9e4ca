"""Loading the incidents of a postmortem record without losing what others rely on.

An incident may be covered by several postmortems, and its timeline may hold
events that only the database knows (imported, or written in another
postmortem). Loading one postmortem therefore changes an incident only as far
as the record says:

- a field the record leaves out (``IncidentRecord.omitted``) keeps its stored value;
- an incident that another postmortem also covers is never redefined: a title,
  severity, visibility, milestone, service, team, tag or reference that differs
  from the stored one is a problem naming that postmortem;
- its timeline is merged (events added and updated, none removed) unless this
  postmortem alone already covered the incident, in which case the timeline
  given replaces the stored one (the postmortem's revision keeps the old one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from secondstory.accounts.models import Team
from secondstory.core.invariants import Problem
from secondstory.core.record import IncidentRecord, PostmortemRecord
from secondstory.core.record import Milestone as MilestoneData
from secondstory.core.storable import storable_json
from secondstory.core.timeline.event import offset_minutes
from secondstory.incidents.models import (
    ExternalReference,
    Incident,
    Milestone,
    MilestoneKind,
    Service,
    Severity,
    Tag,
    TimelineEvent,
)
from secondstory.incidents.services import event_fields, name_from_slug
from secondstory.postmortems.models import Postmortem

# Event fields that importers set and the exchange format does not carry.
_NOT_IN_RECORDS = ("signal", "state")
# The incident fields that are compared with the stored ones when the incident is shared.
_SHARED_FIELDS = (
    "title",
    "severity",
    "visibility",
    "milestone_order_note",
    "services",
    "teams",
    "tags",
    "external_references",
    "milestones",
)


@dataclass
class IncidentPlan:
    """What loading does to one incident of the record."""

    record: IncidentRecord
    stored: Incident | None
    # Keys of the other postmortems that cover the stored incident.
    shared_with: list[str] = field(default_factory=list)
    # The timeline given replaces the stored one (else it is merged into it).
    replace_timeline: bool = True

    def kept_refs(self) -> set[str]:
        """``source:ref`` of the stored events that stay whatever the record lists."""
        if self.stored is None or (self.replace_timeline and "timeline" not in self.record.omitted):
            return set()
        return {e.ref for e in self.stored.timeline.all()}


def plan_incidents(record: PostmortemRecord) -> tuple[list[IncidentPlan], list[Problem]]:
    """How each incident of the record will be loaded, and what prevents it."""
    keys = [incident.key for incident in record.incidents]
    stored = {
        i.key: i
        for i in Incident.objects.select_for_update()
        .filter(key__in=keys)
        .select_related("severity")
    }
    plans: list[IncidentPlan] = []
    problems: list[Problem] = []
    for position, incident in enumerate(record.incidents):
        row = stored.get(incident.key)
        plan = IncidentPlan(incident, row)
        if row is not None:
            covering = set(Postmortem.objects.filter(incidents=row).values_list("key", flat=True))
            plan.shared_with = sorted(covering - {record.key})
            plan.replace_timeline = record.key in covering and not plan.shared_with
            if plan.shared_with:
                problems += [
                    Problem(("incidents", position, *p.path), p.message)
                    for p in _conflicts(incident, row, plan.shared_with)
                ]
        plans.append(plan)
    problems += _reference_problems(record, plans)
    return plans, problems


def _stored_values(row: Incident) -> dict[str, object]:
    return {
        "title": row.title,
        "severity": row.severity.code,
        "visibility": row.visibility,
        "milestone_order_note": row.milestone_order_note,
        "services": sorted(s.slug for s in row.services.all()),
        "teams": sorted(t.slug for t in row.teams.all()),
        "tags": sorted(t.slug for t in row.tags.all()),
        "external_references": sorted(
            (r.system, r.identifier, r.url) for r in row.external_references.all()
        ),
        "milestones": sorted(
            (m.kind.code, m.local_at.isoformat()) for m in row.milestones.select_related("kind")
        ),
    }


def _given_values(incident: IncidentRecord) -> dict[str, object]:
    return {
        "title": incident.title,
        "severity": incident.severity,
        "visibility": incident.visibility,
        "milestone_order_note": incident.milestone_order_note,
        "services": sorted(incident.services),
        "teams": sorted(incident.teams),
        "tags": sorted(incident.tags),
        "external_references": sorted(
            (r.system, r.identifier, r.url) for r in incident.external_references
        ),
        "milestones": sorted((m.kind, m.at.isoformat()) for m in incident.milestones),
    }


def _conflicts(incident: IncidentRecord, row: Incident, others: list[str]) -> list[Problem]:
    stored, given = _stored_values(row), _given_values(incident)
    names = ", ".join(others)
    return [
        Problem(
            (name,),
            f"incident {incident.key} is also covered by postmortem {names}, where its {name} "
            f"is {_show(stored[name])}, not {_show(given[name])}; loading never redefines a "
            f"shared incident: make this file agree (or leave {name} out), or change the "
            "incident itself",
        )
        for name in _SHARED_FIELDS
        if name not in incident.omitted and stored[name] != given[name]
    ]


def _show(value: object) -> str:
    if isinstance(value, list):
        return (
            "["
            + ", ".join(str(v) if not isinstance(v, tuple) else ":".join(v) for v in value)
            + "]"
        )
    return repr(value)


def _reference_problems(record: PostmortemRecord, plans: list[IncidentPlan]) -> list[Problem]:
    """Factor links and the publication rule, counting the stored events that stay.

    Only needed when a timeline is left out: otherwise the core invariants have
    checked both against the record alone.
    """
    if not any("timeline" in plan.record.omitted for plan in plans):
        return []
    available = {e.ref for plan in plans for e in plan.record.timeline}
    for plan in plans:
        available |= plan.kept_refs()
    problems = [
        Problem(("factors", i, "events", j), f"no timeline event {ref!r}")
        for i, factor in enumerate(record.factors)
        for j, ref in enumerate(factor.events)
        if ref not in available
    ]
    if record.status == "published" and not available:
        problems.append(
            Problem(("incidents",), "a published postmortem needs at least one timeline event")
        )
    return problems


def load_incident(plan: IncidentPlan) -> Incident:
    """Write one incident as planned; fields left out keep their stored values."""
    given, omitted = plan.record, plan.record.omitted
    row = plan.stored or Incident(key=given.key)
    if plan.stored is None or not plan.shared_with:
        row.title = given.title
        row.severity = Severity.objects.get(code=given.severity)
        if "visibility" not in omitted:
            row.visibility = given.visibility
        if "milestone_order_note" not in omitted:
            row.milestone_order_note = given.milestone_order_note
        row.save()
        _write_details(row, given)
    if "timeline" not in omitted:
        _write_timeline(row, given, remove_others=plan.replace_timeline)
    return row


def _write_details(row: Incident, given: IncidentRecord) -> None:
    omitted = given.omitted
    if "services" not in omitted:
        row.services.set(_slugged(Service, given.services))
    if "teams" not in omitted:
        row.teams.set(_slugged(Team, given.teams))
    if "tags" not in omitted:
        row.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in given.tags])
    if "external_references" not in omitted:
        row.external_references.all().delete()
        ExternalReference.objects.bulk_create(
            ExternalReference(incident=row, system=r.system, identifier=r.identifier, url=r.url)
            for r in given.external_references
        )
    if "milestones" not in omitted:
        _write_milestones(row, given.milestones)


def _slugged(model: type[Service] | type[Team], slugs: Iterable[str]) -> list[Service | Team]:
    return [
        model.objects.get_or_create(slug=slug, defaults={"name": name_from_slug(slug)})[0]
        for slug in slugs
    ]


def _write_milestones(row: Incident, milestones: list[MilestoneData]) -> None:
    kinds = {k.code: k for k in MilestoneKind.objects.all()}
    row.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(
            incident=row, kind=kinds[m.kind], at=m.at, utc_offset_minutes=offset_minutes(m.at)
        )
        for m in milestones
    )


def _write_timeline(row: Incident, given: IncidentRecord, *, remove_others: bool) -> None:
    existing = {(e.source, e.source_ref): e for e in row.timeline.all()}
    wanted = set()
    for event in given.timeline:
        key = (event.source, event.source_ref)
        wanted.add(key)
        fields = event_fields(replace(event, raw=storable_json(event.raw)))
        stored = existing.get(key)
        if stored is None:
            TimelineEvent.objects.create(
                incident=row, source=event.source, source_ref=event.source_ref, **fields
            )
            continue
        for name in _NOT_IN_RECORDS:  # how an importer grouped the event stays
            fields.pop(name, None)
        if any(getattr(stored, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(stored, name, value)
            stored.save()
    if remove_others:
        stale = [stored.pk for key, stored in existing.items() if key not in wanted]
        TimelineEvent.objects.filter(pk__in=stale).delete()
