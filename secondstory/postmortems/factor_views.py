"""Contributing factors: add, edit and remove, inline with htmx or as full pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from secondstory.lib.concurrency import EditConflict, check_base, fingerprint
from secondstory.postmortems.access import (
    is_htmx,
    postmortem_for_reader,
    require,
    signed_in_user,
)
from secondstory.postmortems.changes import announce_change
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.postmortems.review_forms import FactorForm
from secondstory.postmortems.review_views import (
    factors_fragment,
    render_fragment,
)
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import add_factor, can_edit, remove_factor, update_factor


def _state(factor: ContributingFactor) -> tuple[Any, ...]:
    """What an editor of the factor started from (its fingerprint is the form's base)."""
    events = sorted(factor.events.values_list("pk", flat=True))
    return (factor.category.code, factor.description, factor.evidence, events)


def _editable(request: HttpRequest, key: str) -> Postmortem:
    postmortem = postmortem_for_reader(request, key)
    require(can_edit(signed_in_user(request), postmortem))
    return postmortem


def _locked_factor(postmortem: Postmortem, factor_key: str) -> ContributingFactor:
    factors = ContributingFactor.objects.select_for_update().select_related("category")
    return get_object_or_404(factors, postmortem=postmortem, key=factor_key)


def _with_base(request: HttpRequest, postmortem: Postmortem, base: str) -> FactorForm:
    """The user's input as typed, with the base moved to the current version."""
    data = request.POST.copy()
    data["base"] = base
    form = FactorForm(data, postmortem=postmortem)
    form.is_valid()
    return form


def _form_page(
    request: HttpRequest,
    postmortem: Postmortem,
    form: FactorForm,
    *,
    factor: ContributingFactor | None = None,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    if factor is None:
        action = reverse("postmortems:factor_add", args=[postmortem.key])
    else:
        action = reverse("postmortems:factor_edit", args=[postmortem.key, factor.key])
    context = {
        "postmortem": postmortem,
        "form": form,
        "factor": factor,
        "action": action,
        "conflict": conflict,
        "form_id": f"factor-form-{factor.key if factor else 'new'}",
    }
    if is_htmx(request):
        target = context["form_id"] if request.method == "POST" else ""
        return render_fragment(
            request, "postmortems/factor_form.html#factor-form", context, target=target
        )
    status = 409 if conflict else 200
    return render(request, "postmortems/factor_form.html", context, status=status)


def _saved(request: HttpRequest, postmortem: Postmortem, anchor: str) -> HttpResponse:
    if is_htmx(request):
        # Factors (their categories and descriptions) are part of what makes postmortems similar.
        return announce_change(request, factors_fragment(request, postmortem))
    return redirect(reverse("postmortems:detail", args=[postmortem.key]) + f"#{anchor}")


def _fields(form: FactorForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "category": data["category"],
        "description": data["description"],
        "evidence": data["evidence"],
        "events": list(data["events"]),
    }


def _finding(request: HttpRequest) -> bool:
    """The form was sent by its "Find" button: search the timeline, save nothing."""
    return request.method == "POST" and "find_events" in request.POST


@require_http_methods(["GET"])
def factor_events(request: HttpRequest, key: str) -> HttpResponse:
    """The event picker's choices (htmx): the ticked events, then what ``event_q`` finds."""
    postmortem = _editable(request, key)
    form = FactorForm(request.GET, postmortem=postmortem)
    context = {"postmortem": postmortem, "form": form, "form_id": request.GET.get("form_id", "")}
    return render(request, "postmortems/factor_form.html#event-choices", context)


@require_http_methods(["GET", "POST"])
def factor_add(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = _editable(request, key)
    form = FactorForm(request.POST or None, postmortem=postmortem)
    if _finding(request):
        return _form_page(request, postmortem, form)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                factor = add_factor(postmortem, **_fields(form))
                record_revision(
                    postmortem,
                    author=signed_in_user(request),
                    summary=f"Added contributing factor {factor.key}",
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, postmortem, f"factor-{factor.key}")
    return _form_page(request, postmortem, form)


@require_http_methods(["GET", "POST"])
def factor_edit(request: HttpRequest, key: str, factor_key: str) -> HttpResponse:
    postmortem = _editable(request, key)
    factor = get_object_or_404(postmortem.factors.select_related("category"), key=factor_key)
    if request.method != "POST":
        initial = {
            "base": fingerprint(*_state(factor)),
            "category": factor.category,
            "description": factor.description,
            "evidence": factor.evidence,
            "events": list(factor.events.all()),
        }
        return _form_page(
            request, postmortem, FactorForm(initial=initial, postmortem=postmortem), factor=factor
        )
    form = FactorForm(request.POST, postmortem=postmortem)
    if _finding(request):
        return _form_page(request, postmortem, form, factor=factor)
    if form.is_valid():
        try:
            with transaction.atomic():
                factor = _locked_factor(postmortem, factor_key)
                check_base(
                    form.cleaned_data["base"],
                    *_state(factor),
                    what=f"Contributing factor {factor.key}",
                    yours=form.cleaned_data["description"],
                )
                update_factor(factor, **_fields(form))
                record_revision(
                    postmortem,
                    author=signed_in_user(request),
                    summary=f"Changed contributing factor {factor.key}",
                )
        except EditConflict as conflict:
            form = _with_base(request, postmortem, conflict.base)
            return _form_page(request, postmortem, form, factor=factor, conflict=conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, postmortem, f"factor-{factor.key}")
    return _form_page(request, postmortem, form, factor=factor)


@require_http_methods(["GET", "POST"])
def factor_remove(request: HttpRequest, key: str, factor_key: str) -> HttpResponse:
    postmortem = _editable(request, key)
    factor = get_object_or_404(postmortem.factors.select_related("category"), key=factor_key)
    changed = False
    if request.method == "POST":
        try:
            with transaction.atomic():
                factor = _locked_factor(postmortem, factor_key)
                check_base(
                    request.POST.get("base", ""),
                    *_state(factor),
                    what=f"Contributing factor {factor.key}",
                    yours=None,
                )
                remove_factor(factor)
                record_revision(
                    postmortem,
                    author=signed_in_user(request),
                    summary=f"Removed contributing factor {factor_key}",
                )
        except EditConflict:
            changed = True
        else:
            return _saved(request, postmortem, "factors")
    context = {
        "postmortem": postmortem,
        "factor": factor,
        "base": fingerprint(*_state(factor)),
        "changed": changed,
        "addressed_by": list(factor.action_items.order_by("position", "id")),
    }
    if is_htmx(request):
        return render_fragment(
            request,
            "postmortems/factor_remove.html#factor-remove",
            context,
            target=f"factor-remove-{factor.key}" if request.method == "POST" else "",
        )
    return render(
        request, "postmortems/factor_remove.html", context, status=409 if changed else 200
    )
