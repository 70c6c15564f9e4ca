"""Mattermost bulk export: JSON Lines, one object per line, each with a ``type``.

The file starts with a ``version`` line, then ``team``, ``channel``, ``user`` (and ``bot``)
lines, then ``post`` lines (each with its ``replies``), then ``direct_channel`` and
``direct_post`` lines. Posts and their replies become ``chat`` events; the other lines give the
names shown (a user's full name, a channel's display name). The export may also be the zip
file that ``mmctl export create`` writes, holding the ``.jsonl`` file and attachments.

``create_at`` is epoch milliseconds (UTC). A post is identified by team, channel, author and
``create_at``, which Mattermost itself uses to match posts on import; a reply adds the reply's
author and ``create_at``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from secondstory.core.timeline.archives import ArchiveRefused, open_zip
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    SourceError,
    Where,
    actor_name,
    decode_line,
    json_lines,
    stable_ref,
)
from secondstory.core.timeline.sources.chat import (
    ZIP_ERRORS,
    SkipCounter,
    as_text,
    attachment_lines,
    join_text,
)

NAME = "mattermost"
DESCRIPTION = "Mattermost bulk export (JSON Lines from mmctl export, or its zip)"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TYPES = frozenset(
    {"version", "scheme", "emoji", "team", "channel", "user", "bot", "post",
     "direct_channel", "direct_post", "role"}
)  # fmt: skip
_USED = frozenset({"user", "bot", "channel", "post", "direct_post"})
_MAX_MS = 253402300799999  # 9999-12-31T23:59:59.999Z


# --- detection -------------------------------------------------------------------------------


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return False
        head = source.head()
        if head.startswith(b"PK\x03\x04"):
            with open_zip(source) as archive:
                member = _jsonl_member(archive)
                if member is None:
                    return False
                with archive.open(member) as handle:
                    return _is_export_line(handle.readline(65536))
        return _is_export_line(head.lstrip().split(b"\n", 1)[0])
    except ArchiveRefused:
        raise
    except Exception:
        return False


def _is_export_line(raw: bytes) -> bool:
    try:
        value = json.loads(decode_line(raw.strip().removeprefix(b"\xef\xbb\xbf")))
    except ValueError:
        return False
    if not isinstance(value, dict):
        return False
    kind = value.get("type")
    if kind == "version":
        return isinstance(value.get("version"), int)
    return kind in _TYPES and isinstance(value.get(kind), dict)


def _jsonl_member(archive: zipfile.ZipFile) -> str | None:
    names = [n for n in archive.namelist() if n.lower().endswith(".jsonl")]
    return min(names, key=lambda n: (n.count("/"), n)) if names else None


# --- parsing ---------------------------------------------------------------------------------


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    if source.is_dir:
        raise SourceError("expected a .jsonl file or a zip, not a folder", file=source.name)
    if not source.head().startswith(b"PK\x03\x04"):
        yield from _Reader(source, options).read(None)
        return
    with open_zip(source) as archive:
        member = _jsonl_member(archive)
        if member is None:
            raise SourceError("this zip holds no .jsonl export file", file=source.name)
        try:
            handle = archive.open(member)
        except ZIP_ERRORS as exc:
            raise SourceError(f"cannot read {member}: {exc}", file=source.name) from exc
        with handle:
            yield from _Reader(source, options).read(handle)


class _Reader:
    def __init__(self, source: Source, options: ParseOptions) -> None:
        self.source = source
        self.options = options
        self.people: dict[str, tuple[str, bool]] = {}
        self.channels: dict[tuple[str, str], str] = {}
        self.seen: set[str] = set()
        self.deleted = SkipCounter(source, "deleted post")

    def read(self, stream: IO[bytes] | None) -> Iterator[TimelineEvent]:
        lines = json_lines(self.source, stream)
        number = 0
        try:
            for number, value in lines:
                yield from self.line(number, value)
        except ZIP_ERRORS as exc:
            if isinstance(exc, SourceError):
                raise
            raise SourceError(
                f"cannot read the export: {exc}", file=self.source.name, line=number + 1
            ) from exc
        self.deleted.flush()

    def line(self, number: int, value: Any) -> Iterator[TimelineEvent]:
        where = Where(self.source.name, number, "$")
        if not isinstance(value, dict):
            raise where.error("type", "expected an object with a type on every line")
        kind = value.get("type")
        if not isinstance(kind, str):
            raise where.error("type", "is missing" if kind is None else "expected text")
        body = value.get(kind)
        if kind not in _USED or body is None:
            return
        where = where.at(path=f"$.{kind}")
        if not isinstance(body, dict):
            raise where.error(kind, "expected an object")
        if kind == "user":
            self.user(body, where)
        elif kind == "bot":
            self.bot(body)
        elif kind == "channel":
            team, name = as_text(body.get("team")), as_text(body.get("name"))
            self.channels[(team, name)] = as_text(body.get("display_name")) or name
        elif kind == "post":
            yield from self.post(body, where, direct=False)
        elif kind == "direct_post":
            yield from self.post(body, where, direct=True)

    def user(self, body: dict[str, Any], where: Where) -> None:
        username = as_text(body.get("username"))
        if not username:
            raise where.error("username", "is missing")
        full = " ".join(
            part for part in (as_text(body.get("first_name")), as_text(body.get("last_name")))
            if part
        )  # fmt: skip
        name = actor_name(full or as_text(body.get("nickname")) or username) or username
        self.people[username] = (name, False)

    def bot(self, body: dict[str, Any]) -> None:
        username = as_text(body.get("username"))
        if username:
            name = actor_name(as_text(body.get("display_name")) or username) or username
            self.people[username] = (name, True)

    def post(self, body: dict[str, Any], where: Where, *, direct: bool) -> Iterator[TimelineEvent]:
        if direct:
            members = body.get("channel_members")
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                raise where.error("channel_members", "expected a list of usernames")
            place = ("direct", "+".join(sorted(members)))
            wanted = self.options.wants_channel(place[1], *members) if members else True
            channel = place[1]
        else:
            team = _required(body, "team", where)
            channel = _required(body, "channel", where)
            place = (team, channel)
            display = self.channels.get(place, channel)
            wanted = self.options.wants_channel(channel, display, f"{team}/{channel}")
        if not wanted:
            return
        user = _required(body, "user", where)
        created = body.get("create_at")
        at = _moment(created, where, "create_at")
        base = (*place, user, created)
        if _is_deleted(body):
            self.deleted.add("the export")
        elif self.options.in_window(at):
            raw = {k: v for k, v in body.items() if k != "replies"}
            raw["channel"] = channel
            yield self.event(at, stable_ref(*base), body, user, where, raw)
        replies = body.get("replies")
        if replies is None:
            return
        if not isinstance(replies, list):
            raise where.error("replies", "expected a list")
        for index, reply in enumerate(replies):
            spot = where.at(path=f"{where.path}.replies[{index}]")
            if not isinstance(reply, dict):
                raise spot.error("replies", "expected an object")
            author = _required(reply, "user", spot)
            reply_created = reply.get("create_at")
            reply_at = _moment(reply_created, spot, "create_at")
            if _is_deleted(reply):
                self.deleted.add("the export")
                continue
            if not self.options.in_window(reply_at):
                continue
            ref = stable_ref(*base, "reply", author, reply_created)
            raw = dict(reply)
            raw["channel"] = channel
            raw["root_create_at"] = created
            yield self.event(reply_at, ref, reply, author, spot, raw)

    def event(
        self,
        at: datetime,
        ref: str,
        body: dict[str, Any],
        user: str,
        where: Where,
        raw: dict[str, Any],
    ) -> TimelineEvent:
        message = body.get("message")
        if message is not None and not isinstance(message, str):
            raise where.error("message", f"expected text, got {type(message).__name__}")
        props = body.get("props")
        props = props if isinstance(props, dict) else {}
        extra = attachment_lines(props.get("attachments"))
        files = body.get("attachments")
        if isinstance(files, list):
            for item in files[:50]:
                path = as_text(item.get("path")) if isinstance(item, dict) else ""
                if path:
                    extra.append(f"[file: {path.rsplit('/', 1)[-1]}]")
        text = join_text((message or "").strip(), extra)
        edited = body.get("edit_at")
        if isinstance(edited, int) and not isinstance(edited, bool) and edited > 0:
            text += " (edited)"
        name, is_bot = self.people.get(user, (actor_name(user), False))
        if props.get("from_bot") in (True, "true") or props.get("from_webhook") in (True, "true"):
            is_bot = True
            override = as_text(props.get("override_username"))
            if override:
                name = actor_name(override)
        if ref in self.seen:
            # Two posts by one author in one channel within the same millisecond: the second
            # is told apart by its place in the file, which a re-import of the file keeps.
            count = 2
            while stable_ref(ref, f"#{count}") in self.seen:
                count += 1
            ref = stable_ref(ref, f"#{count}")
        self.seen.add(ref)
        return TimelineEvent(at, "chat", NAME, ref, text, name, "bot" if is_bot else "", raw=raw)


def _required(body: dict[str, Any], key: str, where: Where) -> str:
    value = body.get(key)
    if isinstance(value, str) and value:
        return value
    if value is None or value == "":
        raise where.error(key, "is missing")
    raise where.error(key, f"expected text, got {type(value).__name__}")


def _is_deleted(body: dict[str, Any]) -> bool:
    deleted = body.get("delete_at")
    return isinstance(deleted, int) and not isinstance(deleted, bool) and deleted > 0


def _moment(value: object, where: Where, field: str) -> datetime:
    """Epoch milliseconds as UTC."""
    if value is None:
        raise where.error(field, "is missing")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(field, f"expected epoch milliseconds, got {value!r}"[:120])
    if not 0 <= value <= _MAX_MS:
        raise where.error(field, f"epoch milliseconds out of range: {value}"[:120])
    return _EPOCH + timedelta(milliseconds=value)
