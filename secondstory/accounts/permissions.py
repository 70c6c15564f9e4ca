"""The one place that decides who may see or change what.

Every view, fragment, feed, export and command asks this module: "may this person
do this to this postmortem / incident?" (``may``, ``may_read``, ``may_edit_incident``
…) and "which rows may this person see?" (``visible_postmortems``,
``visible_incidents``). The rules themselves are the table in
``secondstory.core.permissions`` (printed in docs/permissions.md); this module only
gathers the facts the table needs from the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.core import permissions as table
from secondstory.gamedays.models import GameDay
from secondstory.incidents.models import Incident
from secondstory.nearmiss.models import NearMiss
from secondstory.perspectives.models import Account, Invitation
from secondstory.postmortems.models import Comment, Postmortem


def organisation_role(user: Any) -> str:
    """The person's organisation role; a superuser counts as an admin. Anonymous: viewer."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return table.VIEWER
    if user.is_superuser:
        return table.ADMIN
    return str(user.role)


def is_admin(user: Any) -> bool:
    return organisation_role(user) == table.ADMIN


def may_probe(endpoint: str) -> bool:
    """Whether anyone may call ``endpoint`` (``healthz``, ``readyz``) without signing in."""
    return table.may_probe(endpoint)


def postmortem_roles(user: Any, postmortem: Postmortem) -> frozenset[str]:
    """The person's roles on the postmortem (prefetched collaborators and reviewers are used)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return frozenset()
    roles = set()
    if postmortem.owner_id == user.pk:
        roles.add(table.OWNER)
    if postmortem.facilitator_id == user.pk:
        roles.add(table.FACILITATOR)
    if any(p.pk == user.pk for p in postmortem.collaborators.all()):
        roles.add(table.COLLABORATOR)
    if any(p.pk == user.pk for p in postmortem.reviewers.all()):
        roles.add(table.REVIEWER)
    return frozenset(roles)


# --- Postmortems ---------------------------------------------------------------------------

#: The "who may read this" condition per (person, organisation role), kept by this process.
_VISIBLE: OrderedDict[tuple[object, ...], QuerySet[Postmortem]] = OrderedDict()
_VISIBLE_KEPT = 4096
_VISIBLE_LOCK = threading.Lock()


def visible_postmortems(user: User) -> QuerySet[Postmortem]:
    """The postmortems ``user`` may read (``core.permissions.may_read_postmortem``).

    Building the condition is a noticeable part of a page's CPU time (about 2 ms) and it
    depends only on who the person is and their organisation role, so each process builds
    it once per person and role and every call gets a fresh copy. The condition names the
    person by id only; it runs in the database whenever it is used, so a change of
    membership, collaborators or an incident's visibility shows at once, and a change of
    role (or of staff rights) builds it again.
    """
    rights = (user.pk, user.is_authenticated, organisation_role(user))
    with _VISIBLE_LOCK:
        condition = _VISIBLE.get(rights)
        if condition is not None:
            _VISIBLE.move_to_end(rights)
    if condition is None:
        condition = _visible_postmortems(user)
        with _VISIBLE_LOCK:
            _VISIBLE[rights] = condition
            while len(_VISIBLE) > _VISIBLE_KEPT:
                _VISIBLE.popitem(last=False)
    return condition.all()


def _named_on_postmortem(user: User) -> Q:
    through = (Postmortem.collaborators.through, Postmortem.reviewers.through)
    named = Q(owner_id=user.pk) | Q(facilitator_id=user.pk)
    for model in through:
        named |= Exists(model.objects.filter(postmortem_id=OuterRef("pk"), user_id=user.pk))
    return named


def _in_incident_team(user: User) -> Exists:
    return Exists(Team.objects.filter(incidents=OuterRef("pk"), members=user.pk))


def _visible_postmortems(user: User) -> QuerySet[Postmortem]:
    everything = Postmortem.objects.all()
    if organisation_role(user) == table.ADMIN:
        return everything
    if not user.is_authenticated:
        return everything.none()
    closed = Exists(
        Incident.objects.filter(postmortems=OuterRef("pk"), visibility="restricted").filter(
            ~_in_incident_team(user)
        )
    )
    return everything.filter(_named_on_postmortem(user) | ~closed)


def open_to_everyone() -> QuerySet[Postmortem]:
    """The postmortems every signed-in person reads: none of their incidents is restricted
    (what a static site for the whole organisation may show)."""
    restricted = Incident.objects.filter(postmortems=OuterRef("pk"), visibility="restricted")
    return Postmortem.objects.exclude(Exists(restricted))


def may_read(user: Any, postmortem: Postmortem) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return visible_postmortems(user).filter(pk=postmortem.pk).exists()


def may(user: Any, action: str, postmortem: Postmortem) -> bool:
    """Whether ``user`` may do ``action`` (a key of ``core.permissions.POSTMORTEM_RULES``) to
    a postmortem they can read."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    role = organisation_role(user)
    return table.may_on_postmortem(action, role, postmortem_roles(user, postmortem))


