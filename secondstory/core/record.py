"""The postmortem record as plain data.

These dataclasses are what the exchange format reads and writes, what the demo
generator produces and what ``postmortems.services`` loads into the database.
People, teams and services are referenced by a stable handle (username or
slug); a postmortem record carries the display names of the people it names
so that a file can be loaded into an empty installation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from secondstory.core.gamedays.record import GameDayRecord
from secondstory.core.timeline.event import TimelineEvent


@dataclass(slots=True)
class Person:
    username: str
    name: str
    email: str = ""


@dataclass(slots=True)
class Milestone:
    kind: str
    at: datetime  # aware, in the offset it was recorded in


@dataclass(slots=True)
class ExternalReference:
    system: str
    identifier: str
    url: str = ""


@dataclass(slots=True)
class IncidentRecord:
    key: str
    title: str
    severity: str
    visibility: str = "internal"
    services: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    external_references: list[ExternalReference] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    # Explains milestones that are deliberately out of the usual order.
    milestone_order_note: str = ""
    timeline: list[TimelineEvent] = field(default_factory=list)
    # The optional fields a file leaves out (``OMISSIBLE_INCIDENT_FIELDS``): loading
    # keeps what is stored for them. A record built in code gives every field.
    omitted: frozenset[str] = field(default=frozenset(), compare=False)


# Fields of an incident that a file may leave out without meaning "empty".
OMISSIBLE_INCIDENT_FIELDS = frozenset(
    {
        "visibility",
        "services",
        "teams",
        "tags",
        "external_references",
        "milestones",
        "milestone_order_note",
        "timeline",
    }
)


@dataclass(slots=True)
class FactorRecord:
    key: str
    category: str
    description: str
    evidence: str = ""
    # Timeline events this factor points at, as ``source:source_ref``.
    events: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ActionItemRecord:
    key: str
    title: str
    type: str
    priority: str
    owner: str
    due: date
    status: str = "open"
    reason: str = ""
    done_criterion: str = ""
    tracker_url: str = ""
    factors: list[str] = field(default_factory=list)
    completed_at: datetime | None = None


@dataclass(slots=True)
class Transition:
    """One step of the lifecycle: who moved the postmortem where, and when."""

    from_status: str
    to_status: str
    by: str
    at: datetime
    note: str = ""


@dataclass(slots=True)
class PostmortemRecord:
    key: str
    title: str
    owner: str
    status: str = "draft"
    facilitator: str = ""
    collaborators: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    not_required_reason: str = ""
    created_at: datetime | None = None
    incidents: list[IncidentRecord] = field(default_factory=list)
    # Markdown per section field (see taxonomy.SECTIONS); absent means empty.
    sections: dict[str, str] = field(default_factory=dict)
    factors: list[FactorRecord] = field(default_factory=list)
    action_items: list[ActionItemRecord] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    # Everybody named in the record, by username.
    people: dict[str, Person] = field(default_factory=dict)
    # Set when the postmortem is the review of a game day (format version 2).
    game_day: GameDayRecord | None = None

    def usernames(self) -> set[str]:
        """Every username the record refers to."""
        names = {self.owner, *self.collaborators, *self.reviewers}
        if self.game_day is not None:
            names.update(self.game_day.usernames())
        if self.facilitator:
            names.add(self.facilitator)
        names.update(item.owner for item in self.action_items)
        names.update(step.by for step in self.transitions)
        return names


@dataclass(slots=True)
class Team:
    slug: str
    name: str
    members: list[str] = field(default_factory=list)
    # Members who may change the team's incidents' visibility and teams.
    maintainers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Service:
    slug: str
    name: str
    team: str = ""
    description: str = ""


@dataclass(slots=True)
class Organisation:
    """People, teams and services: the frame postmortems refer to."""

    people: list[Person] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    # Organisation role by username (admin, responder, viewer); a person left out responds.
    roles: dict[str, str] = field(default_factory=dict)
