"""The ``game_day`` mapping of a game day's review (format version 2): read and written."""

from __future__ import annotations

from yaml.nodes import Node

from secondstory.core.exchange.reader import PLACEHOLDER_DATETIME, Reader
from secondstory.core.exchange.schema import GAME_DAY_KEYS, VERIFICATION_KEYS, FilePath
from secondstory.core.gamedays.record import GameDayRecord, VerificationRecord

_TEXTS = ("steady_state_expected", "fault", "blast_radius", "abort_conditions")
_TIMES = ("scheduled_at", "started_at", "ended_at")
_NAMES = ("participants", "services", "categories")


def read_game_day(r: Reader, node: Node, path: FilePath) -> GameDayRecord | None:
    required = ("key", "hypothesis", "steady_state")
    fields = r.mapping(node, path, GAME_DAY_KEYS, required=required)
    if fields is None:
        return None
    record = GameDayRecord(
        key=r.required(fields, "key", path, r.string, ""),
        hypothesis=r.required(fields, "hypothesis", path, r.string, ""),
        steady_state=r.required(fields, "steady_state", path, r.string, ""),
        status=r.optional(fields, "status", path, r.string, "planned"),
    )
    for name in _TEXTS:
        setattr(record, name, r.optional(fields, name, path, r.string, ""))
    for name in _TIMES:
        setattr(record, name, r.optional(fields, name, path, r.moment, None))
    empty: list[str] = []
    for name in _NAMES:
        setattr(record, name, list(r.optional(fields, name, path, r.strings, empty)))
    verifies = fields.get("verifies")
    if verifies is not None:
        record.verifies = [
            _verification(r, item, where) for item, where in r.items(verifies, (*path, "verifies"))
        ]
    return record


def _verification(r: Reader, node: Node, path: FilePath) -> VerificationRecord:
    fields = r.mapping(node, path, VERIFICATION_KEYS, required=("item", "note", "by", "at"))
    if fields is None:
        return VerificationRecord("", "", "", PLACEHOLDER_DATETIME)
    return VerificationRecord(
        item=r.required(fields, "item", path, r.string, ""),
        note=r.required(fields, "note", path, r.string, ""),
        by=r.required(fields, "by", path, r.string, ""),
        at=r.required(fields, "at", path, r.moment, PLACEHOLDER_DATETIME),
        observation=r.optional(fields, "observation", path, r.string, ""),
    )
