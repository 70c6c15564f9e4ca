"""Render a postmortem record as one Markdown file with YAML front matter.

The front matter is built as a YAML node graph and serialised by PyYAML, so
the renderer decides the layout (key order, flow or block style, literal
blocks for multi-line text) and PyYAML decides quoting. The output is
deterministic: the same record always gives the same bytes.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from secondstory.core.exchange import markdown
from secondstory.core.exchange.schema import GAME_DAY_VERSION, READABLE_VERSIONS
from secondstory.core.gamedays.record import GameDayRecord, VerificationRecord
from secondstory.core.record import (
    ActionItemRecord,
    ExternalReference,
    FactorRecord,
    IncidentRecord,
    Person,
    PostmortemRecord,
    Transition,
)
from secondstory.core.taxonomy import SECTIONS
from secondstory.core.timeline.event import TimelineEvent

STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"

# Line breaks other than "\n": YAML would normalise them in literal or quoted
# scalars, so text containing them is always written double-quoted (escaped).
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_RESOLVER = Resolver()
_NO_WRAP = 1 << 30
# libyaml's emitter is about twenty times faster; both write the same text.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

Pairs = list[tuple[str, Node]]


def render_postmortem(record: PostmortemRecord) -> str:
    """The exchange-format text of ``record``: front matter, then the sections."""
    body_sections = {
        name: text
        for name, text in record.sections.items()
        if name in markdown.HEADING_FIELD.values() and markdown.fits_body(text)
    }
    front = yaml.serialize(
        _postmortem(record, body_sections),
        Dumper=_DUMPER,
        allow_unicode=True,
        width=_NO_WRAP,
    )
    # After a keep-chomped literal block (text ending in blank lines) PyYAML ends
    # the stream with a "..." marker; the closing "---" ends the YAML just as well.
    if front.endswith("\n...\n"):
        front = front[: -len("...\n")]
    parts = ["---\n", front, "---\n"]
    for name, heading in SECTIONS:
        if name in body_sections:
            parts.append(markdown.render_section(heading, body_sections[name]))
    return "".join(parts)


def with_sections(text: str, sections: dict[str, str]) -> str | None:
    """``text`` (rendered by ``render_postmortem``) with its sections replaced by
    ``sections`` ({field: text}), without reading the rest of the record again; None when
    ``text`` is not laid out as ``render_postmortem`` lays it out.

    The sections are all of the text that depends on them: the body, and the front
    matter's ``sections`` mapping (those the body cannot hold), which is always its last
    key. So the front matter up to that key stays as it is and the result is what
    ``render_postmortem`` gives for the record with these sections, byte for byte.

    >>> def pm(**sections):
    ...     return render_postmortem(PostmortemRecord(key="PM-1", title="T", owner="ann",
    ...                                               sections=sections))
    >>> old = pm(summary="Old.")
    >>> with_sections(old, {"summary": "New.", "impact": "Some."}) == pm(summary="New.",
    ...                                                                  impact="Some.")
    True
    >>> with_sections(old, {"summary": "  indented"}) == pm(summary="  indented")
    True
    """
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0:
        return None
    front = text[4 : end + 1]
    if text[end + 5 :] and not text[end + 5 :].startswith("\n## "):
        return None
    lines = front.splitlines(keepends=True)
    top = [n for n, line in enumerate(lines) if line.startswith("sections:")]
    head = "".join(lines[: top[0]]) if top else front
    kept = {name: value for name, value in sections.items() if value}
    body = {
        name: value
        for name, value in kept.items()
        if name in markdown.HEADING_FIELD.values() and markdown.fits_body(value)
    }
    order = {name: position for position, (name, _) in enumerate(SECTIONS)}
    in_front = sorted(
        ((name, value) for name, value in kept.items() if name not in body),
        key=lambda item: (order.get(item[0], len(order)), item[0]),
    )
    parts = ["---\n", head]
    if in_front:
        node = _mapping([("sections", _mapping([(n, _text(v)) for n, v in in_front]))])
        tail = yaml.serialize(node, Dumper=_DUMPER, allow_unicode=True, width=_NO_WRAP)
        parts.append(tail[: -len("...\n")] if tail.endswith("\n...\n") else tail)
    parts.append("---\n")
    for name, heading in SECTIONS:
        if name in body:
            parts.append(markdown.render_section(heading, body[name]))
    return "".join(parts)


def format_datetime(moment: datetime) -> str:
    """ISO 8601 with the datetime's own offset; microseconds only when non-zero.

    >>> from datetime import timedelta, timezone
    >>> format_datetime(datetime(2026, 3, 4, 14, 2, tzinfo=timezone(timedelta(hours=-8))))
    '2026-03-04T14:02:00-08:00'
    """
    if moment.utcoffset() is None:
        raise ValueError(f"cannot write the naive datetime {moment.isoformat()}: it has no offset")
    return moment.isoformat()


# -- nodes ------------------------------------------------------------------------


def _text(value: str) -> ScalarNode:
    """A string; multi-line text as a literal block where YAML allows it."""
    if _OTHER_BREAKS.search(value):
        style: str | None = '"'
    elif "\n" in value:
        style = "|"  # the emitter falls back to double quotes when a block cannot hold it
    else:
        style = None
    return ScalarNode(STR_TAG, value, style=style)


def _key(value: str) -> ScalarNode:
    style = '"' if "\n" in value or _OTHER_BREAKS.search(value) else None
    return ScalarNode(STR_TAG, value, style=style)


def _plain(value: str) -> ScalarNode:
    """A scalar written as-is: tagged with what YAML would read, so it needs no quotes."""
    tag: str = _RESOLVER.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return ScalarNode(tag, value)


def _datetime(moment: datetime) -> ScalarNode:
    return _plain(format_datetime(moment))


def _date(day: date) -> ScalarNode:
    return _plain(day.isoformat())


def _bool(value: bool) -> ScalarNode:
    return ScalarNode(BOOL_TAG, "true" if value else "false")


def _mapping(pairs: Pairs, *, flow: bool = False) -> MappingNode:
    return MappingNode(MAP_TAG, [(_key(name), node) for name, node in pairs], flow_style=flow)


def _list(nodes: list[Node], *, flow: bool = False) -> SequenceNode:
    return SequenceNode(SEQ_TAG, nodes, flow_style=flow)


def _names(values: list[str]) -> SequenceNode:
    """A short list of names or keys, as a flow list: ``[a, b]``."""
    return _list([_text(value) for value in values], flow=True)


def json_node(value: object, where: str = "raw") -> Node:
    """A JSON-like value (dict, list, str, int, float, bool, None) as YAML nodes."""
    if value is None:
        return ScalarNode(NULL_TAG, "null")
    if isinstance(value, bool):
        return _bool(value)
    if isinstance(value, int):
        return ScalarNode(INT_TAG, str(int(value)))
    if isinstance(value, float):
        return ScalarNode(FLOAT_TAG, _float_text(float(value)))
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        pairs: Pairs = []
        for name, item in value.items():
            if not isinstance(name, str):
                raise TypeError(f"{where}: mapping keys must be strings, not {name!r}")
            pairs.append((name, json_node(item, f"{where}.{name}")))
        return _mapping(pairs)
    if isinstance(value, list | tuple):
        return _list([json_node(item, f"{where}[{i}]") for i, item in enumerate(value)])
    raise TypeError(f"{where}: {type(value).__name__} is not a JSON-like value")


def _float_text(value: float) -> str:
    """Like PyYAML's float representer: ``1e+16`` -> ``1.0e+16``, ``.nan``, ``-.inf``."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


