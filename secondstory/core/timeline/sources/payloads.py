"""Files of webhook payloads and API responses, shared by the alert and status importers.

A file holds one JSON payload, a JSON array of payloads, or JSON lines (one payload per line).
A payload may sit in a capture envelope, as written by a small receiver that logs what it was
sent: ``{"received_at": ..., "headers": {...}, "body": {...}}`` (``payload`` instead of
``body``, ``timestamp`` or ``time`` instead of ``received_at``; the body may be the JSON text
itself). The envelope's time is kept, for payloads that carry none of their own.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from secondstory.core.taxonomy import MAX_URL
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    HEAD_SIZE,
    Source,
    SourceError,
    Where,
    clip,
    decode,
    decode_line,
    from_epoch,
    parse_instant,
)

BODY_KEYS = ("body", "payload")
TIME_KEYS = ("received_at", "receivedAt", "timestamp", "time")
ENVELOPE_KEYS = frozenset(
    (*BODY_KEYS, *TIME_KEYS, "headers", "method", "path", "url", "query", "remote_addr", "id")
)


class Payload(NamedTuple):
    """One payload object, where it sits, and the time its capture envelope recorded."""

    body: Any
    where: Where
    received_at: datetime | None = None


def sub(where: Where, *parts: str | int) -> Where:
    """``where`` one step deeper in the JSON: ``$.alerts`` + ``1`` gives ``$.alerts[1]``."""
    path = where.path or "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where.at(path=path)


# --- reading ---------------------------------------------------------------------------------


def _float(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def _json(text: str) -> Any:
    """JSON as Python values. ``NaN``, ``Infinity`` and numbers too large for a float stay as
    their text, so the payload kept with an event is standard JSON again."""
    return json.loads(text, parse_constant=str, parse_float=_float)


def _loads(text: str, where: Where) -> Any:
    try:
        return _json(text)
    except json.JSONDecodeError as exc:
        line = where.line or exc.lineno
        raise SourceError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=where.file, line=line
        ) from exc
    except RecursionError as exc:
        raise where.error("", "JSON nested too deeply") from exc
    except ValueError as exc:  # a number too long to read
        raise where.error("", f"not valid JSON: {exc}") from exc


def _documents(source: Source) -> Iterator[tuple[Any, Where]]:
    """Each top-level JSON value of the file with its place: one document, or JSON lines."""
    text = decode(source.read_bytes())
    if not text.strip():
        raise source.where.error("", "the file is empty")
    try:
        document = _json(text)
    except json.JSONDecodeError as exc:
        whole = SourceError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=source.name, line=exc.lineno
        )
        if exc.msg != "Extra data":
            raise whole from exc
    except RecursionError as exc:
        raise source.where.error("", "JSON nested too deeply") from exc
    except ValueError as exc:  # a number too long to read
        raise source.where.error("", f"not valid JSON: {exc}") from exc
    else:
        yield document, source.where
        return
    # JSON lines. Only "\n" ends a line: U+2028 and the like may sit inside JSON strings.
    first = True
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = source.where.at(line=number)
        try:
            value = _loads(line, where)
        except SourceError:
            if first:  # one document followed by something else, not JSON lines
                raise whole from None
            raise
        first = False
        yield value, where


def payloads(source: Source) -> Iterator[Payload]:
    """Every payload in a file: the elements of a top-level array, each JSON line, or the
    single document; capture envelopes are opened."""
    for document, where in _documents(source):
        if isinstance(document, list):
            for index, item in enumerate(document):
                yield open_envelope(item, sub(where, index))
        else:
            yield open_envelope(document, where.at(path=where.path or "$"))


def is_envelope(value: Any) -> bool:
    """A capture around a payload: a body plus only capture fields (time, headers, ...)."""
    if not isinstance(value, dict):
        return False
    bodies = [key for key in BODY_KEYS if key in value]
    if len(bodies) != 1:
        return False
    body = value[bodies[0]]
    if not (isinstance(body, dict) or (isinstance(body, str) and body.lstrip().startswith("{"))):
        return False
    # Only capture fields, or at least a capture time or the request headers beside the body.
    return set(value) <= ENVELOPE_KEYS or any(key in value for key in (*TIME_KEYS, "headers"))


def open_envelope(value: Any, where: Where) -> Payload:
    if not is_envelope(value):
        return Payload(value, where)
    key = next(key for key in BODY_KEYS if key in value)
    body = value[key]
    body_where = sub(where, key)
    if isinstance(body, str):
        body = _loads(body, body_where)
        if not isinstance(body, dict):
            raise body_where.error(key, "the captured body is not a JSON object")
    received: datetime | None = None
    for time_key in TIME_KEYS:
        if value.get(time_key) is not None:
            received = instant(value[time_key], where, time_key)
            break
    return Payload(body, body_where, received)


# --- sniffing --------------------------------------------------------------------------------


def first_payload(source: Source) -> Any:
    """The first payload of a file, read from its head (None when it cannot be told).

    Never raises. A file longer than the head is read through its first JSON line, or the
    first element of a top-level array. Read once per input for every importer that asks.
    """
    return source.sniffed("first_payload", lambda: _first_payload(source))


def _first_payload(source: Source) -> Any:
    try:
        if source.is_dir:
            return None
        head = source.head()
        text = decode(head).lstrip()
        if not text or text[0] not in "[{":
            return None
        if len(head) < HEAD_SIZE:
            for payload in payloads(source):
                return payload.body
            return None
        first_line = decode_line(head.lstrip().split(b"\n", 1)[0])
        try:
            value = _json(first_line)
        except (ValueError, RecursionError):
            value = None
        if value is None and text.startswith("["):
            decoder = json.JSONDecoder(parse_constant=str, parse_float=_float)
            position = len(text) - len(text[1:].lstrip())
            value, _ = decoder.raw_decode(text, position)
            return open_envelope(value, Where(source.name)).body
        if isinstance(value, list):
            value = value[0] if value else None
        return open_envelope(value, Where(source.name)).body if value is not None else None
    except (SourceError, ValueError, RecursionError, OSError):
        return None


def head_has(source: Source, *keys: str) -> bool:
    """Whether the head of a JSON file names every one of ``keys`` as a JSON key (for files
    whose first payload cannot be read from the head)."""
    text = source.head_text()
    if not text.lstrip().startswith(("{", "[")):
        return False
    return all(re.search(rf'"{re.escape(key)}"\s*:', text) for key in keys)


# --- values ----------------------------------------------------------------------------------


_EPOCH_TEXT = re.compile(r"\d{9,20}(?:\.\d{1,9})?")


def instant(value: Any, where: Where, field: str) -> datetime | None:
    """An ISO 8601 timestamp or an epoch number (or its digits as text) as an aware datetime
    (None when not set)."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if numeric or (isinstance(value, str) and _EPOCH_TEXT.fullmatch(value.strip())):
        moment: datetime | None = from_epoch(value, where, field)
    else:
        moment = parse_instant(value, where, field)
    if moment is not None:
        try:
            moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise where.error(field, "the timestamp is out of range") from exc
    return moment


