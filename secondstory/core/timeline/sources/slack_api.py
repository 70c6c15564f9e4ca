"""Slack Web API pages: ``conversations.history``, ``channels.history``, ``conversations.replies``.

A page is ``{"ok": true, "messages": [...], "has_more": ..., "response_metadata": {...}}``,
newest message first; a file may hold one page or a list of pages. Messages are read exactly
as in a workspace export (see ``slack``), and give the same ``source_ref``
(``<channel id>/<ts>``), so the same message imported both ways is one event.

The API returns neither the channel nor the authors' names with the messages: they come from
files saved beside the page, read when they are there:

- users: a ``users.list`` response (``{"ok": true, "members": [...]}``), ``users.info``
  responses (``{"ok": true, "user": {...}}``) or an export's ``users.json``;
- the channel: its id in the page's file name (``C04INCIDENT.json``,
  ``history-C04INCIDENT-2.json``) or a ``channel`` the page was saved with; its name from a
  ``conversations.list`` / ``conversations.info`` response or an export's ``channels.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    SourceError,
    load_json,
)
from secondstory.core.timeline.sources.beside import HEAD, neighbours
from secondstory.core.timeline.sources.chat import as_text
from secondstory.core.timeline.sources.slack import _Channel, _person, _State, _User

NAME = "slack_api"
DESCRIPTION = "Slack Web API pages (conversations.history, channels.history, conversations.replies)"

_PAGE = re.compile(r"^\s*[\[{]")
_OK = re.compile(r'"ok"\s*:\s*true')
_MESSAGES = re.compile(r'"messages"\s*:\s*\[')
_TS = re.compile(r'"(?:ts|thread_ts)"\s*:\s*"\d{9,10}\.\d{6}"')
_CHANNEL_ID = re.compile(r"(?<![A-Za-z0-9])([CGD][A-Z0-9]{8,11})(?![A-Za-z0-9])")
_REAL_NAME = re.compile(r'"real_name"\s*:')
_PROFILE = re.compile(r'"profile"\s*:\s*\{')

# What a file beside the page holds, told from its head: (kind, pattern).
_COMPANIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("users", re.compile(r'"members"\s*:\s*\[')),
    ("user", re.compile(r'"user"\s*:\s*\{')),
    ("channels", re.compile(r'"channels"\s*:\s*\[')),
    ("channel", re.compile(r'"channel"\s*:\s*\{')),
)


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return False
        head = source.head_text()
        # "ok" comes first in Slack's responses; a page saved with its keys in another order
        # is known by its messages' ts ("1714658591.000100").
        return (
            _PAGE.match(head) is not None
            and _MESSAGES.search(head) is not None
            and (_OK.search(head) is not None or _TS.search(head) is not None)
        )
    except Exception:
        return False


def companion(source: Source) -> str:
    """What a Slack API file that holds no messages is for ("" when it is not one)."""
    kind = _companion_kind(source.head_text(HEAD)) if not source.is_dir else ""
    if kind in ("users", "user"):
        return "Slack users, read with the message pages beside them"
    if kind in ("channels", "channel"):
        return "Slack channels, read with the message pages beside them"
    return ""


def _companion_kind(head: str) -> str:
    stripped = head.lstrip()
    if stripped.startswith("[") and _REAL_NAME.search(head) and _PROFILE.search(head):
        return "users"  # a workspace export's users.json
    if not stripped.startswith("{") or _OK.search(head) is None or _MESSAGES.search(head):
        return ""
    for kind, pattern in _COMPANIONS:
        if pattern.search(head):
            return kind
    return ""


# --- parsing ---------------------------------------------------------------------------------


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    document = load_json(source)
    pages = _pages(source, document)
    users, channels = _siblings(source)
    channel = _channel(source, pages, channels)
    if not options.wants_channel(channel.id, channel.name):
        return
    names = {c.id: c.name for c in channels.values()}
    state = _State(source, users, names, options)
    seen: set[str] = set()
    last_base, last = pages[-1] if pages else ("$", {})
    if last.get("has_more") is True:
        source.warn(
            "this page says has_more: the channel holds more messages; fetch the next page "
            "(cursor from response_metadata.next_cursor) and import it too",
            path=last_base.removesuffix(".messages"),
        )
    for base, page in pages:
        for event in state.messages(page["messages"], source.name, source.name, channel, base):
            if event.source_ref not in seen:  # conversations.replies repeats the parent
                seen.add(event.source_ref)
                yield event
    state.finish()


def _pages(source: Source, document: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(JSON path of the messages, page)`` of a page or of a list of pages."""
    if isinstance(document, dict):
        found = [("$", document)]
    elif isinstance(document, list):
        found = [(f"$[{i}]", page) for i, page in enumerate(document)]
    else:
        raise SourceError("expected a conversations.history response", file=source.name, path="$")
    pages = []
    for path, page in found:
        if not isinstance(page, dict):
            raise SourceError("expected a response object", file=source.name, path=path)
        if page.get("ok") is False:
            error = as_text(page.get("error")) or "no reason given"
            raise SourceError(
                f"this response is Slack's refusal ({error}), not messages",
                file=source.name,
                path=path,
                field="ok",
            )
        if not isinstance(page.get("messages"), list):
            raise SourceError(
                "expected a list of messages", file=source.name, path=path, field="messages"
            )
        pages.append((f"{path}.messages", page))
    return pages


def _channel(
    source: Source, pages: list[tuple[str, dict[str, Any]]], channels: dict[str, _Channel]
) -> _Channel:
    for _, page in pages:
        given = page.get("channel")
        if isinstance(given, dict):
            given = as_text(given.get("id")) or as_text(given.get("name"))
        if isinstance(given, str) and given.strip():
            ident = given.strip().lstrip("#")
            return channels.get(ident) or _Channel(ident, ident)
    for stem in (Path(source.name).stem, source.path.stem):
        found = _CHANNEL_ID.findall(stem)
        if found:
            return channels.get(found[-1]) or _Channel(found[-1], found[-1])
    stem = Path(source.name).stem
    if stem in channels:
        return channels[stem]
    source.warn(
        "the channel id is neither in the file name nor in the page; the file name stands "
        "for it (name the file after the channel id, C0123ABCD.json, so that the same messages "
        "from a workspace export are recognised)"
    )
    return _Channel(stem, stem)


def _siblings(source: Source) -> tuple[dict[str, _User], dict[str, _Channel]]:
    """The users and channels saved in the files beside the page."""
    users: dict[str, _User] = {}
    channels: dict[str, _Channel] = {}
    for kind, value in neighbours(source, _companion_kind):
        _collect(kind, value, users, channels)
    return users, channels


def _collect(kind: str, value: Any, users: dict[str, _User], channels: dict[str, _Channel]) -> None:
    if isinstance(value, dict):
        key = {"users": "members", "user": "user", "channels": "channels", "channel": "channel"}
        value = value.get(key.get(kind, ""))
    items = value if isinstance(value, list) else [value]
    for item in items[:200_000]:
        if not isinstance(item, dict):
            continue
        ident = as_text(item.get("id"))
        if kind in ("users", "user"):
            if ident:
                users[ident] = _person(item, ident)
            continue
        name = as_text(item.get("name"))
        if ident or name:
            channel = _Channel(ident or name, name or ident)
            channels[ident or name] = channel
            if name:
                channels.setdefault(name, channel)
