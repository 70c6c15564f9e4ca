"""The shape of the exchange format: version, key order and key names.

The renderer writes the keys of each mapping in the order listed here and the
parser accepts exactly these keys, so the two cannot drift apart.
"""

from __future__ import annotations

from secondstory.core.invariants import Path

# Version 2 adds ``game_day`` (a game day's review); a file without one is written and read as
# version 1, so files of earlier releases load and postmortems export as before.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
GAME_DAY_VERSION = 2

# A location in the file, in the file's own key names, e.g. ("incidents", 0, "severity").
FilePath = tuple[str | int, ...]

POSTMORTEM_KEYS: tuple[str, ...] = (
    "secondstory",
    "key",
    "title",
    "status",
    "owner",
    "facilitator",
    "collaborators",
    "reviewers",
    "not_required_reason",
    "created_at",
    "people",
    "incidents",
    "factors",
    "action_items",
    "transitions",
    "game_day",
    "sections",
)
PERSON_KEYS: tuple[str, ...] = ("name", "email")
INCIDENT_KEYS: tuple[str, ...] = (
    "key",
    "title",
    "severity",
    "visibility",
    "services",
    "teams",
    "tags",
    "external_references",
    "milestones",
    "milestone_order_note",
    "timeline",
)
REFERENCE_KEYS: tuple[str, ...] = ("system", "id", "url")
EVENT_KEYS: tuple[str, ...] = (
    "at",
    "kind",
    "source",
    "ref",
    "actor",
    "role",
    "text",
    "starred",
    "known_at_the_time",
    "evidence",
    "raw",
)
FACTOR_KEYS: tuple[str, ...] = ("key", "category", "description", "evidence", "events")
ACTION_ITEM_KEYS: tuple[str, ...] = (
    "key",
    "title",
    "type",
    "priority",
    "owner",
    "due",
    "status",
    "reason",
    "done_criterion",
    "tracker",
    "factors",
    "completed_at",
)
TRANSITION_KEYS: tuple[str, ...] = ("from", "to", "by", "at", "note")
GAME_DAY_KEYS: tuple[str, ...] = (
    "key",
    "status",
    "hypothesis",
    "steady_state",
    "steady_state_expected",
    "fault",
    "blast_radius",
    "abort_conditions",
    "scheduled_at",
    "started_at",
    "ended_at",
    "participants",
    "services",
    "categories",
    "verifies",
)
VERIFICATION_KEYS: tuple[str, ...] = ("item", "note", "observation", "by", "at")

# Record attribute names (as used in invariant paths) whose key in the file differs.
FILE_KEY: dict[str, str] = {
    "source_ref": "ref",
    "actor_role": "role",
    "evidence_url": "evidence",
    "tracker_url": "tracker",
    "identifier": "id",
    "from_status": "from",
    "to_status": "to",
}


def file_key(name: str) -> str:
    """The key a record attribute is written under: ``source_ref`` -> ``ref``."""
    return FILE_KEY.get(name, name)


def to_file_path(path: Path, milestone_kinds: list[list[str]]) -> FilePath:
    """Translate an invariant path into the file's terms.

    Milestones are a mapping keyed by kind in the file, so
    ``("incidents", 0, "milestones", 1, "at")`` becomes
    ``("incidents", 0, "milestones", "detected")`` given the kinds per incident.

    >>> to_file_path(("incidents", 0, "timeline", 2, "source_ref"), [[]])
    ('incidents', 0, 'timeline', 2, 'ref')
    >>> to_file_path(("incidents", 0, "milestones", 1, "at"), [["impact_started", "detected"]])
    ('incidents', 0, 'milestones', 'detected')
    """
    out: list[str | int] = []
    parts = list(path)
    i = 0
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if (
            part == "milestones"
            and len(out) == 2
            and out[0] == "incidents"
            and isinstance(out[1], int)
            and isinstance(following, int)
            and out[1] < len(milestone_kinds)
            and following < len(milestone_kinds[out[1]])
        ):
            out += ["milestones", milestone_kinds[out[1]][following]]
            break  # ``at`` and ``kind`` of a milestone are the same entry in the file
        out.append(file_key(part) if isinstance(part, str) else part)
        i += 1
    return tuple(out)