def obj(value: Any, where: Where, field: str) -> dict[str, Any]:
    """``value`` as a JSON object, or an error naming the field."""
    if not isinstance(value, dict):
        raise where.error(field, f"expected an object, got {_kind(value)}")
    return value


def opt_obj(parent: dict[str, Any], key: str, where: Where) -> dict[str, Any]:
    """``parent[key]`` as an object; absent or null gives ``{}``."""
    value = parent.get(key)
    if value is None:
        return {}
    return obj(value, where, key)


def opt_list(parent: dict[str, Any], key: str, where: Where) -> list[Any]:
    """``parent[key]`` as a list; absent or null gives ``[]``."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error(key, f"expected a list, got {_kind(value)}")
    return value


def text(parent: dict[str, Any], key: str, where: Where) -> str:
    """``parent[key]`` as text: strings, numbers and booleans; absent or null gives ""."""
    value = parent.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise where.error(key, f"expected text, got {_kind(value)}")


def text_list(parent: dict[str, Any], key: str, where: Where) -> list[str]:
    """A list of texts (tags); numbers are accepted."""
    items = opt_list(parent, key, where)
    inner = sub(where, key)
    return [
        text({key: item}, key, inner.at(path=f"{inner.path}[{i}]")) for i, item in enumerate(items)
    ]


def labels(parent: dict[str, Any], key: str, where: Where) -> dict[str, str]:
    """A map of names to text (alert labels, annotations, tags)."""
    mapping = opt_obj(parent, key, where)
    inner = sub(where, key)
    return {str(name): text(mapping, name, inner) for name in mapping}


def url(value: str) -> str:
    """An evidence link, or "" when it is not a web address or does not fit the column."""
    value = value.strip()
    if len(value) > MAX_URL or not value.startswith(("http://", "https://")):
        return ""
    return value


def one_line(value: str, limit: int = 2000) -> str:
    return clip(" ".join(value.split()), limit)


def warn_unknown(source: Source, what: str, value: str, where: Where, limit: int = 60) -> None:
    """Warn that a payload's ``what`` (an action, an event type) is one this importer does not
    know, and that its event is kept as an observation."""
    source.warn(
        f"unknown {what} {clip(value, limit)!r}; kept as an observation",
        line=where.line,
        path=where.path,
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


# --- events ----------------------------------------------------------------------------------


def unique(events: Iterable[TimelineEvent]) -> Iterator[TimelineEvent]:
    """Events with a reference already seen dropped: the same payload delivered twice (a
    retried webhook, a notification re-sent on its repeat interval) is one event."""
    seen: set[str] = set()
    for event in events:
        if event.source_ref in seen:
            continue
        seen.add(event.source_ref)
        yield event


def each(
    source: Source, handle: Callable[[Payload], Iterable[TimelineEvent]]
) -> Iterator[TimelineEvent]:
    """``handle`` applied to every payload of the file, duplicates dropped."""

    def run() -> Iterator[TimelineEvent]:
        try:
            for payload in payloads(source):
                yield from handle(payload)
        except SourceError as exc:
            raise located(exc) from exc

    return unique(run())


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def located(error: SourceError) -> SourceError:
    """The error with its field folded into the JSON path: ``$.alerts[1].startsAt: ...``."""
    if not (error.path and error.field and _KEY.fullmatch(error.field)):
        return error
    return SourceError(
        error.message, file=error.file, line=error.line, path=f"{error.path}.{error.field}"
    )
