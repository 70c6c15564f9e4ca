"""Timeline events captured live from chat, identified exactly as the importers identify them.

A message pinned in Slack while the incident happens, and the same message read later from
the workspace export or the Web API, must be one event: both get ``source`` ``slack`` and
``source_ref`` ``<channel id>/<ts>`` (read by the very code the importers use). A Mattermost
post captured through an outgoing webhook gets the bulk export's reference
(``team/channel/username/create_at``).

>>> mattermost_post_ref("ops", "incident-42", "alice", 1714658591123)
'ops/incident-42/alice/1714658591123'
"""

from __future__ import annotations

from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import ParseOptions, Source, stable_ref
from secondstory.core.timeline.sources.slack import _Channel, _person, _State, _User


def slack_message_event(
    message: dict[str, Any],
    channel_id: str,
    channel_name: str,
    users: dict[str, dict[str, Any]],
) -> TimelineEvent | None:
    """The event an import of ``message`` (as ``conversations.history`` returns it) would
    give; ``users`` holds ``users.info`` objects by id, for the author's and mentioned names.
    None for a message an import leaves out (a deleted one)."""
    people: dict[str, _User] = {uid: _person(user, uid) for uid, user in users.items()}
    source = Source(f"slack:{channel_id}", name=f"Slack message in {channel_id}")
    state = _State(source, people, {channel_id: channel_name}, ParseOptions())
    channel = _Channel(channel_id, channel_name or channel_id)
    events = list(state.messages([dict(message)], source.name, source.name, channel))
    return events[0] if events else None


def mattermost_post_ref(team: str, channel: str, username: str, create_at: int) -> str:
    """The reference a Mattermost bulk export gives a top-level post."""
    return stable_ref(team, channel, username, create_at)


def mentioned_slack_users(text: str) -> list[str]:
    """The user ids a Slack message mentions (``<@U123>``, ``<@U123|name>``), in order, once.

    >>> mentioned_slack_users("<@U1> and <@U2|bob> and <@U1>")
    ['U1', 'U2']
    """
    found: list[str] = []
    start = 0
    while (at := text.find("<@", start)) != -1:
        end = text.find(">", at)
        if end == -1:
            break
        uid = text[at + 2 : end].partition("|")[0]
        if uid and uid not in found:
            found.append(uid)
        start = end + 1
    return found
