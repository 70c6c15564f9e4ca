"""Generic JSON lines: one event object per line.

Reads back exactly what ``secondstory parse --format jsonl`` prints (``at`` in UTC plus the
original ``offset``, ``kind``, ``source``, ``source_ref``, ``actor``, ``actor_role``,
``text``), and also hand-written or script-made lines using common key names.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from secondstory.core.taxonomy import MAX_SOURCE
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    Where,
    actor_name,
    decode_line,
    parse_offset,
    role_name,
    stable_ref,
)
from secondstory.core.timeline.sources.documents import instant, kind_of, lines, text_at, url

NAME = "jsonl"
DESCRIPTION = "JSON lines, one event per line (also what `secondstory parse --format jsonl` prints)"

TIME_KEYS = ("at", "time", "timestamp", "ts", "@timestamp", "datetime", "date")
TEXT_KEYS = ("text", "message", "msg", "description", "summary")
ACTOR_KEYS = ("actor", "user", "author", "who", "username")
KIND_KEYS = ("kind", "type", "category")
REF_KEYS = ("source_ref", "id", "ref")

# Keys whose presence marks a line as some specific tool's payload, not a generic event.
_FOREIGN_KEYS = frozenset(
    {"action", "payload", "alert", "incident", "log_entries", "post", "alerts"}
)
_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}|Z")


def _pick(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in obj and obj[key] is not None and obj[key] != "":
            return key
    return None


def _claims(obj: object) -> bool:
    if not isinstance(obj, dict) or _FOREIGN_KEYS & obj.keys():
        return False
    time_key = _pick(obj, TIME_KEYS)
    text_key = _pick(obj, TEXT_KEYS)
    if time_key is None or text_key is None:
        return False
    moment, text = obj[time_key], obj[text_key]
    if isinstance(moment, bool) or not isinstance(moment, (str, int, float)):
        return False
    kind = obj.get("type")
    return isinstance(text, str) and not (isinstance(kind, str) and kind.endswith("_log_entry"))


def sniff(source: Source) -> bool:
    """The first non-blank line is a JSON object with a time key and a text key."""
    try:
        if source.is_dir:
            return False
        for raw in source.head().splitlines():
            if not raw.strip():
                continue
            try:
                obj = json.loads(decode_line(raw))
            except (ValueError, RecursionError):
                return False
            return _claims(obj)
    except Exception:
        return False
    return False


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    seen: dict[str, int] = {}
    identities: set[str] = set()
    for number, obj in lines(source):
        where = Where(source.name, number)
        if not isinstance(obj, dict):
            raise where.error("line", f"expected a JSON object, got {type(obj).__name__}")
        event = _event(obj, where, source, options, seen)
        if event is None:
            continue
        if event.ref in identities:
            # The same event printed twice (two outputs joined): it is kept once.
            source.warn(f"{event.ref} repeats an earlier line; skipped", line=number)
            continue
        identities.add(event.ref)
        yield event


def _event(
    obj: dict[str, Any],
    where: Where,
    source: Source,
    options: ParseOptions,
    seen: dict[str, int],
) -> TimelineEvent | None:
    time_key = _pick(obj, TIME_KEYS)
    if time_key is None:
        raise where.error("at", f"no time: expected one of {', '.join(TIME_KEYS)}")
    at = instant(obj[time_key], where, time_key, options.tz)
    offset = text_at(obj, "offset", where).strip()
    if offset:
        if not _OFFSET.fullmatch(offset):
            raise where.error("offset", f"not a UTC offset: {offset[:20]!r}")
        at = at.astimezone(parse_offset(offset, where, "offset"))
    text_key = _pick(obj, TEXT_KEYS)
    text = text_at(obj, text_key, where) if text_key else ""
    if not text.strip():
        raise where.error("text", f"no text: expected one of {', '.join(TEXT_KEYS)}")
    actor_key = _pick(obj, ACTOR_KEYS)
    actor = actor_name(text_at(obj, actor_key, where)) if actor_key else ""
    kind_key = _pick(obj, KIND_KEYS)
    kind = (
        kind_of(text_at(obj, kind_key, where), source, where, kind_key)
        if kind_key
        else "observation"
    )
    role = role_name(text_at(obj, "actor_role", where))
    given_source = text_at(obj, "source", where).strip()
    ref_key = _pick(obj, REF_KEYS)
    given_ref = text_at(obj, ref_key, where).strip() if ref_key else ""
    if given_source and given_ref and len(given_source) <= MAX_SOURCE:
        # A line printed by `secondstory parse --format jsonl`: keep its identity as it is.
        origin, ref = given_source, stable_ref(given_ref)
    else:
        origin = NAME
        base = given_ref or _digest(at.astimezone(UTC).isoformat(), actor, text)
        count = seen[base] = seen.get(base, 0) + 1
        ref = stable_ref(base) if count == 1 else stable_ref(f"{base}#{count}")
    if not options.in_window(at):
        return None
    starred = obj.get("starred") is True
    known = obj.get("known_at_the_time") is not False
    evidence = url(text_at(obj, "evidence_url", where).strip(), source, where)
    return TimelineEvent(
        at=at,
        kind=kind,
        source=origin,
        source_ref=ref,
        text=text,
        actor=actor,
        actor_role=role,
        starred=starred,
        known_at_the_time=known,
        evidence_url=evidence,
        raw=obj,
    )


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:20]
