"""The lifecycle: submit for review, approve or request changes, publish, "not required".

Every step goes through services.transition, which records who, when and the note.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.postmortems import publish_gate
from secondstory.postmortems.access import (
    postmortem_for_reader,
    require,
    signed_in_user,
)
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.review_forms import NotRequiredForm, ReviewForm
from secondstory.postmortems.review_views import (
    detail_url,
)
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import (
    STATUS_LABELS,
    add_comment,
    can_review,
    submission_checklist,
    transition,
)


def _submits(user: User, postmortem: Postmortem) -> bool:
    """The owner, the facilitator and admins submit a draft for review."""
    return permissions.may(user, "submit", postmortem)


def _publishes(user: User, postmortem: Postmortem) -> bool:
    """The owner, the facilitator and admins publish, mark not required and reopen."""
    return permissions.may(user, "publish", postmortem)


def _move(request: HttpRequest, postmortem: Postmortem, target: str, note: str = "") -> None:
    """Transition and keep a revision, in one transaction; ValidationError if refused."""
    with transaction.atomic():
        transition(postmortem, target, by=signed_in_user(request), note=note)
        record_revision(
            postmortem, author=signed_in_user(request), summary=f"Moved to {STATUS_LABELS[target]}"
        )


def _errors(form: Form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message[:1].upper() + message[1:])


@require_http_methods(["GET", "POST"])
def lifecycle_submit(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    require(_submits(signed_in_user(request), postmortem))
    checklist = submission_checklist(postmortem)
    complete = all(item.done for item in checklist)
    problems: list[str] = []
    if postmortem.status != "draft":
        now = STATUS_LABELS[postmortem.status].lower()
        problems.append(f"Only a draft can be submitted; this one is {now}.")
    if request.method == "POST":
        if not complete:
            problems.append("Complete everything on the checklist before submitting.")
        if not problems:
            try:
                _move(request, postmortem, "in_review", request.POST.get("note", "").strip())
            except ValidationError as error:
                problems.extend(error.messages)
            else:
                messages.success(request, "Submitted for review.")
                return redirect(detail_url(postmortem, "about"))
    context = {
        "postmortem": postmortem,
        "checklist": checklist,
        "gate": publish_gate.review_gate(postmortem),
        "complete": complete,
        "problems": problems,
        "note": request.POST.get("note", ""),
    }
    return render(request, "postmortems/submit.html", context)


@require_http_methods(["GET", "POST"])
def lifecycle_review(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    require(can_review(signed_in_user(request), postmortem))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        comment = form.cleaned_data["comment"].strip()
        try:
            with transaction.atomic():
                _move(request, postmortem, "approved" if approve else "draft", comment)
                if comment:
                    add_comment(
                        postmortem,
                        author=signed_in_user(request),
                        body=comment,
                        requests_change=not approve,
                    )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(
                request, "Approved." if approve else "Sent back to draft with your comment."
            )
            return redirect(detail_url(postmortem, "history"))
    context = {
        "postmortem": postmortem,
        "form": form,
        "status_label": STATUS_LABELS[postmortem.status],
        "gate": publish_gate.review_gate(postmortem),
    }
    return render(request, "postmortems/lifecycle_review.html", context)


@require_http_methods(["GET", "POST"])
def lifecycle_publish(request: HttpRequest, key: str) -> HttpResponse:
    """Ask for confirmation (what the review says, who will be notified), then publish."""
    postmortem = postmortem_for_reader(request, key)
    require(_publishes(signed_in_user(request), postmortem))
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            _move(request, postmortem, "published")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"Not published: {message}.")
        else:
            messages.success(request, "Published.")
        return redirect(detail_url(postmortem, "about"))
    context = {
        "postmortem": postmortem,
        "gate": publish_gate.review_gate(postmortem),
        "notified": publish_gate.notified_on_publish(postmortem),
        "status_label": STATUS_LABELS[postmortem.status],
    }
    return render(request, "postmortems/lifecycle_publish.html", context)


@require_http_methods(["GET", "POST"])
def lifecycle_not_required(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    require(_publishes(signed_in_user(request), postmortem))
    form = NotRequiredForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _move(request, postmortem, "not_required", form.cleaned_data["reason"].strip())
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Marked not required.")
            return redirect(detail_url(postmortem, "about"))
    context = {"postmortem": postmortem, "form": form}
    return render(request, "postmortems/lifecycle_not_required.html", context)


@require_POST
def lifecycle_reopen(request: HttpRequest, key: str) -> HttpResponse:
    """Bring a postmortem marked not required back to draft."""
    postmortem = postmortem_for_reader(request, key)
    require(_publishes(signed_in_user(request), postmortem))
    if postmortem.status != "not_required":
        messages.error(request, "Only a postmortem marked not required can be reopened.")
        return redirect(detail_url(postmortem, "about"))
    try:
        _move(request, postmortem, "draft", request.POST.get("note", "").strip())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"Not reopened: {message}.")
    else:
        messages.success(request, "Reopened as a draft.")
    return redirect(detail_url(postmortem, "about"))
