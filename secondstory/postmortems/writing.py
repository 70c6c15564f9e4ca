"""The writing workspace: start a postmortem, edit its sections in place, history, download.

Every view renders a full page by default; an htmx request gets only the
fragment it swaps (a section, its form, a preview). Every flow works without
JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secondstory.accounts import permissions
from secondstory.audit.record import record_restricted_read
from secondstory.incidents.editing import (
    visible_incidents,
)
from secondstory.incidents.models import Incident
from secondstory.lib.concurrency import EditConflict, fingerprint
from secondstory.lib.markdown import render_markdown
from secondstory.postmortems.access import (
    is_htmx,
    postmortem_for_editor,
    postmortem_for_reader,
    signed_in_user,
)
from secondstory.postmortems.blameless import dismiss, section_findings
from secondstory.postmortems.changes import announce_change
from secondstory.postmortems.forms import SectionForm, StartForm, TemplateForm
from secondstory.postmortems.history import compare_revisions
from secondstory.postmortems.models import Postmortem, PostmortemTemplate
from secondstory.postmortems.restore_views import newest_revision_number
from secondstory.postmortems.revisions import snapshot
from secondstory.postmortems.services import can_edit
from secondstory.postmortems.templatetags.secondstory import display_zone
from secondstory.postmortems.writing_services import (
    HEADINGS,
    delete_template,
    save_section,
    save_template,
    section_of,
    start_postmortem,
    template_entries,
)

# The sections whose text the similar-incidents panel compares (library/similar.py).
SIMILARITY_SECTIONS = frozenset({"summary"})


def _section_field(field: str) -> str:
    if field not in HEADINGS:
        raise Http404("No such section.")
    return field


# --- Start a postmortem --------------------------------------------------------------------


def _get_incident_for_user(request: HttpRequest, key: str) -> Incident:
    incident = visible_incidents(signed_in_user(request)).filter(key=key).first()
    if incident is None:
        raise Http404("No incident matches the given query.")
    return incident


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("incident") or request.GET.get("incident") or ""
    if not key:
        incidents = visible_incidents(signed_in_user(request)).order_by("-created_at", "key")[:200]
        return render(request, "postmortems/start_pick.html", {"incidents": incidents})
    incident = _get_incident_for_user(request, key)
    if not permissions.may_start_postmortem(signed_in_user(request), incident):
        raise PermissionDenied(
            "A postmortem makes its writers editors of the incident: only the people who "
            "edit the incident (its teams' responders, its postmortems' writers, admins) "
            "start one."
        )
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        postmortem = start_postmortem(
            incident, owner=signed_in_user(request), template=form.cleaned_data["template"]
        )
        messages.success(request, f"Started {postmortem.key} from the incident {incident.key}.")
        return redirect("postmortems:detail", postmortem.key)
    context = {
        "incident": incident,
        "form": form,
        "templates": [(t, template_entries(t)) for t in PostmortemTemplate.objects.all()],
        "existing": permissions.visible_postmortems(signed_in_user(request))
        .filter(incidents=incident)
        .order_by("key"),
    }
    return render(request, "postmortems/start.html", context, status=400 if form.errors else 200)


# --- One section: show, edit, preview ------------------------------------------------------


def _section_context(postmortem: Postmortem, field: str, **extra: Any) -> dict[str, Any]:
    return {
        "postmortem": postmortem,
        "section": section_of(postmortem, field),
        "can_edit": True,
        **extra,
    }


@require_GET
def section(request: HttpRequest, key: str, field: str) -> HttpResponse:
    """The section as the page shows it (what Cancel swaps back in)."""
    postmortem = postmortem_for_reader(request, key)
    field = _section_field(field)
    if not is_htmx(request):
        return redirect(reverse("postmortems:detail", args=[key]) + f"#section-{field}")
    context = _section_context(
        postmortem, field, can_edit=can_edit(signed_in_user(request), postmortem)
    )
    return render(request, "postmortems/_section.html", context)


def _edit_response(
    request: HttpRequest, postmortem: Postmortem, field: str, form: SectionForm, **extra: Any
) -> HttpResponse:
    text = form["text"].value()
    findings = section_findings(postmortem, field, text if isinstance(text, str) else None)
    context = _section_context(
        postmortem, field, form=form, editing=True, findings=findings, **extra
    )
    if is_htmx(request):
        return render(request, "postmortems/_section.html", context)
    status = 400 if form.errors else 200
    return render(request, "postmortems/section_edit.html", context, status=status)


def _saved_response(request: HttpRequest, postmortem: Postmortem, field: str) -> HttpResponse:
    saved_at = timezone.localtime(timezone.now(), display_zone(request))
    if is_htmx(request):
        context = _section_context(postmortem, field, saved_at=saved_at)
        response = render(request, "postmortems/_section.html", context)
        if field in SIMILARITY_SECTIONS:
            announce_change(request, response)
        return response
    messages.success(request, f"Saved {HEADINGS[field]} at {saved_at:%H:%M}.")
    return redirect(reverse("postmortems:detail", args=[postmortem.key]) + f"#section-{field}")


def _conflict_response(
    request: HttpRequest, postmortem: Postmortem, field: str, conflict: EditConflict
) -> HttpResponse:
    form = SectionForm(initial={"text": conflict.yours, "base": conflict.base}, heading="")
    context = _section_context(postmortem, field, form=form, conflict=conflict, editing=True)
    if is_htmx(request):
        return render(request, "postmortems/_section.html", context)
    return render(request, "postmortems/conflict.html", context, status=409)


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, key: str, field: str) -> HttpResponse:
    postmortem = postmortem_for_editor(request, key)
    field = _section_field(field)
    heading = HEADINGS[field]
    if request.method == "GET":
        text = getattr(postmortem, field)
        form = SectionForm(initial={"text": text, "base": fingerprint(text)}, heading=heading)
        return _edit_response(request, postmortem, field, form)
    form = SectionForm(request.POST, heading=heading)
    if not form.is_valid():
        return _edit_response(request, postmortem, field, form)
    if "preview" in request.POST:
        # Without JavaScript the Preview button submits the form: show it, save nothing.
        preview = render_markdown(form.cleaned_data["text"])
        return _edit_response(request, postmortem, field, form, preview=preview)
    try:
        postmortem = save_section(
            postmortem,
            field,
            form.cleaned_data["text"],
            base=form.cleaned_data["base"],
            author=signed_in_user(request),
        )
    except EditConflict as conflict:
        return _conflict_response(request, postmortem, field, conflict)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _edit_response(request, postmortem, field, form)
    return _saved_response(request, postmortem, field)


@require_POST
def section_preview(request: HttpRequest, key: str, field: str) -> HttpResponse:
    """The Markdown of the form rendered as the page would show it (sanitised)."""
    postmortem_for_editor(request, key)
    _section_field(field)
    preview = render_markdown(request.POST.get("text", ""))
    return render(request, "postmortems/section_preview.html", {"preview": preview})


# --- Blameless review of the section being edited -----------------------------------------


def _findings_response(
    request: HttpRequest, postmortem: Postmortem, field: str, error: str = ""
) -> HttpResponse:
    text = request.POST.get("text")
    context = {
        "postmortem": postmortem,
        "section": section_of(postmortem, field),
        "findings": section_findings(postmortem, field, text),
        "review_error": error,
    }
    return render(
        request, "postmortems/_review_findings.html", context, status=400 if error else 200
    )


@require_POST
def section_review(request: HttpRequest, key: str, field: str) -> HttpResponse:
    """Findings in the text being typed (htmx, debounced); nothing is saved."""
    postmortem = postmortem_for_editor(request, key)
    return _findings_response(request, postmortem, _section_field(field))


@require_POST
def review_dismiss(request: HttpRequest, key: str, field: str) -> HttpResponse:
    """Dismiss one finding with a reason; htmx gets the findings again, a form the editor."""
    postmortem = postmortem_for_editor(request, key)
    field = _section_field(field)
    reason = request.POST.get("reason", "").strip()
    rule = request.POST.get("rule", "").strip()
    flagged = request.POST.get("flagged", "")
    if not reason or not rule or not flagged:
        error = "Say why this finding does not apply before dismissing it."
        if is_htmx(request):
            return _findings_response(request, postmortem, field, error)
        messages.error(request, error)
        return redirect("postmortems:section_edit", key, field)
    dismiss(
        postmortem,
        field,
        rule,
        flagged,
        request.POST.get("sentence", ""),
        reason,
        signed_in_user(request),
    )
    if is_htmx(request):
        return _findings_response(request, postmortem, field)
    messages.success(request, "Dismissed the finding; reviewers see your reason.")
    return redirect("postmortems:section_edit", key, field)


# --- History, restore, download ------------------------------------------------------------


@require_GET
def history(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    record_restricted_read(request, postmortem, "history")
    return render(request, "postmortems/history.html", _history_context(request, postmortem))


def _history_context(request: HttpRequest, postmortem: Postmortem) -> dict[str, Any]:
    revisions = list(postmortem.revisions.select_related("author").defer("snapshot"))
    return {
        "postmortem": postmortem,
        "revisions": revisions,
        "can_edit": can_edit(signed_in_user(request), postmortem),
        "default_old": revisions[1].number if len(revisions) > 1 else None,
        "default_new": revisions[0].number if revisions else None,
    }


def _revision_number(value: str | None) -> int | None:
    """A revision number from the query string; None for anything else (a number too big
    for the database column is not a revision either)."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text)


