"""Live capture from chat, the parts that need no database: commands and signatures.

``/postmortem`` (a Slack or Mattermost slash command, or a Mattermost outgoing webhook's
trigger word) takes one sub-command:

>>> parse_command("note  the primary is read-only again")
Command(name='note', argument='the primary is read-only again')
>>> parse_command("start INC-0042")
Command(name='start', argument='INC-0042')
>>> parse_command("")
Command(name='help', argument='')

Slack signs every request: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the
app's signing secret; a request whose timestamp is more than ``REPLAY_WINDOW_SECONDS`` away
from the server's clock is refused, so a recorded request cannot be played again later.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

COMMANDS = ("start", "note", "status", "help")
REPLAY_WINDOW_SECONDS = 300
MAX_NOTE_CHARS = 4000

HELP = (
    "/postmortem start INCIDENT-KEY: link this channel to an incident\n"
    "/postmortem start TITLE: declare a new incident and link this channel to it\n"
    "/postmortem note TEXT: add TEXT to the linked incident's timeline\n"
    "/postmortem status: which incident this channel is linked to\n"
    "/postmortem help: this text"
)

_INCIDENT_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-\d+")


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed ``/postmortem`` command: its name (one of ``COMMANDS``, or what the user typed
    when it is none of them) and the rest of the text, trimmed."""

    name: str
    argument: str

    @property
    def known(self) -> bool:
        return self.name in COMMANDS


def parse_command(text: str) -> Command:
    """The sub-command and its argument; an empty text asks for help."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return Command("help", "")
    name = words[0].lower()
    argument = words[1].strip() if len(words) > 1 else ""
    return Command(name, argument)


def looks_like_incident_key(text: str) -> bool:
    """Whether ``start``'s argument is shaped like an incident key (``INC-0042``, ``PAY-INC-7``):
    one that names no incident is refused rather than declared as a title.

    >>> looks_like_incident_key("inc-7"), looks_like_incident_key("Checkout is down")
    (True, False)
    """
    return _INCIDENT_KEY.fullmatch(text.strip()) is not None


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` Slack sends with ``body`` at ``timestamp``.

    >>> slack_signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", b"token=x")[:13]
    'v0=3eeaac3070'
    """
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_refusal(secret: str, timestamp: str, signature: str, body: bytes, now: float) -> str:
    """Why a request claiming to come from Slack is refused ("" when it is genuine)."""
    if not secret:
        return "no signing secret is configured for this workspace"
    if not timestamp or not signature:
        return "the request is not signed (X-Slack-Request-Timestamp, X-Slack-Signature)"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 12):
        return "the request timestamp is not a number of seconds"
    if abs(now - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return "the request timestamp is outside the 5-minute replay window"
    expected = slack_signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
        return "the signature does not match"
    return ""


def token_matches(expected: str, given: str) -> bool:
    """A Mattermost command or webhook token, compared in constant time; an unset expected
    token matches nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def clip_note(text: str) -> str:
    """A note as stored: trimmed, at most ``MAX_NOTE_CHARS`` characters."""
    text = text.strip()
    if len(text) <= MAX_NOTE_CHARS:
        return text
    return text[: MAX_NOTE_CHARS - 1] + "…"
