"""Writing incidents from the browser: who may read and edit them, keys, create and update.

``services`` holds what every way in shares (durations, loading records, the
timeline); this module is the incident form's half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from secondstory.accounts import permissions
from secondstory.accounts.models import Team, User
from secondstory.core import taxonomy
from secondstory.core.invariants import milestone_order_problems
from secondstory.core.record import Milestone as MilestoneData
from secondstory.core.timeline.event import offset_minutes
from secondstory.incidents.milestone_words import plain_messages
from secondstory.incidents.models import (
    ExternalReference,
    Incident,
    Milestone,
    MilestoneKind,
    Service,
    Severity,
    Tag,
)
from secondstory.lib.concurrency import check_base, fingerprint
from secondstory.lib.keys import NoFreeKey, with_next_key
from secondstory.outgoing import events as webhook_events

# --- Writing incidents from the browser: access, keys, create and update ---------------------

_KEY_PREFIX = "INC-"
_KEY_NUMBER = re.compile(r"^INC-(\d+)\Z")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")


@dataclass(frozen=True, slots=True)
class IncidentFields:
    """What a person types into the incident form, already parsed.

    ``milestones`` maps a milestone kind's code to an aware instant carrying the
    offset it was typed in; a kind left out has no milestone.
    """

    title: str
    severity: Severity
    visibility: str
    services: list[Service]
    teams: list[Team]
    tags: list[str]
    external_references: list[tuple[str, str, str]]  # (system, identifier, url)
    milestones: dict[str, datetime]
    milestone_order_note: str = ""


def visible_incidents(user: User) -> QuerySet[Incident]:
    """The incidents ``user`` may read (see ``secondstory.accounts.permissions``)."""
    return permissions.visible_incidents(user)


def can_read_incident(user: User, incident: Incident) -> bool:
    return permissions.may_read_incident(user, incident)


def can_edit_incident(user: User, incident: Incident) -> bool:
    """Admins, responders of its teams and the writers of its postmortems."""
    return permissions.may_edit_incident(user, incident)


def next_incident_key() -> str:
    """``INC-NNNN``, one past the highest number in use (gaps are never filled).

    >>> next_incident_key()  # doctest: +SKIP
    'INC-0042'
    """
    numbers = [
        int(match.group(1))
        for key in Incident.objects.filter(key__startswith=_KEY_PREFIX).values_list(
            "key", flat=True
        )
        if (match := _KEY_NUMBER.match(key))
    ]
    return f"{_KEY_PREFIX}{max(numbers, default=0) + 1:04d}"


def incident_fields(incident: Incident) -> IncidentFields:
    """The incident's current values, in the shape the form produces."""
    return IncidentFields(
        title=incident.title,
        severity=incident.severity,
        visibility=incident.visibility,
        services=list(incident.services.all()),
        teams=list(incident.teams.all()),
        tags=[tag.slug for tag in incident.tags.all()],
        external_references=[
            (r.system, r.identifier, r.url) for r in incident.external_references.all()
        ],
        milestones={m.kind.code: m.local_at for m in incident.milestones.select_related("kind")},
        milestone_order_note=incident.milestone_order_note,
    )


def describe_fields(fields: IncidentFields) -> dict[str, str]:
    """Field label -> readable value; the basis of the edit fingerprint and the conflict view."""
    kinds = list(MilestoneKind.objects.all())  # in milestone order
    described = {
        "Title": fields.title,
        "Severity": f"{fields.severity.code} {fields.severity.name}",
        "Visibility": fields.visibility,
        "Services": ", ".join(sorted(s.name for s in fields.services)),
        "Teams": ", ".join(sorted(t.name for t in fields.teams)),
        "Tags": ", ".join(sorted(fields.tags)),
        "External references": "; ".join(
            " ".join(part for part in ref if part) for ref in sorted(fields.external_references)
        ),
    }
    for kind in kinds:
        at = fields.milestones.get(kind.code)
        # In UTC: the same instant typed at another offset is no change.
        described[kind.name] = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else ""
    described["Milestone order note"] = fields.milestone_order_note
    return described


def incident_fingerprint(incident: Incident) -> str:
    """What an edit form started from (see secondstory.lib.concurrency)."""
    return fingerprint(describe_fields(incident_fields(incident)))


