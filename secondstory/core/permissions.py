"""Who may do what: the role table, in plain Python.

``docs/permissions.md`` prints this table and ``secondstory.accounts.permissions``
applies it to people and rows; views, the CLI and exports ask that module, never
these functions directly. Every function here answers from facts already known
(the person's organisation role, their roles on one postmortem, their teams), so
the rules can be read, tested and documented without a database.

>>> may_on_postmortem("publish", RESPONDER, frozenset({OWNER}))
True
>>> may_on_postmortem("review", ADMIN, frozenset({OWNER, REVIEWER}))
False
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Organisation roles (accounts.models.Role holds the same codes).
ADMIN = "admin"
RESPONDER = "responder"
VIEWER = "viewer"
ORGANISATION_ROLES = (ADMIN, RESPONDER, VIEWER)

# Roles on one postmortem.
OWNER = "owner"
FACILITATOR = "facilitator"
COLLABORATOR = "collaborator"
REVIEWER = "reviewer"
POSTMORTEM_ROLES = (OWNER, FACILITATOR, COLLABORATOR, REVIEWER)

WRITERS = frozenset({OWNER, FACILITATOR, COLLABORATOR})


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may do one thing to a postmortem they can read.

    ``roles``: the roles on the postmortem that allow it; ``admins``: whether an admin
    may without such a role; ``never_owner``: refused to the owner whoever they are.
    A viewer never changes anything, whatever their roles on the postmortem.
    """

    label: str
    roles: frozenset[str]
    admins: bool = True
    never_owner: bool = False


POSTMORTEM_RULES: dict[str, Rule] = {
    "edit": Rule("Edit sections, timeline, factors and action items; restore a revision", WRITERS),
    "comment": Rule("Comment", WRITERS | {REVIEWER}),
    "change_owner": Rule("Hand the postmortem to another owner", frozenset({OWNER})),
    "change_people": Rule(
        "Choose the facilitator, collaborators and reviewers", frozenset({OWNER, FACILITATOR})
    ),
    "submit": Rule("Submit for review", frozenset({OWNER, FACILITATOR})),
    "review": Rule(
        "Approve or send back to draft", frozenset({REVIEWER}), admins=False, never_owner=True
    ),
    "publish": Rule("Publish, mark not required, reopen", frozenset({OWNER, FACILITATOR})),
    "learning_check": Rule(
        "Open or close the learning check of the review", frozenset({OWNER, FACILITATOR})
    ),
    "run_review": Rule(
        "Schedule, reschedule, cancel and hold the review meeting; take notes, record decisions",
        WRITERS,
    ),
}


def may_on_postmortem(action: str, role: str, roles: frozenset[str]) -> bool:
    """Whether a person with organisation ``role`` and postmortem ``roles`` may do ``action``.

    Reading is decided by ``may_read_postmortem``; this assumes the person reads it.

    >>> may_on_postmortem("change_owner", RESPONDER, frozenset({COLLABORATOR}))
    False
    """
    rule = POSTMORTEM_RULES[action]
    if role == VIEWER or (rule.never_owner and OWNER in roles):
        return False
    if role == ADMIN and rule.admins:
        return True
    return bool(rule.roles & roles)


def may_read_postmortem(
    role: str, roles: frozenset[str], restricted_in_team: Iterable[bool]
) -> bool:
    """Admins and the people named on it read a postmortem; everybody else only when they
    are in a team of *every* restricted incident it covers (``restricted_in_team`` holds
    one answer per restricted incident: an internal incident opens nothing).

    >>> may_read_postmortem(RESPONDER, frozenset(), [True, False])
    False
    """
    return role == ADMIN or bool(roles) or all(restricted_in_team)


def may_read_incident(role: str, *, restricted: bool, in_team: bool, named: bool) -> bool:
    """Internal incidents are open to all; a restricted one to admins, the members of its
    teams and the people named on a postmortem that covers it."""
    return role == ADMIN or not restricted or in_team or named


def may_edit_incident(
    role: str, *, in_team: bool, has_teams: bool, writes_postmortem: bool
) -> bool:
    """Admins; responders in one of its teams (any responder while it has no team); and
    the owner, facilitator and collaborators of a postmortem that covers it."""
    if role == VIEWER:
        return False
    return role == ADMIN or in_team or not has_teams or writes_postmortem


def may_change_incident_access(role: str, *, maintains_a_team: bool) -> bool:
    """An incident's visibility and teams: admins and the maintainers of its teams only,
    never through a postmortem (its editors, a revision restore or a load)."""
    return role == ADMIN or (role == RESPONDER and maintains_a_team)


def may_declare_incident(role: str) -> bool:
    """Admins and responders declare incidents (and start postmortems on those they edit)."""
    return role in (ADMIN, RESPONDER)


def may_capture_from_chat(*, may_edit: bool, own_account: bool, restricted: bool) -> bool:
    """A chat note or pinned message lands on an incident (and a channel is linked to it) when
    the account acting may edit the incident: the chat user's own account, or the workspace's
    integration account for a chat user who matches none. A restricted incident takes them only
    from a chat user's own account: the integration account never opens one to a stranger.

    >>> may_capture_from_chat(may_edit=True, own_account=False, restricted=True)
    False
    """
    return may_edit and (own_account or not restricted)


def may_resolve_comment(role: str, *, author: bool, owner: bool) -> bool:
    """A comment's author, the postmortem's owner and admins resolve or reopen it."""
    return role != VIEWER and (role == ADMIN or author or owner)


def may_read_styleguide(role: str) -> bool:
    """The design system's page (``/styleguide/``) is for admins, who build and check pages."""
    return role == ADMIN