@require_GET
def revision_diff(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    numbers = [_revision_number(request.GET.get(name)) for name in ("old", "new")]
    found = {r.number: r for r in postmortem.revisions.filter(number__in=numbers)}
    error = ""
    if None in numbers:
        error = "Choose two revisions to compare (old and new)."
    elif any(number not in found for number in numbers):
        error = "There is no such revision of this postmortem; choose from the list."
    elif numbers[0] == numbers[1]:
        error = "Choose two different revisions to compare."
    if error:
        context = {**_history_context(request, postmortem), "error": error}
        return render(request, "postmortems/history.html", context, status=400)
    diff = compare_revisions(found[numbers[0]], found[numbers[1]])  # type: ignore[index]
    record_restricted_read(request, postmortem, f"revisions {numbers[0]} and {numbers[1]}")
    context = {
        "postmortem": postmortem,
        "diff": diff,
        "can_edit": can_edit(signed_in_user(request), postmortem),
        # What the restore forms say the user saw (see restore_views.py).
        "seen": newest_revision_number(postmortem),
    }
    return render(request, "postmortems/revision_diff.html", context)


@require_GET
def download(request: HttpRequest, key: str) -> HttpResponse:
    """The postmortem as one Markdown file in the exchange format."""
    postmortem = postmortem_for_reader(request, key)
    record_restricted_read(request, postmortem, "download")
    response = HttpResponse(snapshot(postmortem), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(postmortem.key)}.md"'
    return response


def _filename(key: str) -> str:
    """The key with anything unsafe in a header or a file name replaced."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in key) or "postmortem"


# --- Templates (admins only) ---------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not permissions.is_admin(signed_in_user(request)):
        raise PermissionDenied("Only admins manage postmortem templates.")


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    templates = PostmortemTemplate.objects.all()
    return render(request, "postmortems/templates/list.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _template_form(request, None)


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    return _template_form(request, get_object_or_404(PostmortemTemplate, slug=slug))


def _template_form(request: HttpRequest, template: PostmortemTemplate | None) -> HttpResponse:
    form = TemplateForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_template(
                template,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                sections=form.sections(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved the template {saved.name}.")
            return redirect("postmortems:templates")
    context = {"form": form, "template": template}
    status = 400 if form.errors else 200
    return render(request, "postmortems/templates/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def template_delete(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    template = get_object_or_404(PostmortemTemplate, slug=slug)
    if request.method == "POST":
        try:
            delete_template(template)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("postmortems:templates")
        messages.success(request, f"Deleted the template {template.name}.")
        return redirect("postmortems:templates")
    in_use = template.postmortems.count()
    context = {"template": template, "in_use": in_use}
    return render(request, "postmortems/templates/delete.html", context)
