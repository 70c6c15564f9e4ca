"""Build the plain-data record from the composed front matter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode

from secondstory.core.exchange.game_day import read_game_day
from secondstory.core.exchange.reader import PLACEHOLDER_DATE, PLACEHOLDER_DATETIME, Reader
from secondstory.core.exchange.schema import (
    ACTION_ITEM_KEYS,
    EVENT_KEYS,
    FACTOR_KEYS,
    FORMAT_VERSION,
    GAME_DAY_VERSION,
    INCIDENT_KEYS,
    PERSON_KEYS,
    POSTMORTEM_KEYS,
    READABLE_VERSIONS,
    REFERENCE_KEYS,
    TRANSITION_KEYS,
    FilePath,
)
from secondstory.core.record import (
    OMISSIBLE_INCIDENT_FIELDS,
    ActionItemRecord,
    ExternalReference,
    FactorRecord,
    IncidentRecord,
    Milestone,
    Person,
    PostmortemRecord,
    Transition,
)
from secondstory.core.timeline.event import TimelineEvent

T = TypeVar("T")


class UnsupportedVersion(Exception):
    """The file is not in a format version this code reads; nothing else is checked."""


def postmortem(r: Reader, node: Node) -> PostmortemRecord:
    """The record in the front matter (sections only from its ``sections`` key)."""
    version = FORMAT_VERSION
    if isinstance(node, MappingNode):
        # The version first: a file of another version is not checked any further.
        for key_node, value in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "secondstory":
                version = _check_version(r, value)
                break
    fields = r.mapping(node, (), POSTMORTEM_KEYS, required=("secondstory", "key", "title", "owner"))
    record = PostmortemRecord(key="", title="", owner="")
    if fields is None:
        return record
    record.key = r.required(fields, "key", (), r.string, "")
    record.title = r.required(fields, "title", (), r.string, "")
    record.status = r.optional(fields, "status", (), r.string, "draft")
    record.owner = r.required(fields, "owner", (), r.string, "")
    record.facilitator = r.optional(fields, "facilitator", (), r.string, "")
    record.collaborators = r.optional(fields, "collaborators", (), r.strings, [])
    record.reviewers = r.optional(fields, "reviewers", (), r.strings, [])
    record.not_required_reason = r.optional(fields, "not_required_reason", (), r.string, "")
    record.created_at = r.optional(fields, "created_at", (), r.moment, None)
    record.people = r.optional(fields, "people", (), lambda n, p: _people(r, n, p), {})
    record.incidents = _each(r, fields, "incidents", _incident)
    record.factors = _each(r, fields, "factors", _factor)
    record.action_items = _each(r, fields, "action_items", _action_item)
    record.transitions = _each(r, fields, "transitions", _transition)
    record.sections = r.optional(fields, "sections", (), lambda n, p: _sections(r, n, p), {})
    game_day = fields.get("game_day")
    if game_day is not None and version < GAME_DAY_VERSION:
        r.bad(game_day, ("game_day",), f"a game day needs format version {GAME_DAY_VERSION}")
    elif game_day is not None:
        record.game_day = read_game_day(r, game_day, ("game_day",))
    return record


def _check_version(r: Reader, node: Node) -> int:
    if isinstance(node, ScalarNode) and not node.style:
        for version in READABLE_VERSIONS:
            if node.value == str(version):
                return version
    value = node.value if isinstance(node, ScalarNode) else "?"
    readable = " and ".join(str(v) for v in READABLE_VERSIONS)
    r.bad(
        node,
        ("secondstory",),
        f"unsupported format version {value!r}; this version of secondstory reads "
        f"versions {readable}",
    )
    raise UnsupportedVersion


def _each(
    r: Reader, fields: dict[str, Node], name: str, build: Callable[[Reader, Node, FilePath], T]
) -> list[T]:
    node = fields.get(name)
    if node is None:
        return []
    return [build(r, item, path) for item, path in r.items(node, (name,))]


def _people(r: Reader, node: Node, path: FilePath) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for username, _, value in r.pairs(node, path) or []:
        where = (*path, username)
        fields = r.mapping(value, where, PERSON_KEYS, required=("name",))
        if fields is None:
            continue
        people[username] = Person(
            username=username,
            name=r.required(fields, "name", where, r.string, ""),
            email=r.optional(fields, "email", where, r.string, ""),
        )
    return people


def _sections(r: Reader, node: Node, path: FilePath) -> dict[str, str]:
    sections: dict[str, str] = {}
    for name, _, value in r.pairs(node, path) or []:
        text = r.string(value, (*path, name))
        if text:
            sections[name] = text
    return sections


def _incident(r: Reader, node: Node, path: FilePath) -> IncidentRecord:
    incident = IncidentRecord(key="", title="", severity="")
    fields = r.mapping(node, path, INCIDENT_KEYS, required=("key", "title", "severity"))
    if fields is None:
        return incident
    incident.key = r.required(fields, "key", path, r.string, "")
    incident.title = r.required(fields, "title", path, r.string, "")
    incident.severity = r.required(fields, "severity", path, r.string, "")
    incident.visibility = r.optional(fields, "visibility", path, r.string, "internal")
    incident.services = r.optional(fields, "services", path, r.strings, [])
    incident.teams = r.optional(fields, "teams", path, r.strings, [])
    incident.tags = r.optional(fields, "tags", path, r.strings, [])
    references = fields.get("external_references")
    if references is not None:
        incident.external_references = [
            _reference(r, item, where)
            for item, where in r.items(references, (*path, "external_references"))
        ]
    incident.milestones = r.optional(
        fields, "milestones", path, lambda n, p: _milestones(r, n, p), []
    )
    incident.milestone_order_note = r.optional(fields, "milestone_order_note", path, r.string, "")
    incident.omitted = frozenset(OMISSIBLE_INCIDENT_FIELDS.difference(fields))
    timeline = fields.get("timeline")
    if timeline is not None:
        incident.timeline = [
            _event(r, item, where) for item, where in r.items(timeline, (*path, "timeline"))
        ]
    return incident


def _milestones(r: Reader, node: Node, path: FilePath) -> list[Milestone]:
    return [
        Milestone(kind, r.moment(value, (*path, kind)))
        for kind, _, value in r.pairs(node, path) or []
    ]


def _reference(r: Reader, node: Node, path: FilePath) -> ExternalReference:
    fields = r.mapping(node, path, REFERENCE_KEYS, required=("system", "id"))
    if fields is None:
        return ExternalReference("", "")
    return ExternalReference(
        system=r.required(fields, "system", path, r.string, ""),
        identifier=r.required(fields, "id", path, r.string, ""),
        url=r.optional(fields, "url", path, r.string, ""),
    )


def _event(r: Reader, node: Node, path: FilePath) -> TimelineEvent:
    fields = r.mapping(node, path, EVENT_KEYS, required=("at", "kind", "source", "ref", "text"))
    if fields is None:
        return TimelineEvent(PLACEHOLDER_DATETIME, "", "", "", "")
    return TimelineEvent(
        at=r.required(fields, "at", path, r.moment, PLACEHOLDER_DATETIME),
        kind=r.required(fields, "kind", path, r.string, ""),
        source=r.required(fields, "source", path, r.string, ""),
        source_ref=r.required(fields, "ref", path, r.string, ""),
        text=r.required(fields, "text", path, r.string, ""),
        actor=r.optional(fields, "actor", path, r.string, ""),
        actor_role=r.optional(fields, "role", path, r.string, ""),
        starred=r.optional(fields, "starred", path, r.boolean, False),
        known_at_the_time=r.optional(fields, "known_at_the_time", path, r.boolean, True),
        evidence_url=r.optional(fields, "evidence", path, r.string, ""),
        raw=r.optional(fields, "raw", path, lambda n, p: _raw(r, n, p), None),
    )


def _raw(r: Reader, node: Node, path: FilePath) -> dict[str, Any] | None:
    value = r.json(node, path)
    if isinstance(value, dict):
        return value
    if value is not None:
        r.bad(node, path, "expected a mapping (a JSON object)")
    return None


def _factor(r: Reader, node: Node, path: FilePath) -> FactorRecord:
    fields = r.mapping(node, path, FACTOR_KEYS, required=("key", "category", "description"))
    if fields is None:
        return FactorRecord("", "", "")
    return FactorRecord(
        key=r.required(fields, "key", path, r.string, ""),
        category=r.required(fields, "category", path, r.string, ""),
        description=r.required(fields, "description", path, r.string, ""),
        evidence=r.optional(fields, "evidence", path, r.string, ""),
        events=r.optional(fields, "events", path, r.strings, []),
    )


def _action_item(r: Reader, node: Node, path: FilePath) -> ActionItemRecord:
    required = ("key", "title", "type", "priority", "owner", "due")
    fields = r.mapping(node, path, ACTION_ITEM_KEYS, required=required)
    if fields is None:
        return ActionItemRecord("", "", "", "", "", PLACEHOLDER_DATE)
    return ActionItemRecord(
        key=r.required(fields, "key", path, r.string, ""),
        title=r.required(fields, "title", path, r.string, ""),
        type=r.required(fields, "type", path, r.string, ""),
        priority=r.required(fields, "priority", path, r.string, ""),
        owner=r.required(fields, "owner", path, r.string, ""),
        due=r.required(fields, "due", path, r.day, PLACEHOLDER_DATE),
        status=r.optional(fields, "status", path, r.string, "open"),
        reason=r.optional(fields, "reason", path, r.string, ""),
        done_criterion=r.optional(fields, "done_criterion", path, r.string, ""),
        tracker_url=r.optional(fields, "tracker", path, r.string, ""),
        factors=r.optional(fields, "factors", path, r.strings, []),
        completed_at=r.optional(fields, "completed_at", path, r.moment, None),
    )


def _transition(r: Reader, node: Node, path: FilePath) -> Transition:
    fields = r.mapping(node, path, TRANSITION_KEYS, required=("from", "to", "by", "at"))
    if fields is None:
        return Transition("", "", "", PLACEHOLDER_DATETIME)
    return Transition(
        from_status=r.required(fields, "from", path, r.string, ""),
        to_status=r.required(fields, "to", path, r.string, ""),
        by=r.required(fields, "by", path, r.string, ""),
        at=r.required(fields, "at", path, r.moment, PLACEHOLDER_DATETIME),
        note=r.optional(fields, "note", path, r.string, ""),
    )
