"""Writing, sharing and inviting accounts: the operations the views (and any future API or
command) call. Who may do them is asked of ``secondstory.accounts.permissions`` first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core import perspectives
from secondstory.lib import site
from secondstory.notify.channels import Message
from secondstory.notify.services import deliver_message
from secondstory.perspectives.models import Account, AccountRevision, Invitation, Kind
from secondstory.postmortems.blameless import timeline_actors
from secondstory.postmortems.models import Postmortem

# A timeline rarely has more actors than this; beyond it the rest are not matched to people.
MAX_ACTORS = 500


@dataclass(frozen=True, slots=True)
class Summary:
    """What the postmortem page says: how many accounts exist and how many are shared."""

    written: int
    shared: int
    interviews: int


def summary(postmortem: Postmortem) -> Summary:
    """Counts of own accounts written and shared, and of interview notes (one query)."""
    everyone = Q(shared=True) & (Q(kind=Kind.ACCOUNT) | Q(interviewee_agrees=True))
    counts = Account.objects.filter(postmortem=postmortem).aggregate(
        written=Count("pk", filter=Q(kind=Kind.ACCOUNT)),
        shared=Count("pk", filter=everyone),
        interviews=Count("pk", filter=Q(kind=Kind.INTERVIEW)),
    )
    return Summary(counts["written"], counts["shared"], counts["interviews"])


# --- Who takes part -----------------------------------------------------------------------


def named_people(postmortem: Postmortem) -> list[User]:
    """The owner, facilitator, collaborators and reviewers."""
    people = [u for u in (postmortem.owner, postmortem.facilitator) if u is not None]
    people.extend(postmortem.collaborators.all())
    people.extend(postmortem.reviewers.all())
    return people


def responders(postmortem: Postmortem) -> list[User]:
    """The people whose username, display name or e-mail address is an actor on the timeline
    of the postmortem's incidents (how responders are recorded)."""
    actors = [a.strip() for a in timeline_actors(postmortem)[:MAX_ACTORS] if a and a.strip()]
    if not actors:
        return []
    match = Q()
    for actor in actors:
        match |= Q(username__iexact=actor) | Q(display_name__iexact=actor)
        match |= Q(email__iexact=actor)
    return list(User.objects.filter(match, is_active=True, is_service_account=False))


def participants(postmortem: Postmortem) -> list[User]:
    """Everyone suggested for an account: the people named on it, then the responders."""
    seen: dict[int, User] = {}
    for person in (*named_people(postmortem), *responders(postmortem)):
        seen.setdefault(person.pk, person)
    return list(seen.values())


# --- Invitations --------------------------------------------------------------------------


def accounts_url(postmortem: Postmortem) -> str:
    return f"{site.base_url()}{reverse('perspectives:list', args=[postmortem.key])}"


def _restricted(postmortem: Postmortem) -> bool:
    return postmortem.incidents.filter(visibility="restricted").exists()


def _message(invitation: Invitation, by: User) -> Message:
    postmortem = invitation.postmortem
    url = accounts_url(postmortem)
    prompts = "; ".join(p.label.lower() for p in perspectives.PROMPTS)
    text = (
        f"{by.name} invites you to write your own account of {postmortem.key} "
        f"({postmortem.title}) before the review: {prompts}.\n"
        "Only you, the owner and the facilitator read it until you choose to share it with "
        f"everyone on the postmortem.\n{url}"
    )
    shared_text = (
        f"{invitation.person.name}: an invitation to write an account of {postmortem.key} "
        f"(restricted postmortem; details only for people who may read it).\n{url}"
    )
    return Message(
        kind="account_invitation",
        subject=f"Your account of {postmortem.key}: {postmortem.title}",
        text=text,
        recipient=invitation.person,
        restricted=_restricted(postmortem),
        shared_subject=f"Account invitation: {postmortem.key}",
        shared_text=shared_text,
    )


