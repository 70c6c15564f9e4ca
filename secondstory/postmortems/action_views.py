"""Action items: add and edit (inline with htmx or as full pages) and change their status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from secondstory.actions.models import ActionItem
from secondstory.actions.services import (
    create_action_item,
    default_due_date,
    set_status,
    status_fingerprint,
    update_action_item,
)
from secondstory.core import taxonomy
from secondstory.lib.concurrency import EditConflict, check_base, fingerprint
from secondstory.postmortems.access import (
    is_htmx,
    postmortem_for_reader,
    require,
    signed_in_user,
)
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.review_forms import ActionItemForm, ActionStatusForm
from secondstory.postmortems.review_views import (
    action_items_fragment,
    render_fragment,
)
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import can_edit


def _state(item: ActionItem) -> tuple[Any, ...]:
    """What an editor of the item started from (its fingerprint is the form's base)."""
    factors = sorted(item.factors.values_list("key", flat=True))
    return (
        item.title, item.type, item.priority, item.owner_id, item.due.isoformat(),
        item.done_criterion, item.tracker_url, factors,
    )  # fmt: skip


def _editable(request: HttpRequest, key: str) -> Postmortem:
    postmortem = postmortem_for_reader(request, key)
    require(can_edit(signed_in_user(request), postmortem))
    return postmortem


def _add_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors next to the fields they name."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _saved(request: HttpRequest, postmortem: Postmortem, item: ActionItem) -> HttpResponse:
    if is_htmx(request):
        return action_items_fragment(request, postmortem)
    return redirect(reverse("postmortems:detail", args=[postmortem.key]) + f"#action-{item.key}")


def _form_page(
    request: HttpRequest,
    postmortem: Postmortem,
    form: ActionItemForm,
    *,
    item: ActionItem | None = None,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    if item is None:
        action = reverse("postmortems:action_add", args=[postmortem.key])
    else:
        action = reverse("postmortems:action_edit", args=[postmortem.key, item.key])
    context = {
        "postmortem": postmortem,
        "form": form,
        "item": item,
        "action": action,
        "conflict": conflict,
        "form_id": f"action-form-{item.key if item else 'new'}",
        "due_defaults": [
            (priority, default_due_date(postmortem, priority))
            for priority in taxonomy.ACTION_PRIORITIES
        ]
        if item is None
        else [],
    }
    if is_htmx(request):
        target = context["form_id"] if request.method == "POST" else ""
        return render_fragment(
            request, "postmortems/action_form.html#action-form", context, target=str(target)
        )
    return render(request, "postmortems/action_form.html", context, status=409 if conflict else 200)


def _fields(postmortem: Postmortem, form: ActionItemForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"].strip(),
        "type": data["type"],
        "priority": data["priority"],
        "owner": data["owner"],
        "due": data["due"] or default_due_date(postmortem, data["priority"]),
        "done_criterion": data["done_criterion"],
        "tracker_url": data["tracker_url"],
        "factors": list(data["factors"]),
    }


@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = _editable(request, key)
    form = ActionItemForm(request.POST or None, postmortem=postmortem, new=True)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                item = create_action_item(postmortem, **_fields(postmortem, form))
                record_revision(
                    postmortem,
                    author=signed_in_user(request),
                    summary=f"Added action item {item.key}",
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _saved(request, postmortem, item)
    return _form_page(request, postmortem, form)


def _initial(item: ActionItem) -> dict[str, Any]:
    return {
        "base": fingerprint(*_state(item)),
        "title": item.title,
        "type": item.type,
        "priority": item.priority,
        "owner": item.owner,
        "due": item.due,
        "done_criterion": item.done_criterion,
        "tracker_url": item.tracker_url,
        "factors": list(item.factors.all()),
    }


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, key: str, item_key: str) -> HttpResponse:
    postmortem = _editable(request, key)
    item = get_object_or_404(postmortem.action_items.select_related("owner"), key=item_key)
    if request.method != "POST":
        form = ActionItemForm(initial=_initial(item), postmortem=postmortem)
        return _form_page(request, postmortem, form, item=item)
    form = ActionItemForm(request.POST, postmortem=postmortem, current_due=item.due)
    if form.is_valid():
        try:
            with transaction.atomic():
                item = get_object_or_404(
                    ActionItem.objects.select_for_update().select_related("owner"),
                    postmortem=postmortem,
                    key=item_key,
                )
                check_base(
                    form.cleaned_data["base"],
                    *_state(item),
                    what=f"Action item {item.key}",
                    yours=form.cleaned_data["title"],
                )
                update_action_item(item, **_fields(postmortem, form))
                record_revision(
                    postmortem,
                    author=signed_in_user(request),
                    summary=f"Changed action item {item.key}",
                )
        except EditConflict as conflict:
            data = request.POST.copy()
            data["base"] = conflict.base
            form = ActionItemForm(data, postmortem=postmortem, current_due=item.due)
            form.is_valid()
            return _form_page(request, postmortem, form, item=item, conflict=conflict)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _saved(request, postmortem, item)
    return _form_page(request, postmortem, form, item=item)


def _status_page(
    request: HttpRequest,
    postmortem: Postmortem,
    item: ActionItem,
    form: ActionStatusForm,
    *,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    context = {"postmortem": postmortem, "item": item, "form": form, "conflict": conflict}
    if is_htmx(request):
        # htmx swaps only successful answers, so a conflict comes back as 200 in place of the form.
        return render_fragment(
            request,
            "postmortems/action_status.html#action-status",
            context,
            target=f"action-status-{item.key}",
        )
    return render(
        request, "postmortems/action_status.html", context, status=409 if conflict else 200
    )


def _change_status(
    request: HttpRequest, postmortem: Postmortem, item_key: str, form: ActionStatusForm
) -> ActionItem:
    """Apply the form's status; a change saved since the form was opened raises EditConflict."""
    status, reason = form.cleaned_data["status"], form.cleaned_data["reason"].strip()
    reason = reason if status == "not_doing" else ""  # only "not doing" keeps a reason
    with transaction.atomic():
        item = get_object_or_404(
            ActionItem.objects.select_for_update().select_related("owner"),
            postmortem=postmortem,
            key=item_key,
        )
        if (status, reason) == (item.status, item.reason):
            return item  # already so, whoever set it: nothing to change or to lose
        check_base(
            form.cleaned_data["base"],
            item.status,
            item.reason,
            what=f"The status of action item {item.key}",
            yours=(status, reason),
        )
        set_status(item, status, reason=reason)
        label = dict(ActionItem.STATUS_CHOICES)[status]
        record_revision(
            postmortem,
            author=signed_in_user(request),
            summary=f"Action item {item.key} is now {label.lower()}",
        )
    return item


@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, key: str, item_key: str) -> HttpResponse:
    postmortem = _editable(request, key)
    item = get_object_or_404(postmortem.action_items.select_related("owner"), key=item_key)
    initial = {"status": item.status, "reason": item.reason, "base": status_fingerprint(item)}
    form = ActionStatusForm(request.POST or None, initial=initial, auto_id=f"{item.key}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            item = _change_status(request, postmortem, item_key, form)
        except EditConflict as conflict:
            data = request.POST.copy()
            data["base"] = conflict.base
            item.refresh_from_db()
            form = ActionStatusForm(data, auto_id=f"{item.key}-%s")
            form.is_valid()
            return _status_page(request, postmortem, item, form, conflict=conflict)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _saved(request, postmortem, item)
    return _status_page(request, postmortem, item, form)
