"""What a chat command or reaction does: who acts, which incident, and the timeline change.

Slack and Mattermost views turn a verified request into these calls; each returns the text
to answer the chat user with, or raises ``Refused`` with a message meant for them.

Who acts (docs/chat-capture.md): the chat user's own secondstory account when one matches
their e-mail address (Slack, with the ``users:read.email`` scope) or their username; else the
workspace's integration account, with the chat user's name kept as the event's actor. The
permission module decides (``may_capture_from_chat``, ``may_declare_incident``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.audit.context import acting_as
from secondstory.chat.models import ChannelLink, ChatWorkspace
from secondstory.core import taxonomy
from secondstory.core.chat_commands import looks_like_incident_key
from secondstory.core.limits import event_count_problem
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.incidents.editing import IncidentFields, create_incident
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from secondstory.incidents.services import add_timeline_event, set_starred


class Refused(Exception):
    """The request is understood but not carried out; the message tells the chat user why."""


@dataclass(frozen=True, slots=True)
class ChatPerson:
    """Who typed the command or reacted, as the chat platform names them."""

    user_id: str
    username: str
    display_name: str = ""
    email: str = ""

    @property
    def name(self) -> str:
        return self.display_name or self.username or self.user_id


@dataclass(frozen=True, slots=True)
class Acting:
    """The secondstory account that acts for a chat person, and whether it is their own."""

    user: User
    own_account: bool
    actor: str  # the name shown on the timeline
    audit_name: str


def account_for(workspace: ChatWorkspace, person: ChatPerson) -> User | None:
    """The person's own active account: by the e-mail address the chat platform confirmed,
    then (when the workspace says usernames are shared) by username."""
    active = User.objects.filter(is_active=True)
    if person.email:
        by_email = list(active.filter(email__iexact=person.email)[:2])
        if len(by_email) == 1:
            return by_email[0]
    if person.username and workspace.match_usernames:
        return active.filter(username__iexact=person.username).first()
    return None


def acting_for(workspace: ChatWorkspace, person: ChatPerson) -> Acting:
    own = account_for(workspace, person)
    platform = workspace.platform
    if own is not None:
        actor = own.display_name or person.name or own.username
        return Acting(own, True, actor, f"{own.username} via {platform}")
    helper = workspace.integration_user
    if helper is None or not helper.is_active:
        raise Refused(
            f"Your {workspace.get_platform_display()} account ({person.name}) matches no "
            "secondstory account, and no integration account is set up."
        )
    audit_name = f"{helper.username} via {platform} for {person.name}"
    return Acting(helper, False, person.name, audit_name[:200])


def linked_incident(workspace: ChatWorkspace, channel_id: str) -> Incident:
    link = (
        ChannelLink.objects.select_related("incident")
        .filter(workspace=workspace, channel_id=channel_id)
        .first()
    )
    if link is None:
        raise Refused(
            "This channel is not linked to an incident yet: "
            "/postmortem start INCIDENT-KEY or /postmortem start TITLE."
        )
    return link.incident


def is_linked(workspace: ChatWorkspace, channel_id: str) -> bool:
    return ChannelLink.objects.filter(workspace=workspace, channel_id=channel_id).exists()


def channel_name(workspace: ChatWorkspace, channel_id: str) -> str:
    """The name the channel had when it was linked ("" when unknown)."""
    names = ChannelLink.objects.filter(workspace=workspace, channel_id=channel_id)
    return names.values_list("channel_name", flat=True).first() or ""


def _check_capture(acting: Acting, incident: Incident) -> None:
    if permissions.may_capture_from_chat(acting.user, incident, own_account=acting.own_account):
        return
    if incident.visibility == "restricted" and not acting.own_account:
        raise Refused(
            f"{incident.key} is restricted: only people whose own secondstory account may edit "
            "it can add to it from chat."
        )
    raise Refused(f"{acting.user.username} may not edit {incident.key}.")


# --- /postmortem start ----------------------------------------------------------------------


def start(
    workspace: ChatWorkspace, channel_id: str, channel_name: str, person: ChatPerson, arg: str
) -> str:
    """Link the channel to the incident ``arg`` names, or declare one titled ``arg``."""
    acting = acting_for(workspace, person)
    with acting_as(acting.audit_name, acting.user.pk), transaction.atomic():
        key = arg.strip()
        if looks_like_incident_key(key) or _visible(acting, key):
            incident = _incident_to_link(acting, key)
            declared = False
        else:
            incident = _declare(workspace, acting, arg, channel_name)
            declared = True
        previous = _link(workspace, channel_id, channel_name, incident, person)
    if declared:
        return f"Declared {incident.key} ({incident.title}); this channel is linked to it."
    if previous is not None and previous != incident.key:
        return f"This channel is now linked to {incident.key} (it was linked to {previous})."
    return f"This channel is linked to {incident.key} ({incident.title})."


def _visible(acting: Acting, key: str) -> bool:
    """Whether ``key`` (a single word) is the key of an incident the acting account reads."""
    if not key or any(c.isspace() for c in key):
        return False
    return permissions.visible_incidents(acting.user).filter(key__iexact=key).exists()


def _incident_to_link(acting: Acting, key: str) -> Incident:
    incident = Incident.objects.filter(key__iexact=key).first()
    if incident is None or not permissions.may_read_incident(acting.user, incident):
        raise Refused(f"No incident {key} that {acting.user.username} may see.")
    _check_capture(acting, incident)
    return incident


def _declare(workspace: ChatWorkspace, acting: Acting, title: str, channel: str) -> Incident:
    if not permissions.may_declare_incident(acting.user):
        raise Refused(f"{acting.user.username} may not declare incidents.")
    severity = workspace.default_severity or Severity.objects.order_by("-rank").first()
    if severity is None:
        raise Refused("No severity is configured yet; an admin adds one first.")
    title = title.strip() or f"Incident declared in #{channel or 'chat'}"
    fields = IncidentFields(
        title=title[: taxonomy.MAX_TITLE],
        severity=severity,
        visibility="internal",
        services=[],
        teams=[],
        tags=[],
        external_references=[],
        milestones={},
    )
    try:
        return create_incident(fields, by=acting.user)
    except ValidationError as error:
        raise Refused(f"The incident was not declared: {'; '.join(error.messages)}") from error


def _link(
    workspace: ChatWorkspace, channel_id: str, name: str, incident: Incident, person: ChatPerson
) -> str | None:
    """Point the channel at ``incident``; the key it pointed at before (None: new link)."""
    link = (
        ChannelLink.objects.select_for_update()
        .select_related("incident")
        .filter(workspace=workspace, channel_id=channel_id)
        .first()
    )
    if link is None:
        ChannelLink.objects.create(
            workspace=workspace, channel_id=channel_id, channel_name=name[:200],
            incident=incident, linked_by=person.name[:200],
        )  # fmt: skip
        return None
    previous = link.incident.key
    if link.incident_id != incident.pk or link.channel_name != name:
        link.incident, link.channel_name, link.linked_by = incident, name[:200], person.name[:200]
        link.save(update_fields=["incident", "channel_name", "linked_by"])
    return previous


def status(workspace: ChatWorkspace, channel_id: str, person: ChatPerson) -> str:
    """Which incident the channel is linked to; its title only to people who may read it."""
    incident = linked_incident(workspace, channel_id)
    acting = acting_for(workspace, person)
    stranger_on_restricted = incident.visibility == "restricted" and not acting.own_account
    if stranger_on_restricted or not permissions.may_read_incident(acting.user, incident):
        return "This channel is linked to an incident you may not see."
    return f"This channel is linked to {incident.key} ({incident.title})."


# --- notes and pinned messages --------------------------------------------------------------


def capture(
    workspace: ChatWorkspace, channel_id: str, person: ChatPerson, event: EventData, *, pin: bool
) -> str:
    """Add ``event`` to the channel's incident; when it is already there (imported from an
    export, or captured before), a pin stars it and a note is left as it is."""
    incident = linked_incident(workspace, channel_id)
    acting = acting_for(workspace, person)
    _check_capture(acting, incident)
    if not event.actor:
        event = replace(event, actor=acting.actor)
    with acting_as(acting.audit_name, acting.user.pk), transaction.atomic():
        existing = TimelineEvent.objects.filter(
            incident=incident, source=event.source, source_ref=event.source_ref
        ).first()
        if existing is not None:
            if pin and not existing.starred:
                set_starred(existing, True)
                _record_revisions(incident, acting.user, "Starred a pinned chat message")
                return f"Already on {incident.key}'s timeline; now starred."
            return f"Already on {incident.key}'s timeline."
        count = TimelineEvent.objects.filter(incident=incident).count() + 1
        too_many = event_count_problem(incident.key, count)
        if too_many:
            raise Refused(f"Nothing was added: {too_many}.")
        try:
            add_timeline_event(incident, event)
        except ValidationError as error:
            if "source_ref" in getattr(error, "message_dict", {}):
                return f"Already on {incident.key}'s timeline."
            raise Refused(f"Nothing was added: {'; '.join(error.messages)}") from error
        what = "a pinned chat message" if pin else "a chat note"
        _record_revisions(incident, acting.user, f"Added {what}")
    return f"Added to {incident.key}'s timeline."


def _record_revisions(incident: Incident, author: User, summary: str) -> None:
    from secondstory.postmortems.revisions import record_revision

    for postmortem in incident.postmortems.all():
        record_revision(postmortem, author=author, summary=summary)
