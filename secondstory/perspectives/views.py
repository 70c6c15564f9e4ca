"""Accounts in the browser: side by side, one's own account, interview notes, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core import perspectives
from secondstory.core.review import Finding
from secondstory.perspectives import services
from secondstory.perspectives.forms import AccountForm, InterviewForm, InviteForm
from secondstory.perspectives.models import Account, Invitation, Kind
from secondstory.postmortems.access import is_htmx, postmortem_for_reader, signed_in_user
from secondstory.postmortems.blameless import organisation_config, people_names
from secondstory.postmortems.models import Postmortem


@dataclass(frozen=True, slots=True)
class Coaching:
    """A finding on one answer, cut for the page (the shape the review templates show)."""

    label: str
    finding: Finding
    before: str
    inside: str
    after: str

    @property
    def severity(self) -> str:
        return self.finding.severity


def _coaching(postmortem: Postmortem, answers: dict[str, str], kind: str) -> list[Coaching]:
    found = perspectives.coach(
        answers, names=people_names(postmortem), config=organisation_config()
    )
    shown = []
    for key, findings in found.items():
        text = answers.get(key) or ""
        for f in findings:
            start = text.rfind("\n", 0, f.start) + 1
            end = text.find("\n", f.end)
            line = text[start : end if end >= 0 else len(text)]
            a, b = f.start - start, f.end - start
            shown.append(Coaching(perspectives.label(key, kind), f, line[:a], line[a:b], line[b:]))
    return shown


def _account_for(user: User, postmortem: Postmortem, pk: int) -> Account:
    """The account if ``user`` may read it; 404 otherwise (as for one that does not exist)."""
    account = (
        Account.objects.select_related("author", "interviewee", "postmortem")
        .filter(pk=pk, postmortem=postmortem)
        .first()
    )
    if account is None or not permissions.may_read_account(user, account):
        raise Http404("No such account.")
    return account


def _columns(accounts: QuerySet[Account], kind: str) -> dict[str, Any]:
    chosen = [a for a in accounts if a.kind == kind]
    rows = [
        (perspectives.label(p.key, kind), p.key, [(a, getattr(a, p.key)) for a in chosen])
        for p in perspectives.PROMPTS
    ]
    return {"accounts": chosen, "rows": rows}


def account_list(request: HttpRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    visible = permissions.visible_accounts(user, postmortem).select_related("author", "interviewee")
    summary = services.summary(postmortem)
    may_invite = permissions.may_invite_to_accounts(user, postmortem)
    mine = next((a for a in visible if a.kind == Kind.ACCOUNT and a.author_id == user.pk), None)
    context: dict[str, Any] = {
        "postmortem": postmortem,
        "own": _columns(visible, Kind.ACCOUNT),
        "interviews": _columns(visible, Kind.INTERVIEW),
        "hidden": summary.written + summary.interviews - len(visible),
        "summary": summary,
        "mine": mine,
        "may_write": permissions.may_write_account(user, postmortem),
        "may_interview": permissions.may_write_interview_notes(user, postmortem),
        "may_invite": may_invite,
        "invitations": Invitation.objects.filter(postmortem=postmortem).select_related("person")
        if may_invite
        else [],
        "invite_form": _invite_form(request, postmortem) if may_invite else None,
    }
    return render(request, "perspectives/list.html", context)


def _invite_form(request: HttpRequest, postmortem: Postmortem, data: Any = None) -> InviteForm:
    suggested = services.participants(postmortem)
    invited = list(User.objects.filter(account_invitations__postmortem=postmortem))
    initial = {"people": [p.pk for p in suggested if p not in invited]}
    return InviteForm(data, suggested=[*suggested, *invited], initial=initial)


@require_POST
def account_invite(request: HttpRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    if not permissions.may_invite_to_accounts(user, postmortem):
        raise PermissionDenied("The owner and the facilitator invite people to write accounts.")
    form = _invite_form(request, postmortem, request.POST)
    if form.is_valid():
        try:
            services.invite(postmortem, form.chosen(), by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("perspectives:list", key=postmortem.key)
    context = {"postmortem": postmortem, "invite_form": form}
    return render(request, "perspectives/invite_error.html", context, status=400)


def _edit_page(
    request: HttpRequest, postmortem: Postmortem, form: AccountForm, **extra: Any
) -> HttpResponse:
    kind = perspectives.INTERVIEW if isinstance(form, InterviewForm) else perspectives.ACCOUNT
    answers = form.data if form.is_bound else form.initial
    coaching = _coaching(
        postmortem, {k: str(answers.get(k) or "") for k in perspectives.PROMPT_KEYS}, kind
    )
    context = {"postmortem": postmortem, "form": form, "coaching": coaching, "kind": kind}
    status = 400 if form.is_bound else 200
    return render(request, "perspectives/edit.html", {**context, **extra}, status=status)


def account_mine(request: HttpRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    if not permissions.may_write_account(user, postmortem):
        raise PermissionDenied(
            "Accounts are written by the people invited to and named on this postmortem."
        )
    account = Account.objects.filter(postmortem=postmortem, author=user, kind=Kind.ACCOUNT).first()
    initial = account.answers() if account else {}
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_account(postmortem, form.answers(), by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("perspectives:list", key=postmortem.key)
    return _edit_page(request, postmortem, form, account=account)


@require_POST
def account_coach(request: HttpRequest, key: str) -> HttpResponse:
    """The live coaching of the answers being typed (an htmx fragment)."""
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    interview = request.POST.get("kind") == perspectives.INTERVIEW
    allowed = (
        permissions.may_write_interview_notes(user, postmortem)
        if interview
        else permissions.may_write_account(user, postmortem)
    )
    if not allowed:
        raise PermissionDenied("Only the author of an account is coached on it.")
    kind = perspectives.INTERVIEW if interview else perspectives.ACCOUNT
    answers = {
        k: request.POST.get(k, "")[: perspectives.MAX_ANSWER] for k in perspectives.PROMPT_KEYS
    }
    context = {"coaching": _coaching(postmortem, answers, kind)}
    template = "perspectives/_coaching.html" if is_htmx(request) else "perspectives/coaching.html"
    return render(request, template, {**context, "postmortem": postmortem})


def _interviewees(postmortem: Postmortem) -> list[User]:
    invited = User.objects.filter(account_invitations__postmortem=postmortem)
    people = {p.pk: p for p in (*services.participants(postmortem), *invited)}
    return [p for p in people.values() if permissions.may_read(p, postmortem)]


def interview_new(request: HttpRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    if not permissions.may_write_interview_notes(user, postmortem):
        raise PermissionDenied("Interview notes are written by the facilitator or the owner.")
    form = InterviewForm(request.POST or None, people=_interviewees(postmortem))
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["interviewee"]
        try:
            services.save_interview(postmortem, person, form.answers(), by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("perspectives:list", key=postmortem.key)
    return _edit_page(request, postmortem, form)


def interview_edit(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    notes = _account_for(user, postmortem, pk)
    if not notes.is_interview or not permissions.may_change_account(user, notes):
        raise PermissionDenied("Only their author changes interview notes.")
    assert notes.interviewee is not None
    initial = {**notes.answers(), "interviewee": notes.interviewee.pk}
    form = InterviewForm(request.POST or None, initial=initial, people=[notes.interviewee])
    if request.method == "POST" and form.is_valid():
        try:
            services.save_interview(postmortem, notes.interviewee, form.answers(), by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("perspectives:list", key=postmortem.key)
    return _edit_page(request, postmortem, form, account=notes)


@require_POST
def account_share(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    account = _account_for(user, postmortem, pk)
    if not permissions.may_change_account(user, account):
        raise PermissionDenied("Only its author shares an account or withdraws it.")
    services.set_shared(account, request.POST.get("shared") == "1")
    return redirect("perspectives:list", key=postmortem.key)


@require_POST
def interview_agree(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    notes = _account_for(user, postmortem, pk)
    if not permissions.may_agree_to_interview_notes(user, notes):
        raise PermissionDenied("Only the person interviewed agrees to share these notes.")
    services.set_agreement(notes, request.POST.get("agrees") == "1")
    return redirect("perspectives:list", key=postmortem.key)


def account_history(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    postmortem = postmortem_for_reader(request, key)
    account = _account_for(user, postmortem, pk)
    revisions = list(account.revisions.select_related("edited_by"))  # newest first
    shown = []
    for n, revision in enumerate(revisions):
        earlier = revisions[n + 1].answers if n + 1 < len(revisions) else {}
        changed = perspectives.changed_prompts(earlier, revision.answers)
        answers = [
            (perspectives.label(k, account.kind), revision.answers.get(k, ""), k in changed)
            for k in perspectives.PROMPT_KEYS
        ]
        shown.append((revision, answers))
    context = {"postmortem": postmortem, "account": account, "revisions": shown}
    return render(request, "perspectives/history.html", context)
