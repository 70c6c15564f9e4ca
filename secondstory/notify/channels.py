"""Where notifications go: email, a Slack incoming webhook and a generic JSON webhook.

Channels come from env vars (``SECONDSTORY_SMTP_HOST``, ``SECONDSTORY_SLACK_WEBHOOK_URL``,
``SECONDSTORY_NOTIFY_WEBHOOK_URL``) and from enabled ``NotificationChannel`` rows in the admin.
Delivering raises ``DeliveryError`` with a one-line reason; callers record it.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from secondstory.accounts.models import User
from secondstory.notify.models import NotificationChannel


def network_timeout() -> float:
    """Seconds a channel may stay silent (SECONDSTORY_NOTIFY_TIMEOUT) before a try fails."""
    return float(getattr(settings, "SECONDSTORY_NOTIFY_TIMEOUT", 10))


class DeliveryError(Exception):
    """A channel could not deliver; the message says why in one line."""


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    text: str
    recipient: User
    item: dict[str, Any] | None = None
    restricted: bool = False
    shared_subject: str = ""
    shared_text: str = ""
    # An iCalendar invite attached to an email (a review meeting's REQUEST or CANCEL).
    calendar: str = ""


@dataclass(frozen=True)
class Channel:
    key: str
    kind: str
    label: str
    target: str = ""
    model: NotificationChannel | None = field(default=None, compare=False)

    @property
    def personal(self) -> bool:
        """True when the message goes to the recipient alone (their own email address)."""
        return self.kind == "email" and not self.target

    def address_for(self, user: User) -> str:
        """Where a notification for ``user`` goes: an email address or the webhook's host."""
        if self.kind == "email":
            return self.target or user.email
        return urlsplit(self.target).netloc

    def can_reach(self, user: User) -> bool:
        return bool(self.address_for(user))


def email_configured() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def active_channels() -> list[Channel]:
    """Every channel a notification goes to now, env vars first, then the admin's."""
    channels: list[Channel] = []
    if email_configured():
        channels.append(Channel("email", "email", "email"))
    if settings.SECONDSTORY_SLACK_WEBHOOK_URL:
        channels.append(Channel("slack", "slack", "Slack", settings.SECONDSTORY_SLACK_WEBHOOK_URL))
    if settings.SECONDSTORY_NOTIFY_WEBHOOK_URL:
        channels.append(
            Channel("webhook", "webhook", "webhook", settings.SECONDSTORY_NOTIFY_WEBHOOK_URL)
        )
    for row in NotificationChannel.objects.filter(enabled=True):
        if row.kind == "email" and not email_configured():
            continue
        channels.append(Channel(f"channel:{row.pk}", row.kind, row.name, row.target, row))
    return channels


def unconfigured_reason() -> str:
    return (
        "no channel configured (set SECONDSTORY_SMTP_HOST, SECONDSTORY_SLACK_WEBHOOK_URL or "
        "SECONDSTORY_NOTIFY_WEBHOOK_URL, or add a notification channel in the admin)"
    )


def text_for(channel: Channel, message: Message) -> str:
    """Shared channels (Slack, webhooks, email copies) never see a restricted item's details."""
    if message.restricted and not channel.personal:
        return message.shared_text
    return message.text


def subject_for(channel: Channel, message: Message) -> str:
    if message.restricted and not channel.personal:
        return message.shared_subject
    return message.subject


def webhook_payload(channel: Channel, message: Message) -> dict[str, Any]:
    """The JSON object the generic webhook receives (documented in docs/reminders.md)."""
    item = message.item
    if item is not None and message.restricted:
        item = {**item, "title": ""}
    return {
        "kind": message.kind,
        "subject": subject_for(channel, message),
        "message": text_for(channel, message),
        "recipient": {"username": message.recipient.username, "name": message.recipient.name},
        "item": item,
    }


def deliver(channel: Channel, message: Message) -> None:
    if channel.kind == "email":
        _send_email(channel, message)
    elif channel.kind == "slack":
        _post(channel.target, {"text": slack_escape(text_for(channel, message))})
    else:
        _post(channel.target, webhook_payload(channel, message))


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's message formatting treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _send_email(channel: Channel, message: Message) -> None:
    address = channel.address_for(message.recipient)
    if not address:
        raise DeliveryError(f"{message.recipient.username} has no email address")
    mail = EmailMessage(
        subject=subject_for(channel, message),
        body=text_for(channel, message),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=get_connection(fail_silently=False, timeout=network_timeout()),
    )
    if message.calendar:
        method = "CANCEL" if "\r\nMETHOD:CANCEL\r\n" in message.calendar else "REQUEST"
        mail.attach("invite.ics", message.calendar, f"text/calendar; method={method}")
    try:
        mail.send()
    except (smtplib.SMTPException, OSError) as exc:
        if _timed_out(exc):
            seconds = network_timeout()
            raise DeliveryError(f"email to {address}: timed out after {seconds:g}s") from exc
        raise DeliveryError(f"email to {address}: {_one_line(exc)}") from exc


def _timed_out(exc: BaseException) -> bool:
    """True for a socket timeout, also when smtplib re-raised it as a disconnection."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _post(url: str, payload: dict[str, Any]) -> None:
    host = urlsplit(url).netloc
    timeout = network_timeout()
    try:
        response = httpx.post(url, json=payload, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{host}: timed out after {timeout:g}s") from exc
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{host}: {_one_line(exc)}") from exc
    if not response.is_success:
        body = _one_line(response.text)[:200]
        raise DeliveryError(f"{host}: HTTP {response.status_code} {body}".rstrip())


def _one_line(exc: object) -> str:
    text = str(exc).strip()
    if not text and isinstance(exc, BaseException):
        return type(exc).__name__
    return " ".join(text.split())