def invite(postmortem: Postmortem, people: Iterable[User], *, by: User) -> list[Invitation]:
    """Invite ``people`` to write their account (again, for those already invited) and notify
    them on every configured channel. Refused, with nothing written, when one of them cannot
    read the postmortem: an invitation never opens a restricted postmortem."""
    people = list({p.pk: p for p in people}.values())
    if not people:
        raise ValidationError({"people": "choose at least one person to invite"})
    closed = [p.name for p in people if not permissions.may_read(p, postmortem)]
    if closed:
        raise ValidationError(
            {
                "people": f"{', '.join(closed)} cannot read this postmortem; name them on it "
                "(people) or add them to a team of its restricted incidents first"
            }
        )
    now = timezone.now()
    invitations = []
    with transaction.atomic():
        for person in people:
            invitation, created = Invitation.objects.select_for_update().get_or_create(
                postmortem=postmortem,
                person=person,
                defaults={"invited_by": by, "last_sent_at": now},
            )
            if not created:
                invitation.times += 1
                invitation.invited_by, invitation.last_sent_at = by, now
                invitation.save(update_fields=["times", "invited_by", "last_sent_at"])
            invitations.append(invitation)
    for invitation in invitations:  # after the commit: a slow channel holds no lock
        key = f"account-invitation:{postmortem.pk}:{invitation.person_id}:{invitation.times}"
        deliver_message(_message(invitation, by), item=None, key=key)
    return invitations


# --- Writing ------------------------------------------------------------------------------


def _answers(values: Mapping[str, str]) -> dict[str, str]:
    try:
        answers = perspectives.answers_from(values)
    except perspectives.AccountError as error:
        raise ValidationError({error.field: error.message}) from None
    if perspectives.is_blank(answers):
        raise ValidationError("answer at least one of the prompts")
    return answers


def _keep(account: Account, answers: dict[str, str], by: User) -> Account:
    """Write the answers and a revision of them, unless nothing changed."""
    if account.pk and not perspectives.changed_prompts(account.answers(), answers):
        return account
    for key, text in answers.items():
        setattr(account, key, text)
    account.save()
    last = account.revisions.aggregate(n=Max("number"))["n"] or 0
    AccountRevision.objects.create(account=account, number=last + 1, answers=answers, edited_by=by)
    return account


@transaction.atomic
def save_account(postmortem: Postmortem, values: Mapping[str, str], *, by: User) -> Account:
    """Write ``by``'s own account of ``postmortem`` (the first one, or a new revision)."""
    answers = _answers(values)
    account = (
        Account.objects.select_for_update()
        .filter(postmortem=postmortem, author=by, kind=Kind.ACCOUNT)
        .first()
    ) or Account(postmortem=postmortem, author=by, kind=Kind.ACCOUNT)
    return _keep(account, answers, by)


@transaction.atomic
def save_interview(
    postmortem: Postmortem, interviewee: User, values: Mapping[str, str], *, by: User
) -> Account:
    """Write interview notes about ``interviewee`` (new, or a revision of ``by``'s notes)."""
    answers = _answers(values)
    if not permissions.may_read(interviewee, postmortem):
        raise ValidationError({"interviewee": f"{interviewee.name} cannot read this postmortem"})
    notes = (
        Account.objects.select_for_update()
        .filter(postmortem=postmortem, interviewee=interviewee, kind=Kind.INTERVIEW)
        .first()
    )
    if notes is None:
        notes = Account(
            postmortem=postmortem, author=by, interviewee=interviewee, kind=Kind.INTERVIEW
        )
    elif notes.author_id != by.pk:
        raise ValidationError(
            {"interviewee": f"{notes.author.name} already keeps notes of this interview"}
        )
    return _keep(notes, answers, by)


def set_shared(account: Account, shared: bool) -> Account:
    """Share an account with everyone who reads the postmortem, or withdraw it (audited)."""
    if account.shared != shared:
        account.shared = shared
        account.save(update_fields=["shared"])
    return account


def set_agreement(account: Account, agrees: bool) -> Account:
    """The interviewee agrees (or no longer agrees) to share notes about them (audited)."""
    if not account.is_interview:
        raise ValidationError("only interview notes need the agreement of the person interviewed")
    if account.interviewee_agrees != agrees:
        account.interviewee_agrees = agrees
        account.save(update_fields=["interviewee_agrees"])
    return account