def _validate(fields: IncidentFields, by: User | None, incident: Incident | None) -> None:
    """Raise a ValidationError naming the field for anything the database would not catch."""
    errors: dict[str, list[str]] = {}
    if not fields.title.strip():
        errors.setdefault("title", []).append("an incident needs a title")
    if fields.visibility not in taxonomy.VISIBILITIES:
        errors.setdefault("visibility", []).append(f"unknown visibility {fields.visibility!r}")
    for slug in fields.tags:
        if not _SLUG.match(slug) or len(slug) > taxonomy.MAX_SLUG:
            errors.setdefault("tags", []).append(
                f"{slug!r} is not a slug (at most {taxonomy.MAX_SLUG} letters, digits, - and _)"
            )
    pairs = [(system, identifier) for system, identifier, _ in fields.external_references]
    if len(set(pairs)) != len(pairs):
        errors.setdefault("external_references", []).append("the same system and ID appear twice")
    kinds = {k.code: k for k in MilestoneKind.objects.all()}
    unknown = sorted(set(fields.milestones) - set(kinds))
    if unknown:
        errors.setdefault("milestones", []).append(f"unknown milestone kinds {unknown}")
    problems = milestone_order_problems(
        [MilestoneData(code, at) for code, at in fields.milestones.items()],
        fields.milestone_order_note,
    )
    if problems:
        errors.setdefault("milestones", []).extend(plain_messages(problems))
    if by is not None and not _would_see(by, fields, incident):
        errors.setdefault("teams", []).append(
            "a restricted incident needs one of your teams, or you could no longer open it"
        )
    if by is not None:
        _check_access_change(by, fields, incident, errors)
    if errors:
        raise ValidationError(errors)


def _would_see(user: User, fields: IncidentFields, incident: Incident | None) -> bool:
    if fields.visibility != "restricted" or permissions.is_admin(user):
        return True
    if any(team.members.filter(pk=user.pk).exists() for team in fields.teams):
        return True
    return (
        incident is not None
        and incident.postmortems.filter(
            Q(owner=user) | Q(facilitator=user) | Q(collaborators=user) | Q(reviewers=user)
        ).exists()
    )


def _check_access_change(
    user: User, fields: IncidentFields, incident: Incident | None, errors: dict[str, list[str]]
) -> None:
    """Visibility and teams change only by the maintainers of the incident's teams and admins:
    an editor who came through a postmortem may not open or close it for the others."""
    if incident is None or permissions.may_change_incident_access(user, incident):
        return
    if fields.visibility != incident.visibility:
        errors.setdefault("visibility", []).append(
            "only admins and the maintainers of the incident's teams change its visibility"
        )
    if {t.pk for t in fields.teams} != set(incident.teams.values_list("pk", flat=True)):
        errors.setdefault("teams", []).append(
            "only admins and the maintainers of the incident's teams change its teams"
        )


def _write(incident: Incident, fields: IncidentFields) -> None:
    incident.services.set(fields.services)
    incident.teams.set(fields.teams)
    incident.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in fields.tags])
    incident.external_references.all().delete()
    ExternalReference.objects.bulk_create(
        ExternalReference(incident=incident, system=s, identifier=i, url=u)
        for s, i, u in fields.external_references
    )
    kinds = {k.code: k for k in MilestoneKind.objects.all()}
    existing = {m.kind.code: m for m in incident.milestones.select_related("kind")}
    for code, milestone in existing.items():
        if code not in fields.milestones:
            milestone.delete()
    for code, at in fields.milestones.items():
        milestone = existing.get(code) or Milestone(incident=incident, kind=kinds[code])
        if milestone.pk is not None and milestone.at == at:
            continue  # the same instant: keep the offset it was first recorded in
        milestone.at = at
        milestone.utc_offset_minutes = offset_minutes(at)
        milestone.full_clean(validate_constraints=False)
        milestone.save()


def _apply_scalars(incident: Incident, fields: IncidentFields) -> None:
    incident.title = fields.title.strip()
    incident.severity = fields.severity
    incident.visibility = fields.visibility
    incident.milestone_order_note = fields.milestone_order_note.strip()


@transaction.atomic
def create_incident(fields: IncidentFields, *, by: User | None = None) -> Incident:
    """A new incident with the next free ``INC-NNNN`` key.

    ``by`` is the person creating it: a restricted incident must stay readable to them.
    Raises ValidationError naming the field at fault.
    """
    _validate(fields, by, None)

    def create(key: str) -> Incident:
        incident = Incident(key=key)
        _apply_scalars(incident, fields)
        incident.save()
        return incident

    try:
        incident = with_next_key("incident", next_incident_key, create)
    except NoFreeKey:
        raise ValidationError({"key": "could not find a free incident key; try again"}) from None
    _write(incident, fields)
    webhook_events.incident_created(incident)
    return incident


@transaction.atomic
def update_incident(
    incident: Incident, fields: IncidentFields, *, by: User | None = None, base: str | None = None
) -> Incident:
    """Make the incident match ``fields``.

    With ``base`` (the fingerprint the edit form started from), a save over
    somebody else's newer change raises EditConflict with both versions.
    Raises ValidationError naming the field at fault.
    """
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if base is not None:
        current = describe_fields(incident_fields(locked))
        check_base(base, current, what=f"incident {locked.key}", yours=describe_fields(fields))
    _validate(fields, by, locked)
    _apply_scalars(locked, fields)
    locked.save()
    _write(locked, fields)
    return locked
