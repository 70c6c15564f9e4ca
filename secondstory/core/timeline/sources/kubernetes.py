"""Kubernetes events, as printed by ``kubectl get events -o json``.

Reads a ``List``/``EventList`` of events, a single ``Event``, objects written one after the
other (``kubectl get events --watch -o json``, with or without ``--output-watch-events``)
and JSON lines; both the core ``v1`` Event and the ``events.k8s.io/v1`` Event.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    Where,
    actor_name,
    signal_key,
    stable_ref,
)
from secondstory.core.timeline.sources.documents import (
    child,
    dict_at,
    first_key,
    head_text,
    instant_at,
    int_at,
    json_index,
    objects,
    text_at,
)

NAME = "kubernetes"
DESCRIPTION = "Kubernetes events (kubectl get events -o json, core/v1 or events.k8s.io/v1)"

# Normal events that record something being changed rather than observed.
CHANGE_REASONS = frozenset(
    {
        "ScalingReplicaSet",
        "SuccessfulRescale",
        "DeploymentRollback",
        "SuccessfulCreate",
        "SuccessfulDelete",
        "Killing",
        "Preempting",
        "TaintManagerEviction",
        "SuccessfulAttachVolume",
        "SuccessfulDetachVolume",
        "Drain",
        "Cordon",
        "Uncordon",
    }
)
_WATCH_TYPES = frozenset({"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"})
_SNIFF = re.compile(r'"(?:involvedObject|regarding)"\s*:\s*\{')
_SNIFF_TOO = re.compile(r'"(?:reason|kind"\s*:\s*"(?:Event|EventList))"')


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return False
        head = head_text(source)
        return (
            first_key(head)
            and _SNIFF.search(head) is not None
            and _SNIFF_TOO.search(head) is not None
        )
    except Exception:
        return False


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    # A watch stream shows the same event again each time its count goes up: keep the last.
    events: dict[str, TimelineEvent] = {}
    for where, item in _items(source):
        event = _event(item, where, source)
        if event is not None:
            events.pop(event.source_ref, None)
            events[event.source_ref] = event
    for event in events.values():
        if options.in_window(event.at):
            yield event


def _items(source: Source) -> Iterator[tuple[Where, dict[str, Any]]]:
    for where, value in objects(source):
        if not isinstance(value, dict):
            raise where.error("item", f"expected a JSON object, got {type(value).__name__}")
        kind = value.get("kind")
        watch = value.get("type")
        if isinstance(watch, str) and watch in _WATCH_TYPES and "object" in value:
            if watch in ("BOOKMARK", "ERROR"):
                continue
            obj = value["object"]
            if not isinstance(obj, dict):
                raise child(where, "object").error("object", "expected an object")
            yield child(where, "object"), obj
        elif "items" in value or (isinstance(kind, str) and kind.endswith("List")):
            items = value.get("items") or []
            if not isinstance(items, list):
                raise child(where, "items").error("items", "expected a list")
            for index, item in enumerate(items):
                place = where.at(path=json_index(child(where, "items").path, index))
                if not isinstance(item, dict):
                    raise place.error("item", f"expected an object, got {type(item).__name__}")
                yield place, item
        else:
            yield where, value


def _first_time(event: dict[str, Any], keys: tuple[str, ...], where: Where) -> datetime | None:
    for key in keys:
        moment = instant_at(event, key, where)
        if moment is not None:
            return moment
    return None


def _event(event: dict[str, Any], where: Where, source: Source) -> TimelineEvent | None:
    if event.get("kind") not in (None, "Event"):
        source.warn(f"a {event.get('kind')!r} object, not an Event; skipped", line=where.line)
        return None
    modern = "regarding" in event or "note" in event or "reportingController" in event
    metadata = dict_at(event, "metadata", where)
    meta_where = child(where, "metadata")
    regarding = dict_at(event, "regarding" if modern else "involvedObject", where)
    obj_where = child(where, "regarding" if modern else "involvedObject")
    series = dict_at(event, "series", where)
    series_where = child(where, "series")

    first = _first_time(
        event, ("eventTime", "firstTimestamp", "deprecatedFirstTimestamp"), where
    ) or instant_at(metadata, "creationTimestamp", meta_where)
    if first is None:
        first = _first_time(event, ("lastTimestamp", "deprecatedLastTimestamp"), where)
    if first is None:
        first = instant_at(series, "lastObservedTime", series_where)
    if first is None:
        raise where.error("eventTime", "no time: eventTime, firstTimestamp and metadata are unset")
    last = instant_at(series, "lastObservedTime", series_where) or _first_time(
        event, ("lastTimestamp", "deprecatedLastTimestamp"), where
    )
    count = max(
        int_at(series, "count", series_where) or 0,
        int_at(event, "count", where) or 0,
        int_at(event, "deprecatedCount", where) or 0,
        1,
    )

    reason = text_at(event, "reason", where).strip()
    message = " ".join(text_at(event, "note" if modern else "message", where).split())
    kind_name = text_at(regarding, "kind", obj_where)
    name = text_at(regarding, "name", obj_where)
    # Only the object's own namespace: events about nodes are filed under "default".
    namespace = text_at(regarding, "namespace", obj_where)
    field_path = text_at(regarding, "fieldPath", obj_where)
    subject = "/".join(part for part in (kind_name, name) if part) or "cluster"
    if namespace:
        subject += f" ({namespace})"
    if field_path:
        subject += f" {field_path}"
    text = subject
    if reason:
        text += f" {reason}"
    if message:
        text += f": {message}"
    if count > 1:
        text += f" (×{count}"
        if last is not None and last != first:
            text += f" until {last.isoformat().replace('+00:00', 'Z')}"
        text += ")"

    old_source = dict_at(event, "deprecatedSource" if modern else "source", where)
    actor = (
        text_at(event, "reportingController", where)
        or text_at(event, "reportingComponent", where)
        or text_at(old_source, "component", where)
    )
    severity = text_at(event, "type", where).strip()
    if severity == "Warning":
        kind, signal = "alert", signal_key(reason)
    elif reason in CHANGE_REASONS:
        kind, signal = "change", ""
    else:
        kind, signal = "observation", ""

    uid = text_at(metadata, "uid", meta_where)
    if uid:
        ref = stable_ref(uid)
    elif text_at(metadata, "name", meta_where):
        ref = stable_ref(namespace, text_at(metadata, "name", meta_where))
    else:
        joined = "\x1f".join((first.isoformat(), kind_name, name, namespace, reason, message))
        ref = "sha256-" + hashlib.sha256(joined.encode("utf-8")).hexdigest()
    return TimelineEvent(
        at=first,
        kind=kind,
        source=NAME,
        source_ref=ref,
        text=text,
        actor=actor_name(actor),
        raw=event,
        signal=signal,
    )
