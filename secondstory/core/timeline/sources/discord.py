"""Discord channel exports written by DiscordChatExporter (its JSON format).

The export is one object per channel (a folder of such files, as the exporter writes for a
whole server, is read file by file): ``guild``, ``channel``, ``dateRange``, ``exportedAt``,
``messages`` and ``messageCount``. Exports of busy channels run to hundreds of megabytes, so
the file is read as a stream: the top-level keys are decoded one by one and the messages one
message at a time; no whole-file copy is ever held.

Every message becomes a ``chat`` event at the timestamp the exporter wrote, which carries the
offset of the exporting machine (kept as is). Bots are ``actor_role="bot"``; a bot message
whose title reads like an alert notification (``[FIRING:2] HighErrorRate``) becomes an
``alert`` event with its signal and state.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from secondstory.core.taxonomy import MAX_URL
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    FIRING,
    MAX_WARNINGS,
    RESOLVED,
    ParseOptions,
    Source,
    SourceError,
    Where,
    actor_name,
    clip,
    get_str,
    json_path,
    parse_instant,
    signal_key,
    stable_ref,
)

NAME = "discord"
DESCRIPTION = "Discord channel export (DiscordChatExporter JSON)"

CHUNK = 1 << 16
COMPACT_AT = 1 << 20

_HEAD = re.compile(r'^\s*\{\s*"guild"\s*:\s*\{')
_CHANNEL_KEY = re.compile(r'"channel"\s*:\s*\{')
_MESSAGES_KEY = re.compile(r'"(?:messages|dateRange)"\s*:')

_USER_MENTION = re.compile(r"<@!?(\d{1,25})>")
_ROLE_MENTION = re.compile(r"<@&(\d{1,25})>")
_CHANNEL_MENTION = re.compile(r"<#(\d{1,25})>")
_CUSTOM_EMOJI = re.compile(r"<a?(:\w{1,64}:)\d{1,25}>")
_ALERT_TITLE = re.compile(r"^\s*\[(FIRING|RESOLVED)(?::\s*\d+)?\]\s*(\S.*)$", re.IGNORECASE)

# Message types the exporter writes (Discord's own names); anything else is kept with a warning.
KNOWN_TYPES = frozenset(
    {
        "Default",
        "Reply",
        "RecipientAdd",
        "RecipientRemove",
        "Call",
        "ChannelNameChange",
        "ChannelIconChange",
        "ChannelPinnedMessage",
        "GuildMemberJoin",
        "ThreadCreated",
        "ThreadStarterMessage",
        "ChatInputCommand",
        "ApplicationCommand",
        "ContextMenuCommand",
        "AutoModerationAction",
        "UserPremiumGuildSubscription",
    }
)

# Text for system messages that carry none (newer exporters write their own).
_FALLBACK = {
    "RecipientAdd": "added someone to the group",
    "RecipientRemove": "left the group",
    "Call": "started a call",
    "ChannelNameChange": "changed the channel name",
    "ChannelIconChange": "changed the channel icon",
    "ChannelPinnedMessage": "pinned a message",
    "GuildMemberJoin": "joined the server",
    "ThreadCreated": "started a thread",
}


# A folder is read file by file, as a walk of a folder of mixed exports reads it: such a walk
# need not hand the folder over whole (and so reads the other files beside the exports too).
FOLDER_OF_FILES = True


def sniff(source: Source) -> bool:
    if source.is_dir:
        files = _export_files(source)
        return bool(files) and all(_looks_like_export(Source(p)) for p in files[:20])
    return _looks_like_export(source)


def _looks_like_export(source: Source) -> bool:
    text = source.head_text()
    return bool(_HEAD.match(text) and _CHANNEL_KEY.search(text) and _MESSAGES_KEY.search(text))


def _export_files(source: Source) -> list[Path]:
    """The ``.json`` files of a folder the exporter wrote (one per channel or part)."""
    try:
        return sorted(
            p for p in source.path.iterdir() if p.suffix.lower() == ".json" and p.is_file()
        )
    except OSError:
        return []


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    if not source.is_dir:
        with source.open() as handle:
            yield from _parse_stream(source, options, _Reader(handle, source.name))
        return
    files = _export_files(source)
    if not files:
        raise source.where.error("path", "this folder holds no .json export files")
    for path in files:
        part = Source(path, name=f"{source.name}/{path.name}")
        try:
            with part.open() as handle:
                yield from _parse_stream(part, options, _Reader(handle, part.name))
        finally:
            room = max(0, MAX_WARNINGS - len(source.warnings))
            source.warnings.extend(part.warnings[:room])
            source.warning_count += part.warning_count


# --- the stream ------------------------------------------------------------------------------


class _Reader:
    """JSON values read one by one from a byte stream, with a bounded buffer."""

    def __init__(self, handle: IO[bytes], name: str) -> None:
        self.handle = handle
        self.name = name
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self.json = json.JSONDecoder()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines_before = 0  # newlines in the text already dropped from the buffer
        self.keys: set[str] = set()  # the top-level keys met so far

    def _fill(self, size: int = 0) -> bool:
        if self.eof:
            return False
        if self.pos >= COMPACT_AT:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        data = self.handle.read(size or CHUNK)
        if not data:
            self.eof = True
            self.buf += self.decoder.decode(b"", final=True)
            return False
        self.buf += self.decoder.decode(data)
        return True

    def line(self, pos: int | None = None) -> int:
        return self.lines_before + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def error(self, message: str, path: str, pos: int | None = None) -> SourceError:
        return SourceError(message, file=self.name, line=self.line(pos), path=path, field="json")

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str, path: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise self.error(f"expected {char!r}, found {shown}", path)
        self.pos += 1

    def value(self, path: str) -> Any:
        """The JSON value at the current place."""
        self.peek()
        want = CHUNK
        while True:
            try:
                value, end = self.json.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill(want):
                    want = max(want, len(self.buf) - self.pos)
                    continue
                raise self.error(f"not valid JSON: {exc.msg}", path, exc.pos) from exc
            except RecursionError as exc:
                raise self.error("JSON nested too deeply", path) from exc
            except ValueError as exc:  # an integer too long to convert
                raise self.error(f"not valid JSON: {exc}", path) from exc
            if end == len(self.buf) and not isinstance(value, (dict, list, str)) and self._fill():
                continue  # a number, true/false/null may go on in the next chunk
            self.pos = end
            return value

    def top(self) -> Iterator[tuple[str, int, Any]]:
        """``(key, -1, value)`` for each top-level entry, ``("messages", i, message)`` for
        each message."""
        self.expect("{", "$")
        if self.peek() == "}":
            self.pos += 1
        else:
            while True:
                key = self.value("$")
                if not isinstance(key, str):
                    raise self.error("expected a key", "$")
                self.keys.add(key)
                self.expect(":", json_path(key))
                if key == "messages" and self.peek() == "[":
                    self.pos += 1
                    index = 0
                    if self.peek() == "]":
                        self.pos += 1
                    else:
                        while True:
                            yield key, index, self.value(json_path(key, index))
                            index += 1
                            if self.peek() == ",":
                                self.pos += 1
                                continue
                            self.expect("]", json_path(key, index))
                            break
                else:
                    yield key, -1, self.value(json_path(key))
                if self.peek() == ",":
                    self.pos += 1
                    continue
                self.expect("}", "$")
                break
        if self.peek() != "":
            raise self.error("unexpected text after the export object", "$")


# --- the export ------------------------------------------------------------------------------


class _Channel:
    def __init__(self, guild: Any, channel: Any, where: Where) -> None:
        if not isinstance(guild, dict):
            guild = {}
        if not isinstance(channel, dict):
            raise where.at(path="$.channel").error("channel", "expected an object")
        self.id = get_str(channel, "id", where.at(path="$.channel"), required=True)
        self.name = get_str(channel, "name", where.at(path="$.channel"))
        self.guild_id = get_str(guild, "id", where.at(path="$.guild"))


def _parse_stream(
    source: Source, options: ParseOptions, reader: _Reader
) -> Iterator[TimelineEvent]:
    where = source.where
    guild: Any = None
    channel: _Channel | None = None
    pending: list[tuple[int, Any]] = []
    unknown: set[str] = set()
    for key, index, value in reader.top():
        if key == "guild":
            guild = value
        elif key == "channel":
            channel = _Channel(guild, value, where)
            if not options.wants_channel(channel.id, channel.name):
                return
            for number, message in pending:
                yield from _event(source, options, channel, number, message, unknown)
            pending.clear()
        elif key == "messages":
            if index < 0:
                raise where.at(path="$.messages").error("messages", "expected a list")
            if channel is None:
                pending.append((index, value))
            else:
                yield from _event(source, options, channel, index, value, unknown)
    if channel is None:
        raise where.at(path="$.channel").error(
            "channel", "is missing; this is not a DiscordChatExporter JSON export"
        )
    if "messages" not in reader.keys:
        raise where.at(path="$.messages").error(
            "messages", "is missing; this is not a DiscordChatExporter JSON export"
        )


def _event(
    source: Source,
    options: ParseOptions,
    channel: _Channel,
    index: int,
    message: Any,
    unknown: set[str],
) -> Iterator[TimelineEvent]:
    where = source.where.at(path=json_path("messages", index))
    if not isinstance(message, dict):
        raise where.error("message", "expected an object")
    message_id = get_str(message, "id", where, required=True)
    at = parse_instant(message.get("timestamp"), where, "timestamp")
    if at is None:
        raise where.error("timestamp", "is missing")
    if not options.in_window(at):
        return
    kind_name = get_str(message, "type", where) or "Default"
    if kind_name not in KNOWN_TYPES and kind_name not in unknown:
        unknown.add(kind_name)
        source.warn(f"message type {kind_name!r} is not known; kept as chat", path=where.path)
    author = message.get("author")
    author_where = where.at(path=where.path + ".author")
    if not isinstance(author, dict):
        raise author_where.error("author", "expected an object")
    actor = actor_name(
        get_str(author, "nickname", author_where) or get_str(author, "name", author_where)
    )
    is_bot = author.get("isBot") is True
    pinned = message.get("isPinned") is True
    text = _text(message, where)
    if not text:
        fallback = _FALLBACK.get(kind_name)
        if fallback is None:
            source.warn("message has no text, attachment or embed; skipped", path=where.path)
            return
        text = f"{actor} {fallback}" if actor else fallback
    kind, signal, state = "chat", "", ""
    if is_bot:
        match = _ALERT_TITLE.match(text.split("\n", 1)[0])
        if match is not None:
            kind = "alert"
            state = FIRING if match.group(1).upper() == "FIRING" else RESOLVED
            signal = signal_key(match.group(2))
    yield TimelineEvent(
        at=at,
        kind=kind,
        source=NAME,
        source_ref=stable_ref(channel.id, message_id),
        text=text,
        actor=actor,
        actor_role="bot" if is_bot else "",
        starred=pinned,
        evidence_url=_link(channel, message_id),
        raw=message,
        signal=signal,
        state=state,
    )


def _link(channel: _Channel, message_id: str) -> str:
    guild = channel.guild_id if channel.guild_id not in ("", "0") else "@me"
    url = f"https://discord.com/channels/{guild}/{channel.id}/{message_id}"
    return url if len(url) <= MAX_URL else ""


def _mentions(message: dict[str, Any], where: Where) -> dict[str, str]:
    mentions = message.get("mentions")
    if mentions is None:
        return {}
    if not isinstance(mentions, list):
        raise where.error("mentions", "expected a list")
    names: dict[str, str] = {}
    for number, person in enumerate(mentions):
        place = where.at(path=f"{where.path}.mentions[{number}]")
        person_id = get_str(person, "id", place)
        name = get_str(person, "nickname", place) or get_str(person, "name", place)
        if person_id and name:
            names[person_id] = name
    return names


def _resolve(content: str, names: dict[str, str]) -> str:
    if "<" not in content:
        return content
    content = _USER_MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), content)
    content = _ROLE_MENTION.sub("@role", content)
    content = _CHANNEL_MENTION.sub(lambda m: "#" + m.group(1), content)
    return _CUSTOM_EMOJI.sub(lambda m: m.group(1), content)


def _items(message: Any, key: str, where: Where) -> list[tuple[Where, Any]]:
    if not isinstance(message, dict):
        raise where.error(key, "expected an object here")
    value = message.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error(key, "expected a list")
    items = []
    for number, item in enumerate(value):
        place = where.at(path=f"{where.path}.{key}[{number}]")
        if not isinstance(item, dict):
            raise place.error(key, "expected an object")
        items.append((place, item))
    return items


def _text(message: dict[str, Any], where: Where) -> str:
    parts: list[str] = []
    content = get_str(message, "content", where).strip()
    if content:
        parts.append(_resolve(content, _mentions(message, where)))
    for place, embed in _items(message, "embeds", where):
        for key in ("title", "description"):
            value = get_str(embed, key, place).strip()
            if value:
                parts.append(value)
        for field_place, entry in _items(embed, "fields", place):
            name = get_str(entry, "name", field_place).strip()
            value = get_str(entry, "value", field_place).strip()
            if name or value:
                parts.append(f"{name}: {value}" if name and value else name or value)
    for place, attachment in _items(message, "attachments", where):
        file_name = get_str(attachment, "fileName", place) or get_str(attachment, "url", place)
        if file_name:
            parts.append(f"attachment: {clip(file_name, 200)}")
    for place, sticker in _items(message, "stickers", where):
        name = get_str(sticker, "name", place)
        if name:
            parts.append(f"sticker: {name}")
    return "\n".join(parts)