def may_resolve_comment(user: Any, comment: Comment) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return table.may_resolve_comment(
        organisation_role(user),
        author=comment.author_id == user.pk,
        owner=comment.postmortem.owner_id == user.pk,
    )


def may_see_dismissals(user: Any, postmortem: Postmortem) -> bool:
    """Dismissed blameless findings are shown to the people who write or review it."""
    return may(user, "comment", postmortem)


# --- Incidents -----------------------------------------------------------------------------


def _named_on_covering_postmortem(user: User, roles: frozenset[str] | None = None) -> Exists:
    wanted = roles if roles is not None else frozenset(table.POSTMORTEM_ROLES)
    named = Q()
    if table.OWNER in wanted:
        named |= Q(owner=user)
    if table.FACILITATOR in wanted:
        named |= Q(facilitator=user)
    if table.COLLABORATOR in wanted:
        named |= Q(collaborators=user)
    if table.REVIEWER in wanted:
        named |= Q(reviewers=user)
    return Exists(Postmortem.objects.filter(incidents=OuterRef("pk")).filter(named))


def visible_incidents(user: User) -> QuerySet[Incident]:
    """The incidents ``user`` may read (``core.permissions.may_read_incident``)."""
    everything = Incident.objects.all()
    if organisation_role(user) == table.ADMIN:
        return everything
    if not user.is_authenticated:
        return everything.none()
    named = _named_on_covering_postmortem(user)
    return everything.filter(~Q(visibility="restricted") | _in_incident_team(user) | named)


def may_read_incident(user: Any, incident: Incident) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return visible_incidents(user).filter(pk=incident.pk).exists()


def may_edit_incident(user: Any, incident: Incident) -> bool:
    """Admins, responders of its teams (anyone's while it has none) and the writers of its
    postmortems; only for people who can read it."""
    if not may_read_incident(user, incident):
        return False
    facts = Incident.objects.filter(pk=incident.pk).annotate(
        in_team=_in_incident_team(user),
        has_teams=Exists(Team.objects.filter(incidents=OuterRef("pk"))),
        writes=_named_on_covering_postmortem(user, table.WRITERS),
    )
    row = facts.values("in_team", "has_teams", "writes").get()
    return table.may_edit_incident(
        organisation_role(user),
        in_team=row["in_team"],
        has_teams=row["has_teams"],
        writes_postmortem=row["writes"],
    )


def may_change_incident_access(user: Any, incident: Incident | None) -> bool:
    """Whether ``user`` may change the visibility and teams of ``incident`` (None: one being
    declared, whose declarer chooses them)."""
    role = organisation_role(user)
    if incident is None:
        return table.may_declare_incident(role)
    maintains = Team.objects.filter(incidents=incident, maintainers=user).exists()
    return table.may_change_incident_access(role, maintains_a_team=maintains)


def may_manage_service_accounts(user: Any) -> bool:
    return table.may_manage_service_accounts(organisation_role(user))


def may_declare_incident(user: Any) -> bool:
    return table.may_declare_incident(organisation_role(user))


def may_capture_from_chat(user: Any, incident: Incident, *, own_account: bool) -> bool:
    """Whether a chat note or pin may land on ``incident`` with ``user`` acting: the chat user's
    own account (``own_account``) or the chat workspace's integration account."""
    return table.may_capture_from_chat(
        may_edit=may_edit_incident(user, incident),
        own_account=own_account,
        restricted=incident.visibility == "restricted",
    )


def may_start_postmortem(user: Any, incident: Incident) -> bool:
    """A postmortem on an incident makes its writers the incident's editors, so only the
    people who already edit the incident start one."""
    return may_declare_incident(user) and may_edit_incident(user, incident)


def may_read_styleguide(user: Any) -> bool:
    return table.may_read_styleguide(organisation_role(user))


# --- Webhooks ------------------------------------------------------------------------------


def may_alert_integration_write(*, verified: bool) -> bool:
    """Whether an inbound alert delivery may open and update incidents."""
    return table.may_alert_integration_write(verified=verified)


def may_manage_webhooks(user: Any) -> bool:
    return table.may_manage_webhooks(organisation_role(user))


# --- Near misses ---------------------------------------------------------------------------


def may_report_near_miss(user: Any) -> bool:
    signed_in = isinstance(user, User) and user.is_authenticated and user.is_active
    return table.may_report_near_miss(organisation_role(user), signed_in=signed_in)


def may_triage_near_misses(user: Any) -> bool:
    return table.may_triage_near_misses(organisation_role(user))


def may_read_near_miss(user: Any, report: NearMiss) -> bool:
    reported_it = report.reporter_id is not None and report.reporter_id == getattr(user, "pk", None)
    return table.may_read_near_miss(organisation_role(user), reported_it=reported_it)


