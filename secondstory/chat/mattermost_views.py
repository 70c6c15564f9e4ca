"""Mattermost's requests: the ``/postmortem`` slash command and an outgoing webhook.

Mattermost sends a token with each request (the form's ``token``, and for slash commands
also ``Authorization: Token …``); it is compared in constant time with the token saved for
the team, and a request without a match is refused (403). Slash commands answer
ephemerally. An outgoing webhook fires on a post that starts with its trigger word
(``#postmortem note …``): a note taken that way is that post, with the reference the bulk
export gives it, so a later import of the export adds it once.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from secondstory.chat import services
from secondstory.chat.models import MATTERMOST, ChatWorkspace
from secondstory.chat.services import ChatPerson, Refused
from secondstory.core.chat_commands import (
    HELP,
    Command,
    clip_note,
    parse_command,
    token_matches,
)
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.live_chat import mattermost_post_ref
from secondstory.core.timeline.sources.base import stable_ref
from secondstory.trackers.crypto import CredentialError

logger = logging.getLogger("secondstory.chat")

_MAX_MS = 253402300799999  # 9999-12-31


def _fields(request: HttpRequest) -> dict[str, str]:
    """The request's fields, sent as a form or (outgoing webhooks may) as JSON."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


def _verified(request: HttpRequest, fields: dict[str, str], kind: str) -> ChatWorkspace | None:
    given = fields.get("token", "")
    header = request.headers.get("Authorization", "")
    if not given and header.startswith("Token "):
        given = header.removeprefix("Token ").strip()
    workspace = (
        ChatWorkspace.objects.filter(
            platform=MATTERMOST, enabled=True, team_id=fields.get("team_id", "")
        )
        .select_related("integration_user", "default_severity")
        .first()
    )
    refusal = "no enabled Mattermost team has this team id"
    if workspace is not None:
        try:
            expected = workspace.command_token if kind == "command" else workspace.webhook_token
        except CredentialError as error:
            expected, refusal = "", str(error)
        else:
            refusal = f"the {kind} token does not match"
        if token_matches(expected, given):
            return workspace
    logger.warning(
        "refused Mattermost %s for team %r from %s: %s",
        kind, fields.get("team_id", ""), request.META.get("REMOTE_ADDR", "?"), refusal,
    )  # fmt: skip
    return None


def _person(fields: dict[str, str]) -> ChatPerson:
    return ChatPerson(fields.get("user_id", ""), fields.get("user_name", ""))


def _dispatch(workspace: ChatWorkspace, fields: dict[str, str], parsed: Command, note: Any) -> str:
    if not parsed.known or parsed.name == "help":
        prefix = "" if parsed.known else f"Unknown command {parsed.name!r}.\n"
        return prefix + HELP
    channel_id = fields.get("channel_id", "")
    if not channel_id:
        return "Mattermost sent no channel with this command."
    try:
        person = _person(fields)
        if parsed.name == "status":
            return services.status(workspace, channel_id, person)
        if parsed.name == "start":
            name = fields.get("channel_name", "")
            return services.start(workspace, channel_id, name, person, parsed.argument)
        text = clip_note(parsed.argument)
        if not text:
            return "Nothing to add: /postmortem note TEXT."
        event: EventData = note(text)
        return services.capture(workspace, channel_id, person, event, pin=False)
    except Refused as refusal:
        return str(refusal)


@csrf_exempt
@login_not_required
@require_POST
def command(request: HttpRequest) -> HttpResponse:
    fields = _fields(request)
    workspace = _verified(request, fields, "command")
    if workspace is None:
        return JsonResponse({"error": "forbidden"}, status=403)
    channel_id = fields.get("channel_id", "")
    trigger = fields.get("trigger_id", "") or f"{time.time_ns()}-{fields.get('user_id', '')}"

    def note(text: str) -> EventData:
        raw = {"command": "/postmortem note", "channel": fields.get("channel_name", ""),
               "channel_id": channel_id, "user_id": fields.get("user_id", "")}  # fmt: skip
        ref = stable_ref("note", channel_id, trigger)
        return EventData(datetime.now(UTC), "observation", "mattermost", ref, text, raw=raw)

    text = _dispatch(workspace, fields, parse_command(fields.get("text", "")), note)
    return JsonResponse({"response_type": "ephemeral", "text": text})


@csrf_exempt
@login_not_required
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    fields = _fields(request)
    workspace = _verified(request, fields, "webhook")
    if workspace is None:
        return JsonResponse({"error": "forbidden"}, status=403)
    text = fields.get("text", "")
    trigger = fields.get("trigger_word", "")
    if trigger and text.startswith(trigger):
        text = text[len(trigger) :]
    stamp = fields.get("timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and int(stamp) <= _MAX_MS):
        return JsonResponse({"text": "Mattermost sent no post timestamp with this message."})
    created = int(stamp)

    def note(note_text: str) -> EventData:
        ref = mattermost_post_ref(
            fields.get("team_domain", ""), fields.get("channel_name", ""),
            fields.get("user_name", ""), created,
        )  # fmt: skip
        at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=created)
        raw = {"post_id": fields.get("post_id", ""), "channel": fields.get("channel_name", ""),
               "message": fields.get("text", "")}  # fmt: skip
        return EventData(at, "observation", "mattermost", ref, note_text, raw=raw)

    answer = _dispatch(workspace, fields, parse_command(text), note)
    return JsonResponse({"text": answer, "response_type": "comment"})
