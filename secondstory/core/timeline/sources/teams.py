"""Microsoft Teams messages as Microsoft Graph ``chatMessage`` JSON.

The input is what the Graph API returns for a channel's or a chat's messages (and their
replies): a page ``{"value": [...]}`` (possibly with ``@odata.nextLink``), a list of such pages
or of messages, or a single message. Each message becomes a ``chat`` event: the author from
``from.user`` (or ``from.application``, as a bot), the text from the HTML body (mentions kept
as the name), the subject, attachments and cards; system messages (members added, calls,
renames) are told from their ``eventDetail``. Deleted messages are skipped and counted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from secondstory.core.taxonomy import MAX_URL
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    SourceError,
    Where,
    actor_name,
    decode,
    get_str,
    html_to_text,
    json_path,
    parse_instant,
    stable_ref,
)
from secondstory.core.timeline.sources.chat import SkipCounter, as_text, join_text

NAME = "teams"
DESCRIPTION = "Microsoft Teams messages (Microsoft Graph chatMessage JSON)"

_EMOJI = re.compile(r"<emoji\b[^<>]*>(?:\s*</emoji>)?", re.IGNORECASE)
_ALT = re.compile(r"\balt=\"([^\"]*)\"", re.IGNORECASE)
_IMAGE = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_WORDS = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SKIPPED_TYPES = frozenset({"typing"})
_MAX_CARD_NODES = 500


# --- detection -------------------------------------------------------------------------------


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return False
        head = source.head_text().lstrip()
        if not head.startswith(("{", "[")):
            return False
        lowered = head.casefold()  # the user data export writes the keys in PascalCase
        if '"createddatetime"' not in lowered:
            return False
        return '"messagetype"' in lowered or "chatmessage" in lowered
    except Exception:
        return False


# --- parsing ---------------------------------------------------------------------------------


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    document = _load(source)
    deleted = SkipCounter(source, "deleted message")
    seen: dict[str, int] = {}
    for path, message in _messages(source, document):
        event = _event(source, options, path, message, deleted)
        if event is not None:
            count = seen[event.source_ref] = seen.get(event.source_ref, 0) + 1
            if count > 1:  # the same message twice (or two id-less twins): told apart by order
                event.source_ref = stable_ref(event.source_ref, f"#{count}")
            yield event
    deleted.flush()


def _load(source: Source) -> Any:
    try:
        document = json.loads(decode(source.read_bytes()))
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=source.name, line=exc.lineno
        ) from exc
    except RecursionError as exc:
        raise SourceError("JSON nested too deeply", file=source.name) from exc
    except ValueError as exc:  # a number past the int conversion limit
        raise SourceError(f"not valid JSON: {exc}", file=source.name) from exc
    return _camel_keys(document) if _pascal_case(document) else document


def _pascal_case(document: Any) -> bool:
    """Whether the first message (or page) writes its keys in PascalCase."""
    first = document
    for _ in range(3):
        if isinstance(first, list):
            first = first[0] if first else None
        elif isinstance(first, dict) and not any(k[:1].isupper() for k in first):
            inner = first.get("value", first.get("messages"))
            if not isinstance(inner, list):
                return False
            first = inner
        else:
            break
    return isinstance(first, dict) and any(k[:1].isupper() and k[1:2].islower() for k in first)


def _camel_keys(document: Any) -> Any:
    """The document with PascalCase keys (``CreatedDateTime``, ``From.User.DisplayName``, as in
    a Teams user data export) written as Graph writes them (``createdDateTime``); in place."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in [k for k in node if k[:1].isupper() and k[1:2].islower()]:
                value = node.pop(key)
                node.setdefault(key[0].lower() + key[1:], value)
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return document


