"""Slack workspace export: a zip file or its unzipped folder.

The export holds ``users.json``, ``channels.json`` (and ``groups.json``, ``dms.json``,
``mpims.json`` for private channels and direct messages) and one folder per channel with a
file per day, ``YYYY-MM-DD.json``, each an array of messages. Every message becomes a ``chat``
event with ``source_ref`` ``<channel id>/<ts>``; its text is what a reader sees (mentions,
channel links and URLs resolved, entities decoded, attachments and shared files appended).

Day files are read one at a time (from the zip, one member at a time) so memory holds one
day's messages at most. A single day file may also be parsed on its own; its channel is the
name of the folder it lies in.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from secondstory.core.taxonomy import MAX_SOURCE_REF
from secondstory.core.timeline.archives import ArchiveRefused, open_zip, read_member
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    SourceError,
    Where,
    actor_name,
    decode,
    json_path,
    stable_ref,
)
from secondstory.core.timeline.sources.chat import (
    ZIP_ERRORS,
    SkipCounter,
    as_text,
    attachment_lines,
    epoch,
    join_text,
)

NAME = "slack"
DESCRIPTION = "Slack workspace export (zip or folder: users.json, channels.json, day files)"

_DAY_FILE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\.json")
_CONTROL = re.compile(r"<([^<>]*)>")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LISTINGS = ("channels.json", "groups.json", "mpims.json", "dms.json")
_DELETED = frozenset({"tombstone", "message_deleted"})
_BROADCAST = frozenset({"here", "channel", "everyone"})
_MARGIN = timedelta(days=1)
_MAX_PROFILES = 100_000


# --- detection -------------------------------------------------------------------------------


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return _folder_is_export(source.path)
        head = source.head()
        if head.startswith(b"PK\x03\x04"):
            archive = open_zip(source)
            with archive:
                return _find_root(archive.namelist()) is not None
        return _looks_like_day_file(decode(head))
    except ArchiveRefused:
        raise
    except Exception:
        return False


def _folder_is_export(path: Path) -> bool:
    if not ((path / "users.json").is_file() or (path / "channels.json").is_file()):
        return False
    for child in path.iterdir():
        if child.is_dir() and any(_DAY_FILE.fullmatch(f.name) for f in child.iterdir()):
            return True
    return False


_DAY_HEAD = re.compile(r"\s*\[\s*\{")
# A message's own time: Slack's "1714658591.000100". Exports written with sorted keys put
# "blocks" and a broadcast's "root" before "ts" and "type", so the head is searched for either.
_TS = re.compile(r'"(?:ts|thread_ts)"\s*:\s*"\d{9,10}\.\d{6}"')
_MESSAGE_TYPE = re.compile(r'"type"\s*:\s*"message"')
_API_PAGE = re.compile(r'^\s*\[\s*\{\s*"ok"\s*:|"messages"\s*:\s*\[')


def _looks_like_day_file(head: str) -> bool:
    if _API_PAGE.search(head):
        return False  # a list of Web API pages (slack_api)
    return _DAY_HEAD.match(head) is not None and (
        _TS.search(head) is not None or ('"ts"' in head and _MESSAGE_TYPE.search(head) is not None)
    )


def _find_root(names: list[str]) -> str | None:
    """The folder prefix of an export inside a zip ("" at the top), or None."""
    roots = sorted(
        (n[: -len(base)] for n in names for base in ("users.json", "channels.json")
         if n == base or n.endswith("/" + base)),
        key=len,
    )  # fmt: skip
    for root in roots[:10]:  # the shallowest few: a zip may hold other copies deeper down
        for name in names:
            if name.startswith(root) and _day_member(name, root) is not None:
                return root
    return None


def _day_member(name: str, root: str) -> tuple[str, str] | None:
    """``(folder, file name)`` of a day file member directly under ``root``."""
    rest = name[len(root) :]
    folder, slash, file = rest.partition("/")
    if not slash or not folder or "/" in file or _DAY_FILE.fullmatch(file) is None:
        return None
    return folder, file


# --- the export ------------------------------------------------------------------------------


class _Channel:
    __slots__ = ("id", "name")

    def __init__(self, id: str, name: str) -> None:
        self.id = id
        self.name = name


class _User:
    __slots__ = ("actor", "is_bot", "mention")

    def __init__(self, actor: str, mention: str, is_bot: bool) -> None:
        self.actor = actor
        self.mention = mention
        self.is_bot = is_bot


class _Export:
    """Reads the members of a folder or zip, by their path relative to the export's root."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.archive: zipfile.ZipFile | None = None
        self.root = ""
        self.folder: Path = source.path

    def label(self, member: str) -> str:
        return f"{self.source.name}/{member}"

    def read(self, member: str) -> bytes | None:
        try:
            if self.archive is not None:
                try:
                    info = self.archive.getinfo(self.root + member)
                except KeyError:
                    return None
                return read_member(self.archive, info, self.label(member))
            path = self.folder / member
            if not path.is_file():
                return None
            return path.read_bytes()
        except SourceError:
            raise
        except ZIP_ERRORS as exc:
            raise SourceError(f"cannot read this file: {exc}", file=self.label(member)) from exc

    def load(self, member: str) -> Any:
        data = self.read(member)
        if data is None:
            return None
        try:
            return json.loads(decode(data))
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"not valid JSON: {exc.msg} (column {exc.colno})",
                file=self.label(member),
                line=exc.lineno,
            ) from exc
        except RecursionError as exc:
            raise SourceError("JSON nested too deeply", file=self.label(member)) from exc
        except ValueError as exc:  # a number past the int conversion limit
            raise SourceError(f"not valid JSON: {exc}", file=self.label(member)) from exc

    def day_files(self) -> dict[str, list[str]]:
        """Day file names by channel folder, both sorted."""
        found: dict[str, list[str]] = {}
        if self.archive is not None:
            for name in self.archive.namelist():
                if name.startswith(self.root):
                    member = _day_member(name, self.root)
                    if member is not None:
                        found.setdefault(member[0], []).append(member[1])
        else:
            try:
                for child in self.folder.iterdir():
                    if child.is_dir():
                        days = [f.name for f in child.iterdir() if _DAY_FILE.fullmatch(f.name)]
                        if days:
                            found[child.name] = days
            except OSError as exc:
                raise SourceError(f"cannot list the folder: {exc}", file=self.source.name) from exc
        return {folder: sorted(set(found[folder])) for folder in sorted(found)}