class _Fields:
    """Collects the key/value pairs of one mapping, skipping empty optional values."""

    def __init__(self) -> None:
        self.pairs: Pairs = []

    def put(self, name: str, node: Node) -> None:
        self.pairs.append((name, node))

    def text(self, name: str, value: str, *, optional: bool = False) -> None:
        if value or not optional:
            self.put(name, _text(value))

    def names(self, name: str, values: list[str]) -> None:
        if values:
            self.put(name, _names(values))

    def node(self, *, flow: bool = False) -> MappingNode:
        return _mapping(self.pairs, flow=flow)


# -- the record -----------------------------------------------------------------


def _postmortem(record: PostmortemRecord, body_sections: dict[str, str]) -> MappingNode:
    out = _Fields()
    # The lowest version that holds the record, so releases before game days read it.
    version = GAME_DAY_VERSION if record.game_day is not None else READABLE_VERSIONS[0]
    out.put("secondstory", ScalarNode(INT_TAG, str(version)))
    out.text("key", record.key)
    out.text("title", record.title)
    out.text("status", record.status)
    out.text("owner", record.owner)
    out.text("facilitator", record.facilitator, optional=True)
    out.names("collaborators", record.collaborators)
    out.names("reviewers", record.reviewers)
    out.text("not_required_reason", record.not_required_reason, optional=True)
    if record.created_at is not None:
        out.put("created_at", _datetime(record.created_at))
    if record.people:
        out.put("people", _mapping([(name, _person(p)) for name, p in record.people.items()]))
    if record.incidents:
        out.put("incidents", _list([_incident(incident) for incident in record.incidents]))
    if record.factors:
        out.put("factors", _list([_factor(factor) for factor in record.factors]))
    if record.action_items:
        out.put("action_items", _list([_action_item(item) for item in record.action_items]))
    if record.transitions:
        out.put("transitions", _list([_transition(step) for step in record.transitions]))
    if record.game_day is not None:
        out.put("game_day", _game_day(record.game_day))
    order = {name: position for position, (name, _) in enumerate(SECTIONS)}
    front_sections = sorted(
        (
            (name, text)
            for name, text in record.sections.items()
            if text and name not in body_sections
        ),
        key=lambda item: (order.get(item[0], len(order)), item[0]),
    )
    if front_sections:
        out.put("sections", _mapping([(name, _text(text)) for name, text in front_sections]))
    return out.node()