def _messages(source: Source, document: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Each message with its JSON path, from a page, a list of pages or messages, or one."""
    if isinstance(document, dict):
        if "value" in document:
            yield from _page(source, document, ())
        elif isinstance(document.get("messages"), list) and "createdDateTime" not in document:
            for index, item in enumerate(document["messages"]):
                yield ("messages", index), item
        else:
            yield (), document
        return
    if not isinstance(document, list):
        raise SourceError(
            "expected a page of messages, a list or a message", file=source.name, path="$"
        )
    for index, item in enumerate(document):
        if isinstance(item, dict) and "value" in item and "id" not in item:
            yield from _page(source, item, (index,))
        else:
            yield (index,), item


def _page(
    source: Source, page: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    values = page["value"]
    if not isinstance(values, list):
        raise SourceError(
            "expected a list of messages", file=source.name, path=json_path(*path, "value")
        )
    if page.get("@odata.nextLink"):
        source.warn(
            "this page links to more messages (@odata.nextLink); only the messages in the "
            "file are imported",
            path=json_path(*path),
        )
    for index, item in enumerate(values):
        yield (*path, "value", index), item


def _event(
    source: Source,
    options: ParseOptions,
    path: tuple[str | int, ...],
    message: Any,
    deleted: SkipCounter,
) -> TimelineEvent | None:
    where = Where(source.name, 0, json_path(*path))
    if not isinstance(message, dict):
        raise where.error("", "expected a message object")
    kind = get_str(message, "messageType", where)
    if kind in _SKIPPED_TYPES:
        return None
    if message.get("deletedDateTime"):
        deleted.add("this file")
        return None
    identity = message.get("channelIdentity")
    channel = as_text(identity.get("channelId")) if isinstance(identity, dict) else ""
    if not options.wants_channel(channel, as_text(message.get("chatId"))):
        return None
    ident = get_str(message, "id", where)
    reply_to = get_str(message, "replyToId", where)
    at = _instant(message, "createdDateTime", where, options)
    if at is None:
        raise _at(where, "createdDateTime").error("createdDateTime", "is missing")
    if not options.in_window(at):
        return None
    actor, role = _author(message.get("from"), where)
    detail = message.get("eventDetail")
    if isinstance(detail, dict):
        text, initiator = _system_text(detail)
        actor = actor or initiator
    else:
        text = _body_text(message, where)
    if not ident:
        # Exports leave the id out of some messages (system and call messages): the message
        # is known by its time, author and text instead, which a re-import gives again.
        ident = "at-" + hashlib.sha256(f"{at.isoformat()}|{actor}|{text}".encode()).hexdigest()[:24]
    extra = _attachment_lines(message.get("attachments"))
    subject = message.get("subject")
    if isinstance(subject, str) and subject.strip():
        text = join_text(subject.strip(), [text])
    text = join_text(text, extra) or "(no text)"
    if _instant(message, "lastEditedDateTime", where, options) is not None:
        text += " (edited)"
    url = as_text(message.get("webUrl"))
    return TimelineEvent(
        at,
        "chat",
        NAME,
        stable_ref(reply_to, ident) if reply_to else stable_ref(ident),
        text,
        actor,
        role,
        evidence_url=url if len(url) <= MAX_URL else "",
        raw=message,
    )


def _at(where: Where, field: str) -> Where:
    return where.at(path=f"{where.path}.{field}")


def _instant(
    message: dict[str, Any], field: str, where: Where, options: ParseOptions
) -> datetime | None:
    return parse_instant(message.get(field), _at(where, field), field, tz=options.tz)


def _author(value: Any, where: Where) -> tuple[str, str]:
    """``(name, role)`` of ``from``: a person, or an application (a bot)."""
    if value is None:
        return "", ""
    if isinstance(value, str):  # some exports write the author's name only
        return actor_name(value), ""
    if not isinstance(value, dict):
        raise _at(where, "from").error("from", "expected an object")
    for key, role in (("user", ""), ("application", "bot"), ("device", "")):
        identity = value.get(key)
        if isinstance(identity, dict):
            name = as_text(identity.get("displayName")) or as_text(identity.get("id"))
            if name:
                return actor_name(name), role
    return "", ""


def _body_text(message: dict[str, Any], where: Where) -> str:
    body = message.get("body")
    if body is None:
        return ""
    spot = _at(where, "body")
    if isinstance(body, str):  # the content alone
        body = {"contentType": "html", "content": body}
    if not isinstance(body, dict):
        raise spot.error("body", "expected an object")
    content = get_str(body, "content", spot)
    if as_text(body.get("contentType")).lower() == "text":
        return content.strip()
    if "<" in content:
        content = _EMOJI.sub(_emoji, content)
        content = _IMAGE.sub("[image]", content)
    return _html(content)


def _emoji(match: re.Match[str]) -> str:
    alt = _ALT.search(match[0])
    return alt[1] if alt else ""


def _html(value: str) -> str:
    """``html_to_text`` on untrusted HTML, in linear time.

    A ``<`` with no ``>`` before the next ``<`` is not a tag; it is written as ``&lt;`` (which
    the conversion turns back into ``<``) so that no tag pattern scans past it, which would
    take quadratic time on text full of unclosed ``<``.
    """
    if "<" not in value:
        return html_to_text(value)
    first, *rest = value.split("<")
    parts = [first]
    for part in rest:
        parts.append(("<" if ">" in part else "&lt;") + part)
    return html_to_text("".join(parts))


def _names(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    names = []
    for item in value[:100]:
        if isinstance(item, dict):
            name = as_text(item.get("displayName")) or as_text(item.get("id"))
            if name:
                names.append(name)
    return names


def _system_text(detail: dict[str, Any]) -> tuple[str, str]:
    """What a system message says, and who did it, from its ``eventDetail``."""
    kind = as_text(detail.get("@odata.type")).rsplit(".", 1)[-1]
    kind = kind.removesuffix("EventMessageDetail")
    initiator = ""
    who = detail.get("initiator")
    if isinstance(who, dict):
        initiator = _author(who, Where(""))[0]
    members = ", ".join(_names(detail.get("members")))
    if kind == "membersAdded":
        text = f"added {members}" if members else "added members"
    elif kind == "membersDeleted":
        text = f"removed {members}" if members else "removed members"
    elif kind == "membersJoined":
        text = f"{members} joined" if members else "members joined"
    elif kind == "membersLeft":
        text = f"{members} left" if members else "members left"
    elif kind == "callStarted":
        text = "started a call"
    elif kind == "callEnded":
        duration = as_text(detail.get("callDuration"))
        people = detail.get("callParticipants")
        count = len(people) if isinstance(people, list) else 0
        text = "call ended"
        if duration:
            text += f" after {duration.removeprefix('PT').lower()}"
        if count:
            text += f", {count} participant{'s' if count != 1 else ''}"
    elif kind == "callRecording":
        status = as_text(detail.get("callRecordingStatus"))
        text = f"call recording {status}".strip() if status else "call recording"
    elif kind == "chatRenamed":
        text = f"renamed the chat to {as_text(detail.get('chatDisplayName'))}".strip()
    elif kind == "channelRenamed":
        text = f"renamed the channel to {as_text(detail.get('channelDisplayName'))}".strip()
    elif kind == "teamRenamed":
        text = f"renamed the team to {as_text(detail.get('teamDisplayName'))}".strip()
    elif kind == "messagePinned":
        text = "pinned a message"
    elif kind == "messageUnpinned":
        text = "unpinned a message"
    elif kind:
        text = _WORDS.sub(" ", kind).lower()
    else:
        text = "system event"
    return text, initiator


def _attachment_lines(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    lines: list[str] = []
    for item in value[:50]:
        if not isinstance(item, dict):
            continue
        kind = as_text(item.get("contentType"))
        name = as_text(item.get("name"))
        if kind == "messageReference":
            continue  # a quoted message: the message itself is in the export
        if kind.startswith("application/vnd.microsoft.card."):
            lines.extend(_card_lines(item.get("content")))
            continue
        if name:
            lines.append(f"[file: {name}]")
    return lines


def _card_lines(content: Any) -> list[str]:
    """The titles and texts of an adaptive, hero or thumbnail card (its content is JSON text)."""
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except (ValueError, RecursionError):
            return [content.strip()] if content.strip() else []
    lines: list[str] = []
    stack = [content]
    seen = 0
    while stack and seen < _MAX_CARD_NODES:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            title, value = node.get("title"), node.get("value")
            if isinstance(title, str) and isinstance(value, str):  # a fact: "title: value"
                lines.append(_html(f"{title}: {value}"))
            else:
                for key in ("title", "subtitle", "text"):
                    text = node.get(key)
                    if isinstance(text, str) and text.strip():
                        lines.append(_html(text))
            stack.extend(reversed([v for v in node.values() if isinstance(v, (dict, list))]))
        elif isinstance(node, list):
            stack.extend(reversed([v for v in node if isinstance(v, (dict, list))]))
    return [line for line in lines if line]