# --- parsing ---------------------------------------------------------------------------------


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    export = _Export(source)
    if source.is_dir:
        yield from _parse_export(export, options)
        return
    head = source.head()
    if head.startswith(b"PK\x03\x04"):
        archive = open_zip(source)
        with archive:
            export.archive = archive
            try:
                root = _find_root(archive.namelist())
            except ZIP_ERRORS as exc:
                raise SourceError(f"not a readable zip file: {exc}", file=source.name) from exc
            if root is None:
                raise SourceError(
                    "this zip holds no Slack export (users.json or channels.json and "
                    "channel folders of YYYY-MM-DD.json files)",
                    file=source.name,
                )
            export.root = root
            yield from _parse_export(export, options)
        return
    yield from _parse_single_day(source, options)


def _parse_single_day(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    """One day file given on its own: its channel is the folder it lies in."""
    folder = source.path.parent
    export = _Export(source)
    export.folder = folder.parent
    users = _load_users(export) if folder.name else {}
    channel_name = folder.name or source.path.stem
    channels = _load_channels(export) if folder.name else {}
    channel = channels.get(channel_name) or _Channel(channel_name, channel_name)
    if not options.wants_channel(channel.id, channel.name):
        return
    data = source.read_bytes()
    state = _State(source, users, {c.id: c.name for c in channels.values()}, options)
    yield from state.day(data, source.name, source.path.name, channel)
    state.finish()


def _parse_export(export: _Export, options: ParseOptions) -> Iterator[TimelineEvent]:
    source = export.source
    users = _load_users(export)
    channels = _load_channels(export)
    names = {c.id: c.name for c in channels.values()}
    state = _State(source, users, names, options)
    first = options.since.date() - _MARGIN if options.since is not None else None
    last = options.until.date() + _MARGIN if options.until is not None else None
    for folder, days in export.day_files().items():
        channel = channels.get(folder)
        if channel is None:
            channel = _Channel(folder, folder)
            source.warn(f"channel folder {folder!r} is not listed in channels.json")
        if not options.wants_channel(channel.id, channel.name, folder):
            continue
        for day in days:
            if first is not None or last is not None:
                when = _day_of(day)
                if when is not None and (
                    (first is not None and when < first) or (last is not None and when > last)
                ):
                    continue
            member = f"{folder}/{day}"
            data = export.read(member)
            if data is None:
                continue
            yield from state.day(data, export.label(member), member, channel)
        state.finish()
    state.finish()


def _day_of(name: str) -> date | None:
    match = _DAY_FILE.fullmatch(name)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _load_users(export: _Export) -> dict[str, _User]:
    data = export.load("users.json")
    users: dict[str, _User] = {}
    if data is None:
        return users
    if not isinstance(data, list):
        raise SourceError("expected an array of users", file=export.label("users.json"), path="$")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise SourceError(
                "expected a user object",
                file=export.label("users.json"),
                path=json_path(index),
            )
        uid = as_text(item.get("id"))
        if not uid:
            export.source.warn(
                "a user without an id is passed over", path=f"users.json {json_path(index)}"
            )
            continue
        users[uid] = _person(item, uid)
    return users


def _person(item: dict[str, Any], fallback: str) -> _User:
    """How a user object (from users.json or a message's ``user_profile``) is shown."""
    profile = item.get("profile")
    if not isinstance(profile, dict):
        profile = {}
    real = as_text(profile.get("real_name")) or as_text(item.get("real_name"))
    display = as_text(profile.get("display_name")) or as_text(item.get("display_name"))
    handle = as_text(item.get("name"))
    actor = actor_name(real or display or handle or fallback)
    mention = actor_name(display or real or handle or fallback)
    return _User(actor or fallback, mention or fallback, item.get("is_bot") is True)


def _load_channels(export: _Export) -> dict[str, _Channel]:
    """Channels by the folder their day files lie in (the name; the id for direct messages)."""
    channels: dict[str, _Channel] = {}
    for listing in _LISTINGS:
        data = export.load(listing)
        if data is None:
            continue
        if not isinstance(data, list):
            raise SourceError("expected an array of channels", file=export.label(listing), path="$")
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                raise SourceError(
                    "expected a channel object",
                    file=export.label(listing),
                    path=json_path(index),
                )
            cid = as_text(item.get("id"))
            name = as_text(item.get("name"))
            if not cid and not name:
                continue
            channel = _Channel(cid or name, name or cid)
            channels[name or cid] = channel
            if cid:
                channels.setdefault(cid, channel)
    return channels


class _State:
    """What parsing one export keeps between day files."""

    def __init__(
        self,
        source: Source,
        users: dict[str, _User],
        channel_names: dict[str, str],
        options: ParseOptions,
    ) -> None:
        self.source = source
        self.users = users
        self.channel_names = channel_names
        self.options = options
        self.since = options.since
        self.until = options.until
        self.unknown: set[str] = set()
        self.deleted = SkipCounter(source, "deleted message")

    def finish(self) -> None:
        self.deleted.flush()

    def day(
        self, data: bytes, label: str, member: str, channel: _Channel
    ) -> Iterator[TimelineEvent]:
        """The events of one day file; ``label`` names it in errors, ``member`` in warnings."""
        try:
            messages = json.loads(decode(data))
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"not valid JSON: {exc.msg} (column {exc.colno})", file=label, line=exc.lineno
            ) from exc
        except RecursionError as exc:
            raise SourceError("JSON nested too deeply", file=label) from exc
        except ValueError as exc:  # a number past the int conversion limit
            raise SourceError(f"not valid JSON: {exc}", file=label) from exc
        if not isinstance(messages, list):
            raise SourceError("expected an array of messages", file=label, path="$")
        yield from self.messages(messages, label, member, channel)

    def messages(
        self, messages: list[Any], label: str, member: str, channel: _Channel, base: str = "$"
    ) -> Iterator[TimelineEvent]:
        """The events of a list of messages; ``base`` is the JSON path of the list."""
        since, until = self.since, self.until
        cid, cname = channel.id, channel.name
        users = self.users
        render = self.render
        epoch_start = _EPOCH
        for index, message in enumerate(messages):
            if type(message) is not dict:
                raise SourceError("expected a message object", file=label, path=f"{base}[{index}]")
            raw = message
            subtype = message.get("subtype")
            if subtype is not None:
                if type(subtype) is not str:
                    raise SourceError(
                        f"expected text, got {type(subtype).__name__}",
                        file=label,
                        path=f"{base}[{index}]",
                        field="subtype",
                    )
                if subtype in _DELETED:
                    self.deleted.add(member)
                    continue
                if subtype == "message_changed":
                    inner = message.get("message")
                    if isinstance(inner, dict):  # an edit record: read the message it holds
                        merged = dict(inner)
                        merged["ts"] = message.get("ts")
                        merged.setdefault("edited", {"ts": message.get("ts")})
                        message = merged
            ts = message.get("ts")
            if (
                type(ts) is str
                and len(ts) == 17
                and ts[10] == "."
                and ts[:10].isdigit()
                and ts[11:].isdigit()
            ):
                try:
                    at = epoch_start + timedelta(0, int(ts[:10]), int(ts[11:]))
                except ValueError:
                    at = _moment(ts, label, f"{base}[{index}]")
            else:
                at = _moment(ts, label, f"{base}[{index}]")
            if (since is not None and at < since) or (until is not None and at > until):
                continue
            text = message.get("text")
            if type(text) is not str:
                if text is not None:
                    raise SourceError(
                        f"expected text, got {type(text).__name__}",
                        file=label,
                        path=f"{base}[{index}]",
                        field="text",
                    )
                text = ""
            elif "<" in text or "&" in text:
                text = render(text)
            if "attachments" in message or "files" in message or "file" in message:
                text = join_text(text, self.extras(message))
            if "edited" in message:
                text += " (edited)"
            role = ""
            user = message.get("user")
            person = users.get(user) if type(user) is str else None
            if person is not None:
                actor = person.actor
                if person.is_bot:
                    role = "bot"
            else:
                actor = self.stranger(message, user, label, member, f"{base}[{index}]")
            if role == "" and (subtype == "bot_message" or "bot_id" in message):
                role = "bot"
                if person is None:
                    actor = self.bot_name(message) or actor
            raw["channel"] = cname
            ref = f"{cid}/{ts}"
            if len(ref) > MAX_SOURCE_REF:
                ref = stable_ref(cid, ts)
            yield TimelineEvent(at, "chat", "slack", ref, text, actor, role, raw=raw)

    def render(self, text: str) -> str:
        """Slack's markup as a reader sees it: ``<@U1>`` as ``@name``, entities decoded."""
        if "<" not in text:
            return _unescape(text)
        parts: list[str] = []
        last = 0
        for match in _CONTROL.finditer(text):
            parts.append(_unescape(text[last : match.start()]))
            parts.append(self.control(match[1]))
            last = match.end()
        parts.append(_unescape(text[last:]))
        return "".join(parts)

    def control(self, inner: str) -> str:
        target, _, label = inner.partition("|")
        label = _unescape(label)
        if target.startswith("@"):
            person = self.users.get(target[1:])
            name = person.mention if person is not None else label.lstrip("@") or target[1:]
            return "@" + name
        if target.startswith("#"):
            name = self.channel_names.get(target[1:]) or label.lstrip("#") or target[1:]
            return "#" + name
        if target.startswith("!"):
            word = target[1:]
            if word in _BROADCAST:
                return "@" + word
            if label:
                return label if word.startswith("date^") else "@" + label.lstrip("@")
            return "@" + word.partition("^")[2] if "^" in word else "@" + word
        url = _unescape(target)
        if not label:
            return url.removeprefix("mailto:")
        bare = url.removeprefix("mailto:").removeprefix("https://").removeprefix("http://")
        if label in (url, bare, bare.rstrip("/")):
            return label
        return f"{label} ({url})"

    def extras(self, message: dict[str, Any]) -> list[str]:
        lines = attachment_lines(message.get("attachments"), self.render)
        files = message.get("files")
        if not isinstance(files, list):
            files = []
        single = message.get("file")
        if isinstance(single, dict):
            files = [*files, single]
        for item in files[:50]:
            if isinstance(item, dict):
                name = as_text(item.get("title")) or as_text(item.get("name"))
                if name:
                    lines.append(f"[file: {name}]")
        return lines

    def stranger(
        self, message: dict[str, Any], user: object, label: str, member: str, place: str
    ) -> str:
        """The name of an author missing from users.json (warned once per id)."""
        profile = message.get("user_profile")
        uid = user if isinstance(user, str) else ""
        if isinstance(profile, dict):
            person = _person(profile, uid)
            if uid and len(self.users) < _MAX_PROFILES:
                self.users[uid] = person  # mentions of this author show their name too
            return person.actor
        if not uid:
            if user is not None:
                raise SourceError(
                    f"expected a user id, got {type(user).__name__}",
                    file=label,
                    path=place,
                    field="user",
                )
            return ""
        if uid not in self.unknown and "bot_id" not in message:
            self.unknown.add(uid)
            self.source.warn(
                f"author {uid} is not in users.json; shown by id",
                path=f"{member} {place}.user",
            )
        return actor_name(uid)

    def bot_name(self, message: dict[str, Any]) -> str:
        profile = message.get("bot_profile")
        name = as_text(message.get("username"))
        if not name and isinstance(profile, dict):
            name = as_text(profile.get("name"))
        return actor_name(name or as_text(message.get("bot_id")))


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _moment(ts: object, label: str, place: str) -> datetime:
    """A message's ``ts`` ("1700000000.123456") as UTC, keeping the microseconds."""
    if type(ts) is str:
        whole, dot, fraction = ts.partition(".")
        if (
            whole.isdigit()
            and len(whole) < 12
            and ts.isascii()
            and (not dot or (fraction.isdigit() and len(fraction) < 20))
        ):
            micros = int((fraction + "000000")[:6]) if fraction else 0
            return _EPOCH + timedelta(0, int(whole), micros)
    if ts is None or ts == "":
        raise SourceError("is missing", file=label, path=place, field="ts")
    return epoch(ts, Where(label, 0, place), "ts")