def _person(person: Person) -> MappingNode:
    out = _Fields()
    out.text("name", person.name)
    out.text("email", person.email, optional=True)
    return out.node(flow=True)


def _incident(incident: IncidentRecord) -> MappingNode:
    out = _Fields()
    out.text("key", incident.key)
    out.text("title", incident.title)
    out.text("severity", incident.severity)
    if incident.visibility != "internal":
        out.text("visibility", incident.visibility)
    out.names("services", incident.services)
    out.names("teams", incident.teams)
    out.names("tags", incident.tags)
    if incident.external_references:
        out.put(
            "external_references",
            _list([_reference(ref) for ref in incident.external_references]),
        )
    if incident.milestones:
        out.put("milestones", _mapping([(m.kind, _datetime(m.at)) for m in incident.milestones]))
    out.text("milestone_order_note", incident.milestone_order_note, optional=True)
    if incident.timeline:
        out.put("timeline", _list([_event(event) for event in incident.timeline]))
    return out.node()


def _reference(reference: ExternalReference) -> MappingNode:
    out = _Fields()
    out.text("system", reference.system)
    out.text("id", reference.identifier)
    out.text("url", reference.url, optional=True)
    return out.node()


def _event(event: TimelineEvent) -> MappingNode:
    out = _Fields()
    out.put("at", _datetime(event.at))
    out.text("kind", event.kind)
    out.text("source", event.source)
    out.text("ref", event.source_ref)
    out.text("actor", event.actor, optional=True)
    out.text("role", event.actor_role, optional=True)
    out.text("text", event.text)
    if event.starred:
        out.put("starred", _bool(True))
    if not event.known_at_the_time:
        out.put("known_at_the_time", _bool(False))
    out.text("evidence", event.evidence_url, optional=True)
    if event.raw is not None:
        out.put("raw", json_node(event.raw))
    return out.node()


def _factor(factor: FactorRecord) -> MappingNode:
    out = _Fields()
    out.text("key", factor.key)
    out.text("category", factor.category)
    out.text("description", factor.description)
    out.text("evidence", factor.evidence, optional=True)
    if factor.events:
        # Block style: "source:ref" would need quotes in a flow list.
        out.put("events", _list([_text(ref) for ref in factor.events]))
    return out.node()


def _action_item(item: ActionItemRecord) -> MappingNode:
    out = _Fields()
    out.text("key", item.key)
    out.text("title", item.title)
    out.text("type", item.type)
    out.text("priority", item.priority)
    out.text("owner", item.owner)
    out.put("due", _date(item.due))
    out.text("status", item.status)
    out.text("reason", item.reason, optional=True)
    out.text("done_criterion", item.done_criterion, optional=True)
    out.text("tracker", item.tracker_url, optional=True)
    out.names("factors", item.factors)
    if item.completed_at is not None:
        out.put("completed_at", _datetime(item.completed_at))
    return out.node()


def _transition(step: Transition) -> MappingNode:
    out = _Fields()
    out.text("from", step.from_status)
    out.text("to", step.to_status)
    out.text("by", step.by)
    out.put("at", _datetime(step.at))
    out.text("note", step.note, optional=True)
    return out.node()


def _game_day(game_day: GameDayRecord) -> MappingNode:
    out = _Fields()
    out.text("key", game_day.key)
    out.text("status", game_day.status)
    out.text("hypothesis", game_day.hypothesis)
    out.text("steady_state", game_day.steady_state)
    for name in ("steady_state_expected", "fault", "blast_radius", "abort_conditions"):
        out.text(name, getattr(game_day, name), optional=True)
    for name in ("scheduled_at", "started_at", "ended_at"):
        if getattr(game_day, name) is not None:
            out.put(name, _datetime(getattr(game_day, name)))
    out.names("participants", game_day.participants)
    out.names("services", game_day.services)
    out.names("categories", game_day.categories)
    if game_day.verifies:
        out.put("verifies", _list([_verification(v) for v in game_day.verifies]))
    return out.node()


def _verification(verification: VerificationRecord) -> MappingNode:
    out = _Fields()
    out.text("item", verification.item)
    out.text("note", verification.note)
    out.text("observation", verification.observation, optional=True)
    out.text("by", verification.by)
    out.put("at", _datetime(verification.at))
    return out.node()
