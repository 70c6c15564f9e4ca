"""Reading JSON files that hold one object, an array of objects, or many objects in a row.

Webhook payloads and ``kubectl`` output arrive in all of these shapes: a single document, a
JSON array, JSON lines, or pretty-printed objects written one after the other (``--watch``).
``values`` reads any of them and tells where each value started, so errors can name the line.
Also here: the helpers the generic importers (CSV, JSON lines) share for times and kinds.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import Any

from secondstory.core.taxonomy import MAX_URL, TIMELINE_KINDS
from secondstory.core.timeline.sources.base import (
    Source,
    SourceError,
    Where,
    clip,
    decode,
    from_epoch,
    json_lines,
    parse_instant,
)

_SPACE = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def values(source: Source, data: bytes | None = None) -> Iterator[tuple[Where, Any]]:
    """Every top-level JSON value of a file, with the line it starts on.

    A top-level array is one value here; see :func:`objects` to walk into it.
    """
    raw = source.read_bytes() if data is None else data
    text = decode_any(raw)
    decoder = json.JSONDecoder()
    position, line, size = 0, 1, len(text)
    while True:
        blank = _SPACE.match(text, position)
        end = blank.end() if blank else position
        line += text.count("\n", position, end)
        position = end
        if position >= size:
            return
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"not valid JSON: {exc.msg} (column {exc.colno})", file=source.name, line=exc.lineno
            ) from exc
        except RecursionError as exc:
            raise SourceError("JSON nested too deeply", file=source.name, line=line) from exc
        except ValueError as exc:
            # Integers longer than Python's digit limit are refused with a plain ValueError.
            raise SourceError(f"not valid JSON: {exc}", file=source.name, line=line) from exc
        yield Where(source.name, line), value
        line += text.count("\n", position, end)
        position = end


def decode_any(data: bytes) -> str:
    """Text of a file that may be UTF-16 (Windows PowerShell writes redirected output so)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return decode(data)


def head_text(source: Source) -> str:
    """The start of a file as text, for sniffing (see :func:`decode_any`)."""
    return decode_any(source.head())


def lines(source: Source) -> Iterator[tuple[int, Any]]:
    """Numbered JSON values, one per non-blank line (``base.json_lines``, which also refuses
    numbers too long to convert with a SourceError)."""
    return json_lines(source)


def objects(source: Source, data: bytes | None = None) -> Iterator[tuple[Where, Any]]:
    """Every top-level value, with the items of top-level arrays taken one by one."""
    for where, value in values(source, data):
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield where.at(path=json_index(where.path, index)), item
        else:
            yield where.at(path="$"), value


def json_index(path: str, index: int) -> str:
    return f"{path or '$'}[{index}]"


def child(where: Where, key: str | int) -> Where:
    """The place of ``key`` below ``where``."""
    base = where.path or "$"
    return where.at(path=f"{base}[{key}]" if isinstance(key, int) else f"{base}.{key}")


def first_key(head: str) -> bool:
    """Whether a file's text starts like a JSON object or array."""
    stripped = head.lstrip()
    return stripped.startswith("{") or stripped.startswith("[")


def dict_at(obj: dict[str, Any], key: str, where: Where) -> dict[str, Any]:
    """``obj[key]`` as an object ({} when absent or null)."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise child(where, key).error(key, f"expected an object, got {type(value).__name__}")
    return value


def text_at(obj: dict[str, Any], key: str, where: Where) -> str:
    """``obj[key]`` as text ("" when absent or null); numbers are accepted."""
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise child(where, key).error(key, f"expected text, got {type(value).__name__}")


def int_at(obj: dict[str, Any], key: str, where: Where) -> int | None:
    """``obj[key]`` as a whole number (None when absent or null)."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 20:
        return int(value.strip())
    raise child(where, key).error(key, f"expected a whole number, got {clip(repr(value), 40)}")


def instant_at(obj: dict[str, Any], key: str, where: Where) -> datetime | None:
    """``obj[key]`` as an ISO 8601 time with an offset (None when absent, null or year 1)."""
    return parse_instant(obj.get(key), child(where, key), key)


def url(value: str, source: Source, where: Where) -> str:
    """A link kept as evidence; one too long for the column is left out with a warning."""
    if len(value) <= MAX_URL:
        return value
    source.warn(f"a link longer than {MAX_URL} characters was left out", line=where.line)
    return ""


# --- the generic importers ------------------------------------------------------------------

KIND_ALIASES: dict[str, str] = {
    "deploy": "change",
    "deployment": "change",
    "release": "change",
    "rollback": "change",
    "config": "change",
    "commit": "change",
    "merge": "change",
    "alarm": "alert",
    "alerting": "alert",
    "monitor": "alert",
    "paged": "page",
    "pager": "page",
    "oncall": "page",
    "message": "chat",
    "slack": "chat",
    "note": "observation",
    "info": "observation",
    "log": "observation",
    "event": "observation",
    "status update": "status",
    "incident update": "status",
    "announcement": "comms",
    "email": "comms",
    "customer": "comms",
    "mitigation": "action",
    "fix": "action",
    "step": "action",
}


def kind_of(value: str, source: Source, where: Where, field: str) -> str:
    """A timeline kind from a free-text label; unknown labels become "observation"."""
    label = " ".join(value.split()).casefold()
    if not label:
        return "observation"
    if label in TIMELINE_KINDS:
        return label
    if label.endswith("s") and label[:-1] in TIMELINE_KINDS:
        return label[:-1]
    alias = KIND_ALIASES.get(label)
    if alias is not None:
        return alias
    source.warn(
        f"{field}: unknown kind {clip(value, 40)!r}, kept as observation "
        f"(known: {', '.join(TIMELINE_KINDS)})",
        line=where.line,
        path=where.path,
    )
    return "observation"


def instant(value: object, where: Where, field: str, tz: tzinfo | None) -> datetime:
    """A time given as ISO 8601 text or as an epoch number (s, ms, µs or ns)."""
    if isinstance(value, bool) or value is None:
        raise where.error(field, f"expected a time, got {value!r}")
    if isinstance(value, (int, float)):
        return from_epoch(value, where, field)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return from_epoch(value.strip(), where, field)
    moment = parse_instant(value, where, field, tz=tz)
    if moment is None:
        raise where.error(field, "is empty")
    return moment
