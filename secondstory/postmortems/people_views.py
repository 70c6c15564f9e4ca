"""Who works on a postmortem: its one owner, the facilitator, collaborators and reviewers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core import permissions as table
from secondstory.lib.concurrency import EditConflict, check_base, fingerprint
from secondstory.postmortems.access import postmortem_for_reader, require, signed_in_user
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision


class PeopleForm(forms.Form):
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        empty_label=None,
        help_text="Exactly one person owns the postmortem and sees it through.",
    )
    facilitator = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label="— nobody yet —",
        help_text="Leads the review meeting; ideally not one of the responders.",
    )
    collaborators = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="May edit, like the owner.",
    )
    reviewers = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Comment, then approve or request changes.",
    )


def _people(postmortem: Postmortem) -> dict[str, object]:
    return {
        "owner": postmortem.owner_id,
        "facilitator": postmortem.facilitator_id,
        "collaborators": sorted(u.pk for u in postmortem.collaborators.all()),
        "reviewers": sorted(u.pk for u in postmortem.reviewers.all()),
    }


def people_problems(by: User, postmortem: Postmortem, data: dict[str, Any]) -> dict[str, str]:
    """What ``by`` may not change, field by field (see docs/permissions.md)."""
    now = _people(postmortem)
    wanted = {
        "owner": data["owner"].pk,
        "facilitator": data["facilitator"].pk if data["facilitator"] else None,
        "collaborators": sorted(u.pk for u in data["collaborators"]),
        "reviewers": sorted(u.pk for u in data["reviewers"]),
    }
    problems: dict[str, str] = {}
    if wanted["owner"] != now["owner"] and not permissions.may(by, "change_owner", postmortem):
        problems["owner"] = "only the owner and admins hand a postmortem to another owner"
    for name in ("facilitator", "collaborators", "reviewers"):
        if wanted[name] != now[name] and not permissions.may(by, "change_people", postmortem):
            problems[name] = f"only the owner, the facilitator and admins change the {name}"
    if wanted["owner"] in wanted["reviewers"]:
        problems["reviewers"] = "the owner never reviews their own postmortem"
    if permissions.organisation_role(data["owner"]) == table.VIEWER:
        problems["owner"] = f"{data['owner']} is a viewer; an owner must be able to write"
    return problems


@transaction.atomic
def save_people(postmortem: Postmortem, data: dict[str, Any], *, base: str, by: User) -> None:
    """Apply the form's people; a change made since the form opened raises EditConflict, a
    change ``by`` may not make raises ValidationError naming the field."""
    locked = Postmortem.objects.select_for_update().get(pk=postmortem.pk)
    check_base(base, _people(locked), what="who works on this postmortem", yours=data)
    problems = people_problems(by, locked, data)
    if problems:
        raise ValidationError(problems)
    locked.owner = data["owner"]  # type: ignore[assignment]
    locked.facilitator = data["facilitator"]  # type: ignore[assignment]
    locked.save(update_fields=["owner", "facilitator", "updated_at"])
    locked.collaborators.set(data["collaborators"])  # type: ignore[arg-type]
    locked.reviewers.set(data["reviewers"])  # type: ignore[arg-type]
    record_revision(locked, author=by, summary="Changed who works on it")


def people_edit(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    user = signed_in_user(request)
    require(
        permissions.may(user, "change_people", postmortem)
        or permissions.may(user, "change_owner", postmortem)
    )
    current = _people(postmortem)
    conflict = None
    if request.method == "POST":
        form = PeopleForm(request.POST)
        if form.is_valid():
            try:
                save_people(
                    postmortem,
                    form.cleaned_data,
                    base=form.cleaned_data["base"],
                    by=signed_in_user(request),
                )
            except EditConflict as error:
                conflict = error
                form = PeopleForm(request.POST | {"base": error.base})
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        form.add_error(field, message[:1].upper() + message[1:] + ".")
            else:
                return redirect(reverse("postmortems:detail", args=[key]) + "#about")
    else:
        form = PeopleForm(
            initial={
                **current,
                "base": fingerprint(current),
            }
        )
    status = 409 if conflict else (400 if form.errors else 200)
    return render(
        request,
        "postmortems/people_form.html",
        {"postmortem": postmortem, "form": form, "conflict": conflict},
        status=status,
    )