def visible_near_misses(user: Any) -> QuerySet[NearMiss]:
    """Every report for those who triage; a person's own named reports for everybody else."""
    if may_triage_near_misses(user):
        return NearMiss.objects.all()
    if not isinstance(user, User) or not user.is_authenticated:
        return NearMiss.objects.none()
    return NearMiss.objects.filter(reporter=user)


# --- Learning check ------------------------------------------------------------------------


def may_answer_learning_check(user: Any, postmortem: Postmortem) -> bool:
    """Whether ``user`` is one of the people who answer the postmortem's learning check."""
    from secondstory.learningcheck.services import respondents

    signed_in = isinstance(user, User) and user.is_authenticated and user.is_active
    respondent = signed_in and user.pk in respondents(postmortem)
    return table.may_answer_learning_check(signed_in=signed_in, respondent=respondent)


def may_read_learning_check(user: Any, postmortem: Postmortem) -> bool:
    return table.may_read_learning_check(reads_postmortem=may_read(user, postmortem))


# --- First-person accounts and interview notes ---------------------------------------------


def _person(user: Any) -> User | None:
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


def may_read_account(user: Any, account: Account) -> bool:
    """Whether ``user`` reads ``account`` (``core.permissions.may_read_account``)."""
    person = _person(user)
    if person is None:
        return False
    postmortem = account.postmortem
    return table.may_read_account(
        postmortem_roles(person, postmortem),
        reads_postmortem=may_read(person, postmortem),
        author=account.author_id == person.pk,
        shared=account.shared,
        interviewee=account.interviewee_id is not None and account.interviewee_id == person.pk,
        interviewee_agrees=not account.is_interview or account.interviewee_agrees,
    )


def visible_accounts(user: Any, postmortem: Postmortem) -> QuerySet[Account]:
    """The accounts and interview notes of ``postmortem`` that ``user`` reads (one query)."""
    person = _person(user)
    accounts = Account.objects.filter(postmortem=postmortem)
    if person is None or not may_read(person, postmortem):
        return accounts.none()
    if postmortem_roles(person, postmortem) & table.ACCOUNT_READERS:
        return accounts
    everyone = Q(shared=True) & (Q(kind="account") | Q(interviewee_agrees=True))
    return accounts.filter(everyone | Q(author=person) | Q(interviewee=person))


def may_change_account(user: Any, account: Account) -> bool:
    """Edit, share or withdraw: the author alone (who must still read the postmortem)."""
    person = _person(user)
    if person is None or not may_read(person, account.postmortem):
        return False
    return table.may_change_account(author=account.author_id == person.pk)


def may_agree_to_interview_notes(user: Any, account: Account) -> bool:
    person = _person(user)
    if person is None or not account.is_interview or not may_read(person, account.postmortem):
        return False
    return table.may_agree_to_interview_notes(interviewee=account.interviewee_id == person.pk)


def may_write_account(user: Any, postmortem: Postmortem) -> bool:
    """Whether ``user`` may write their own account of ``postmortem``."""
    person = _person(user)
    if person is None:
        return False
    invited = Invitation.objects.filter(postmortem=postmortem, person=person).exists()
    return table.may_write_account(
        reads_postmortem=may_read(person, postmortem),
        invited=invited,
        named=bool(postmortem_roles(person, postmortem)),
    )


def may_invite_to_accounts(user: Any, postmortem: Postmortem) -> bool:
    person = _person(user)
    if person is None or not may_read(person, postmortem):
        return False
    roles = postmortem_roles(person, postmortem)
    return table.may_invite_to_accounts(organisation_role(person), roles)


def may_write_interview_notes(user: Any, postmortem: Postmortem) -> bool:
    person = _person(user)
    if person is None or not may_read(person, postmortem):
        return False
    roles = postmortem_roles(person, postmortem)
    return table.may_write_interview_notes(organisation_role(person), roles)


# --- Review meetings -----------------------------------------------------------------------


def may_run_review(user: Any, postmortem: Postmortem) -> bool:
    """Schedule, reschedule, cancel and hold a postmortem's review, take its notes and
    record its decisions: the people who may edit the postmortem (``run_review``)."""
    return may_read(user, postmortem) and may(user, "run_review", postmortem)


# --- Game days -----------------------------------------------------------------------------


def may_run_game_days(user: Any) -> bool:
    return table.may_run_game_days(organisation_role(user))


def visible_game_days(user: Any) -> QuerySet[GameDay]:
    """The game days whose review this person reads."""
    if not isinstance(user, User) or not user.is_authenticated:
        return GameDay.objects.none()
    return GameDay.objects.filter(postmortem__in=visible_postmortems(user).values("pk"))


def may_read_game_day(user: Any, game_day: GameDay) -> bool:
    return table.may_read_game_day(reads_review=may_read(user, game_day.postmortem))


def may_verify_action_item(user: Any, item: ActionItem, game_day: GameDay) -> bool:
    return table.may_verify_action_item(
        organisation_role(user),
        reads_item=may_read(user, item.postmortem),
        reads_game_day=may_read_game_day(user, game_day),
    )
