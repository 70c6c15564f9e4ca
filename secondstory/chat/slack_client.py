"""The few Slack Web API calls live capture needs, with a timeout on every call.

The base URL is the workspace's ``api_base_url`` (``https://slack.com/api``), so tests run
a fake Web API on 127.0.0.1. Calls use the bot token (scopes ``channels:history``,
``groups:history``, ``users:read``, ``users:read.email``).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from django.conf import settings

from secondstory.chat.models import ChatWorkspace
from secondstory.trackers.crypto import CredentialError

logger = logging.getLogger("secondstory.chat")


_shared: httpx.Client | None = None


def _http() -> httpx.Client:
    """One client for the process: building one (its TLS context) costs more than a call."""
    global _shared
    if _shared is None:
        _shared = httpx.Client()
    return _shared


class SlackApiError(Exception):
    """The Web API could not be reached or refused the call; the message says which."""


class SlackClient:
    def __init__(self, workspace: ChatWorkspace) -> None:
        self.base_url = workspace.api_base_url.rstrip("/")
        try:
            self.token = workspace.bot_token
        except CredentialError as error:  # the key changed since the token was saved
            logger.warning("Slack workspace %s: %s", workspace.team_id, error)
            self.token = ""
        self.timeout = float(settings.SECONDSTORY_CHAT_TIMEOUT)

    def call(self, method: str, **params: str) -> dict[str, Any]:
        """One Web API method (a GET with query parameters); its JSON answer when ``ok``."""
        if not self.token:
            raise SlackApiError("no bot token is configured for this workspace")
        url = f"{self.base_url}/{method}"
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = _http().get(url, params=params, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException as error:
            raise SlackApiError(f"{method}: no answer within {self.timeout:g}s") from error
        except httpx.HTTPError as error:
            raise SlackApiError(f"{method}: {error}") from error
        if response.status_code != 200:
            raise SlackApiError(f"{method}: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as error:
            raise SlackApiError(f"{method}: the answer is not JSON") from error
        if not isinstance(data, dict) or data.get("ok") is not True:
            error_code = data.get("error") if isinstance(data, dict) else None
            raise SlackApiError(f"{method}: {error_code or 'not ok'}")
        return data

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message ``ts`` of ``channel`` (a thread reply included), or None."""
        history = self.call(
            "conversations.history", channel=channel, latest=ts, inclusive="true", limit="1"
        )
        found = _with_ts(history.get("messages"), ts)
        if found is not None:
            return found
        replies = self.call(
            "conversations.replies", channel=channel, ts=ts, latest=ts, inclusive="true",
            limit="1",
        )  # fmt: skip
        return _with_ts(replies.get("messages"), ts)

    def user(self, user_id: str) -> dict[str, Any] | None:
        """``users.info``'s user object (with ``profile.email`` given the scope), or None."""
        try:
            data = self.call("users.info", user=user_id)
        except SlackApiError:
            return None
        user = data.get("user")
        return user if isinstance(user, dict) else None


def _with_ts(messages: object, ts: str) -> dict[str, Any] | None:
    if not isinstance(messages, list):
        return None
    for message in messages:
        if isinstance(message, dict) and message.get("ts") == ts:
            return message
    return None