def may_alert_integration_write(*, verified: bool) -> bool:
    """An alerting tool (PagerDuty, Opsgenie, Alertmanager) declares incidents and adds
    timeline events and milestones to the incidents of its alerts, and nothing else, only
    when its delivery is signed or carries the configured token (docs/webhooks.md)."""
    return verified


def may_manage_webhooks(role: str) -> bool:
    """Outgoing webhook endpoints, their delivery log and test sends: admins only (a
    webhook carries incident and postmortem details out of the organisation)."""
    return role == ADMIN


# Endpoints anyone may call without signing in: a load balancer or a container runtime asks
# them whether to send traffic here, and they say nothing about what the installation holds
# (docs/deployment.md).
OPEN_PROBES: dict[str, str] = {
    "healthz": "Whether the web process answers",
    "readyz": "Whether the database, its schema and the worker are ready",
}


def may_probe(endpoint: str) -> bool:
    """Anyone, signed in or not, may call a probe; nothing else is open this way.

    >>> may_probe("readyz"), may_probe("metrics")
    (True, False)
    """
    return endpoint in OPEN_PROBES


def may_manage_service_accounts(role: str) -> bool:
    """Service accounts (non-person API users) and their tokens: admins only."""
    return role == ADMIN


def may_report_near_miss(role: str, *, signed_in: bool) -> bool:
    """Anyone signed in reports a near miss or hazard, viewers included, named or
    anonymously: the more people report what almost went wrong, the more is learnt."""
    return signed_in and role in ORGANISATION_ROLES


def may_triage_near_misses(role: str) -> bool:
    """Admins and responders read every near-miss report, triage it (status and note) and
    turn it into an incident."""
    return role in (ADMIN, RESPONDER)


def may_read_near_miss(role: str, *, reported_it: bool) -> bool:
    """A near-miss report is read by those who triage and by the person who reported it
    under their name (an anonymous report has no reporter, so nobody reads it as its own).

    >>> may_read_near_miss(VIEWER, reported_it=True)
    True
    """
    return may_triage_near_misses(role) or reported_it


def may_answer_learning_check(*, signed_in: bool, respondent: bool) -> bool:
    """The people at a review (``learningcheck.services.respondents``) answer its learning
    check, once each, whatever their organisation role.

    >>> may_answer_learning_check(signed_in=True, respondent=False)
    False
    """
    return signed_in and respondent


def may_read_learning_check(*, reads_postmortem: bool) -> bool:
    """A review's learning-check results (from 3 answers, never per person) are read by
    whoever reads the postmortem; team and quarter figures are on the insights pages, open
    to everyone signed in."""
    return reads_postmortem


# First-person accounts and interview notes (docs/first-person-accounts.md). An account is its
# author's own words: being an admin opens none of them; the postmortem's owner and facilitator
# read every one, everybody else who reads the postmortem only those its author shared.
ACCOUNT_READERS = frozenset({OWNER, FACILITATOR})


def may_read_account(
    roles: frozenset[str],
    *,
    reads_postmortem: bool,
    author: bool,
    shared: bool,
    interviewee: bool = False,
    interviewee_agrees: bool = True,
) -> bool:
    """An account (or interview notes) is read by its author, the postmortem's owner and
    facilitator, and the person interviewed; others who read the postmortem read it once it is
    shared (interview notes: shared by their author *and* agreed to by the interviewee).
    The organisation role plays no part: an admin reads an unshared account only as the
    postmortem's owner or facilitator.

    >>> may_read_account(frozenset(), reads_postmortem=True, author=False, shared=False)
    False
    >>> may_read_account(frozenset({FACILITATOR}), reads_postmortem=True, author=False,
    ...                  shared=False)
    True
    """
    if not reads_postmortem:
        return False
    if author or interviewee or roles & ACCOUNT_READERS:
        return True
    return shared and interviewee_agrees


def may_write_account(*, reads_postmortem: bool, invited: bool, named: bool) -> bool:
    """A person writes their own account of a postmortem they read when they were invited to
    or are named on it, viewers included: an account is testimony, not a change to the
    postmortem."""
    return reads_postmortem and (invited or named)


def may_invite_to_accounts(role: str, roles: frozenset[str]) -> bool:
    """Inviting people to write their accounts (and sending the invitation again) is choosing
    who takes part: the owner, the facilitator and admins, as for ``change_people``."""
    return may_on_postmortem("change_people", role, roles)


def may_write_interview_notes(role: str, roles: frozenset[str]) -> bool:
    """Interview notes are written by the postmortem's facilitator or owner (never a viewer);
    an admin only in one of those roles."""
    return role != VIEWER and bool(roles & ACCOUNT_READERS)


def may_change_account(*, author: bool) -> bool:
    """Only its author edits an account or interview notes, shares them and withdraws them:
    not the owner, not an admin (every change is kept as a revision)."""
    return author


def may_agree_to_interview_notes(*, interviewee: bool) -> bool:
    """Only the person interviewed agrees (or stops agreeing) to share notes about them."""
    return interviewee


def may_run_game_days(role: str) -> bool:
    """Admins and responders plan game days, change their plan and status, and mark action
    items verified by one (observations, findings and action items are written on the game
    day's review like on any postmortem: by its owner, facilitator and collaborators)."""
    return role in (ADMIN, RESPONDER)


def may_read_game_day(*, reads_review: bool) -> bool:
    """A game day is read by whoever reads its review (a postmortem of an internal exercise
    incident: everybody signed in, like incidents)."""
    return reads_review


def may_verify_action_item(role: str, *, reads_item: bool, reads_game_day: bool) -> bool:
    """Marking an action item verified by a game day: those who run game days, when they read
    both the item's postmortem and the game day.

    >>> may_verify_action_item(VIEWER, reads_item=True, reads_game_day=True)
    False
    """
    return may_run_game_days(role) and reads_item and reads_game_day
