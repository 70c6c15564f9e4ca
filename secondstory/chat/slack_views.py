"""Slack's requests: the Events API (reactions) and the ``/postmortem`` slash command.

Every request is refused (403) unless signed with a configured workspace's signing secret
within the 5-minute replay window (``core.chat_commands.slack_refusal``). Slash commands are
answered with an ephemeral message (only the person who typed it sees it); events with an
empty 200 once handled. A delivery Slack retries (``X-Slack-Retry-Num``, same ``event_id``)
changes nothing the second time; a Web API failure answers 503 so that Slack retries.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from datetime import timezone as fixed_offset
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from secondstory.chat import services
from secondstory.chat.models import SLACK, ChatDelivery, ChatWorkspace
from secondstory.chat.services import ChatPerson, Refused
from secondstory.chat.slack_client import SlackApiError, SlackClient
from secondstory.core.chat_commands import HELP, clip_note, parse_command, slack_refusal
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.live_chat import mentioned_slack_users, slack_message_event
from secondstory.core.timeline.sources.base import SourceError, stable_ref
from secondstory.trackers.crypto import CredentialError

logger = logging.getLogger("secondstory.chat")

# Slack retries a delivery for about an hour; its event ids are kept well beyond that.
REMEMBER = timedelta(days=7)
MAX_MENTIONS = 5  # names looked up for mentions; the rest show their ids


def _verified(request: HttpRequest, team_id: str) -> ChatWorkspace | None:
    """The enabled Slack workspace whose signing secret signed the request (the workspace
    ``team_id`` names; any Slack workspace when the payload names none)."""
    candidates = ChatWorkspace.objects.filter(platform=SLACK, enabled=True)
    if team_id:
        candidates = candidates.filter(team_id=team_id)
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    refusal = "no enabled Slack workspace has this team id"
    for workspace in candidates.select_related("integration_user", "default_severity"):
        try:
            secret = workspace.signing_secret
        except CredentialError as error:
            refusal = str(error)
            continue
        refusal = slack_refusal(secret, timestamp, signature, request.body, time.time())
        if not refusal:
            return workspace
    logger.warning(
        "refused Slack request for team %r from %s: %s",
        team_id, request.META.get("REMOTE_ADDR", "?"), refusal,
    )  # fmt: skip
    return None


def _forbidden() -> JsonResponse:
    return JsonResponse({"error": "forbidden"}, status=403)


def _ephemeral(text: str) -> JsonResponse:
    return JsonResponse({"response_type": "ephemeral", "text": text})


# --- slash command --------------------------------------------------------------------------


@csrf_exempt
@login_not_required
@require_POST
def command(request: HttpRequest) -> HttpResponse:
    request.body  # noqa: B018 -- read before the form: the signature covers the raw bytes
    form = request.POST
    workspace = _verified(request, form.get("team_id", ""))
    if workspace is None:
        return _forbidden()
    if form.get("ssl_check") == "1":  # Slack checking the certificate; nothing to do
        return HttpResponse(status=200)
    parsed = parse_command(form.get("text", ""))
    channel_id = form.get("channel_id", "")
    if not parsed.known or parsed.name == "help":
        prefix = "" if parsed.known else f"Unknown command {parsed.name!r}.\n"
        return _ephemeral(prefix + HELP)
    if not channel_id:
        return _ephemeral("Slack sent no channel with this command.")
    try:
        client = SlackClient(workspace)
        person, offset = _person(client, form.get("user_id", ""), form.get("user_name", ""))
        if parsed.name == "status":
            return _ephemeral(services.status(workspace, channel_id, person))
        if parsed.name == "start":
            text = services.start(
                workspace, channel_id, form.get("channel_name", ""), person, parsed.argument
            )
            return _ephemeral(text)
        return _ephemeral(_note(workspace, form, person, parsed.argument, offset))
    except Refused as refusal:
        return _ephemeral(str(refusal))


def _note(
    workspace: ChatWorkspace, form: Any, person: ChatPerson, argument: str, offset: int
) -> str:
    text = clip_note(argument)
    if not text:
        return "Nothing to add: /postmortem note TEXT."
    channel_id = form.get("channel_id", "")
    trigger = form.get("trigger_id", "") or f"{time.time_ns()}-{person.user_id}"
    at = datetime.now(UTC).astimezone(fixed_offset(timedelta(minutes=offset)))
    event = EventData(
        at, "observation", "slack", stable_ref("note", channel_id, trigger), text,
        raw={"command": "/postmortem note", "channel": form.get("channel_name", ""),
             "channel_id": channel_id, "user_id": person.user_id},
    )  # fmt: skip
    return services.capture(workspace, channel_id, person, event, pin=False)


def _person(
    client: SlackClient, user_id: str, username: str, known: dict[str, Any] | None = None
) -> tuple[ChatPerson, int]:
    """The chat user (with e-mail and name when the bot token may read them) and their UTC
    offset in minutes (0 when unknown); ``known`` is their ``users.info`` object if fetched."""
    user = known or (client.user(user_id) if user_id and client.token else None)
    if user is None:
        return ChatPerson(user_id, username), 0
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    name = str(profile.get("real_name") or user.get("real_name") or "")
    email = str(profile.get("email") or "")
    seconds = user.get("tz_offset")
    offset = seconds // 60 if isinstance(seconds, int) and abs(seconds) <= 14 * 3600 else 0
    return ChatPerson(user_id, str(user.get("name") or username), name, email), offset


# --- Events API -----------------------------------------------------------------------------


@csrf_exempt
@login_not_required
@require_POST
def events(request: HttpRequest) -> HttpResponse:
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        payload = None
    team_id = payload.get("team_id", "") if isinstance(payload, dict) else ""
    workspace = _verified(request, team_id if isinstance(team_id, str) else "")
    if workspace is None:
        return _forbidden()
    if not isinstance(payload, dict):
        return JsonResponse({"error": "the body is not a JSON object"}, status=400)
    if payload.get("type") == "url_verification":
        return JsonResponse({"challenge": str(payload.get("challenge", ""))})
    event = payload.get("event")
    event_id = payload.get("event_id")
    if payload.get("type") != "event_callback" or not isinstance(event, dict):
        return HttpResponse(status=200)
    if not isinstance(event_id, str) or not event_id:
        return JsonResponse({"error": "the event has no event_id"}, status=400)
    if ChatDelivery.objects.filter(workspace=workspace, event_id=event_id).exists():
        return HttpResponse(status=200)  # a retry of a delivery already handled
    if event.get("type") != "reaction_added" or not _is_capture_emoji(workspace, event):
        return HttpResponse(status=200)
    try:
        outcome = _pinned(workspace, event, event_id)
    except SlackApiError as error:
        logger.warning("Slack event %s not handled (Slack will retry): %s", event_id, error)
        return JsonResponse({"error": "the Slack Web API did not answer"}, status=503)
    logger.info("Slack event %s: %s", event_id, outcome)
    return HttpResponse(status=200)


def _is_capture_emoji(workspace: ChatWorkspace, event: dict[str, Any]) -> bool:
    reaction = event.get("reaction")
    if not isinstance(reaction, str):
        return False
    wanted = workspace.capture_emoji.strip().strip(":")
    return reaction.partition("::")[0] == wanted  # "pushpin::skin-tone-2" is a pushpin too


def _pinned(workspace: ChatWorkspace, event: dict[str, Any], event_id: str) -> str:
    """Add the message a capture reaction was put on; what happened, for the log."""
    item = event.get("item")
    if not isinstance(item, dict) or item.get("type") != "message":
        return _claimed(workspace, event_id, "not a message")
    channel_id, ts = str(item.get("channel", "")), str(item.get("ts", ""))
    if not services.is_linked(workspace, channel_id):
        return _claimed(workspace, event_id, f"channel {channel_id} is not linked")
    client = SlackClient(workspace)
    message = client.message(channel_id, ts)
    if message is None:
        return _claimed(workspace, event_id, f"message {channel_id}/{ts} not found")
    users: dict[str, dict[str, Any]] = {}
    author = message.get("user")
    wanted = [author] if isinstance(author, str) else []
    wanted += mentioned_slack_users(str(message.get("text") or ""))[:MAX_MENTIONS]
    for uid in wanted:
        if uid not in users and (user := client.user(uid)) is not None:
            users[uid] = user
    name = services.channel_name(workspace, channel_id)
    try:
        captured = slack_message_event(message, channel_id, name, users)
    except SourceError as error:
        return _claimed(workspace, event_id, f"the message cannot be read: {error}")
    if captured is None:
        return _claimed(workspace, event_id, "a deleted message")
    reactor = str(event.get("user", ""))
    person, _ = _person(client, reactor, "", users.get(reactor))
    try:
        with transaction.atomic():
            _remember(workspace, event_id)
            captured.starred = True
            return services.capture(workspace, channel_id, person, captured, pin=True)
    except IntegrityError:
        return "a retry of a delivery already handled"
    except Refused as refusal:
        logger.warning("Slack pin of %s/%s refused: %s", channel_id, ts, refusal)
        return _claimed(workspace, event_id, str(refusal))


def _claimed(workspace: ChatWorkspace, event_id: str, outcome: str) -> str:
    """Remember a delivery that changed nothing, so its retries are not looked at again."""
    try:
        with transaction.atomic():
            _remember(workspace, event_id)
    except IntegrityError:
        pass
    return outcome


def _remember(workspace: ChatWorkspace, event_id: str) -> None:
    """Keep ``event_id`` as handled; ids older than Slack's retries are forgotten meanwhile."""
    ChatDelivery.objects.filter(received_at__lt=timezone.now() - REMEMBER).delete()
    ChatDelivery.objects.create(workspace=workspace, event_id=event_id)
