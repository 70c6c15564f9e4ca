"""Mattermost REST API posts responses: ``GET /api/v4/channels/{id}/posts`` and threads.

A response is ``{"order": [post ids, newest first], "posts": {id: post}, "next_post_id",
"prev_post_id", "has_next"}``; a file may hold one response or a list of them. Every post
(and every reply the response carries) becomes a ``chat`` event, read as in a bulk export
(see ``mattermost``): ``create_at`` in epoch milliseconds, attachments, files, ``(edited)``.

Posts carry ids only. The channel (``GET /channels/{id}``), its team (``GET /teams/{id}``)
and the users (``POST /users/ids``, ``GET /users/{id}``) are read from files saved beside the
response, when they are there: they give names, and with all of them a post gets the same
reference as in a bulk export (team/channel/author/create_at), so importing both adds nothing
twice. Without them the reference is the post id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    SourceError,
    Where,
    actor_name,
    load_json,
    stable_ref,
)
from secondstory.core.timeline.sources.beside import HEAD, neighbours
from secondstory.core.timeline.sources.chat import as_text
from secondstory.core.timeline.sources.mattermost import _is_deleted, _moment, _Reader

NAME = "mattermost_api"
DESCRIPTION = "Mattermost REST API posts responses ({order, posts}) with users and channels beside"

_ORDER = re.compile(r'"order"\s*:\s*\[')
_POSTS = re.compile(r'"posts"\s*:\s*\{')
_CHANNEL_ID = re.compile(r'"channel_id"\s*:')
_CREATE_AT = re.compile(r'"create_at"\s*:\s*\d')
_USERNAME = re.compile(r'"username"\s*:')
_USER_ONLY = re.compile(r'"(?:first_name|last_name|roles|auth_service)"\s*:')
_TEAM_ID = re.compile(r'"team_id"\s*:')
_DISPLAY = re.compile(r'"display_name"\s*:')
_TEAM_ONLY = re.compile(r'"(?:allowed_domains|invite_id|company_name|allow_open_invite)"\s*:')
_NOT_OURS = re.compile(r'"(?:ok|messages)"\s*:')
_CHANNEL_TYPE = re.compile(r'"type"\s*:\s*"[OPDG]"')


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return False
        head = source.head_text()
        if not head.lstrip().startswith(("{", "[")) or _POSTS.search(head) is None:
            return False
        # "order" comes first as the server writes it; a response saved with its keys in
        # another order is known by its posts' fields.
        return _ORDER.search(head) is not None or (
            _CHANNEL_ID.search(head) is not None and _CREATE_AT.search(head) is not None
        )
    except Exception:
        return False


def _kind(head: str) -> str:
    """What a JSON file beside the posts holds: users, channels, teams (or "")."""
    if not head.lstrip().startswith(("{", "[")) or _ORDER.search(head) or _NOT_OURS.search(head):
        return ""
    if _USERNAME.search(head) and _USER_ONLY.search(head) and not _TEAM_ID.search(head):
        return "users"
    if _TEAM_ID.search(head) and _DISPLAY.search(head) and _CHANNEL_TYPE.search(head):
        return "channels"
    if _DISPLAY.search(head) and _TEAM_ONLY.search(head):
        return "teams"
    return ""


def companion(source: Source) -> str:
    """What a Mattermost API file that holds no posts is for ("" when it is not one)."""
    kind = "" if source.is_dir else _kind(source.head_text(HEAD))
    return f"Mattermost {kind}, read with the posts beside them" if kind else ""


class _Names:
    """Users, channels and teams by id, from the files beside the response."""

    def __init__(self, source: Source) -> None:
        self.usernames: dict[str, str] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.teams: dict[str, str] = {}
        self.people: dict[str, tuple[str, bool]] = {}
        for kind, document in neighbours(source, _kind):
            items = document if isinstance(document, list) else [document]
            for item in items[:200_000]:
                if isinstance(item, dict) and as_text(item.get("id")):
                    self.add(kind, item)

    def add(self, kind: str, item: dict[str, Any]) -> None:
        ident = as_text(item.get("id"))
        if kind == "users":
            username = as_text(item.get("username")) or ident
            full = " ".join(
                p for p in (as_text(item.get("first_name")), as_text(item.get("last_name"))) if p
            )
            name = actor_name(full or as_text(item.get("nickname")) or username) or username
            self.usernames[ident] = username
            self.people[username] = (name, item.get("is_bot") is True)
        elif kind == "channels":
            self.channels[ident] = item
        else:
            self.teams[ident] = as_text(item.get("name"))


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    names = _Names(source)
    reader = _Reader(source, options)
    reader.people = dict(names.people)
    unknown: set[str] = set()
    for base, posts, ordered in _responses(source, load_json(source)):
        for post_id in ordered:
            where = Where(source.name, 0, f"{base}.posts.{post_id}")
            post = posts[post_id]
            if not isinstance(post, dict):
                raise where.error("", "expected a post object")
            event = _event(source, options, names, reader, posts, post, where, unknown)
            if event is not None:
                yield event
    reader.deleted.flush()


def _responses(source: Source, document: Any) -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    """``(path, posts, ids in order)`` of each response: ``order`` first, then any post the
    map holds that the order leaves out (replies fetched with a thread)."""
    found = [("$", document)] if isinstance(document, dict) else []
    if isinstance(document, list):
        found = [(f"$[{i}]", item) for i, item in enumerate(document)]
    elif not isinstance(document, dict):
        raise SourceError("expected a posts response", file=source.name, path="$")
    seen: set[str] = set()
    for path, response in found:
        where = Where(source.name, 0, path)
        if not isinstance(response, dict):
            raise where.error("", "expected a posts response object")
        posts = response.get("posts")
        order = response.get("order", [])
        if not isinstance(posts, dict):
            raise where.error("posts", "expected an object of posts by id")
        if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
            raise where.error("order", "expected a list of post ids")
        missing = [i for i in order if i not in posts]
        if missing:
            raise where.error("order", f"names a post the response does not hold: {missing[0]!r}")
        ids = []
        for post_id in [*order, *posts]:
            if post_id not in seen:  # a post in two responses (a page and its thread) once
                seen.add(post_id)
                ids.append(post_id)
        yield path, posts, ids


def _event(
    source: Source,
    options: ParseOptions,
    names: _Names,
    reader: _Reader,
    posts: dict[str, Any],
    post: dict[str, Any],
    where: Where,
    unknown: set[str],
) -> TimelineEvent | None:
    channel_id = as_text(post.get("channel_id"))
    channel = names.channels.get(channel_id, {})
    channel_name = as_text(channel.get("name")) or channel_id
    display = as_text(channel.get("display_name")) or channel_name
    if not options.wants_channel(channel_id, channel_name, display):
        return None
    at = _moment(post.get("create_at"), where, "create_at")
    if _is_deleted(post):
        reader.deleted.add("this file")
        return None
    if not options.in_window(at):
        return None
    user_id = as_text(post.get("user_id"))
    username = names.usernames.get(user_id, "")
    if not username:
        username = user_id
        if user_id and user_id not in unknown:
            unknown.add(user_id)
            source.warn(f"user {user_id} is not in a users file beside it; shown by id")
    body = dict(post)
    files = (
        post.get("metadata", {}).get("files") if isinstance(post.get("metadata"), dict) else None
    )
    body["attachments"] = (
        [{"path": as_text(f.get("name"))} for f in files[:50] if isinstance(f, dict)]
        if isinstance(files, list)
        else []
    )
    raw = dict(post)
    raw["channel"] = channel_name
    ref = _reference(names, posts, post, channel) or stable_ref("post", as_text(post.get("id")))
    event = reader.event(at, ref, body, username, where, raw)
    if not event.text.strip():
        event.text = "(no text)"
    return event


def _reference(
    names: _Names, posts: dict[str, Any], post: dict[str, Any], channel: dict[str, Any]
) -> str:
    """The reference a bulk export gives this post, when the team, channel and authors are
    known; "" otherwise."""
    team = names.teams.get(as_text(channel.get("team_id")), "")
    channel_name = as_text(channel.get("name"))
    author = names.usernames.get(as_text(post.get("user_id")), "")
    if not (team and channel_name and author):
        return ""
    root_id = as_text(post.get("root_id"))
    if not root_id:
        return stable_ref(team, channel_name, author, post.get("create_at"))
    root = posts.get(root_id)
    if not isinstance(root, dict):
        return ""
    root_author = names.usernames.get(as_text(root.get("user_id")), "")
    if not root_author:
        return ""
    return stable_ref(
        team,
        channel_name,
        root_author,
        root.get("create_at"),
        "reply",
        author,
        post.get("create_at"),
    )
