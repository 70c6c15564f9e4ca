"""Importing files onto an incident's timeline in the browser: upload, preview, confirm.

The upload is kept aside (see ``import_staging``) and shown as the merged timeline it would
add: duplicates, grouped alerts and redactions marked, milestones suggested. The user unticks
what they do not want, ticks the milestones they confirm, and imports. Works without
JavaScript; nothing is written before the confirmation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core.timeline import sources
from secondstory.core.timeline.merge import DUPLICATE
from secondstory.core.timeline.sources.base import MissingOption, SourceError
from secondstory.incidents.import_staging import (
    MAX_FILES,
    MAX_PREVIEW,
    Preview,
    Staged,
    preview,
    stage,
    staged_upload,
)
from secondstory.incidents.importing import import_events
from secondstory.incidents.models import Incident
from secondstory.incidents.pending_events import ImportInterrupted
from secondstory.incidents.views import incident_for_user
from secondstory.lib.timezones import parse_zone, viewer_zone
from secondstory.postmortems.models import Postmortem


class ImportForm(forms.Form):
    fmt = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Tell from each file")],
        help_text="Needed only when a file's format cannot be told from its content.",
    )
    zone = forms.CharField(
        label="Zone of times without an offset",
        required=False,
        help_text="Chat logs and plain lines carry no zone, for example Europe/Berlin.",
    )
    day = forms.DateField(
        label="Date of times without a date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    channels = forms.CharField(
        label="Only these chat channels",
        required=False,
        help_text="Names or ids, separated by commas; empty: every channel.",
    )
    keep_secrets = forms.BooleanField(
        label="Keep secrets (trusted data only)",
        required=False,
        help_text="By default keys, tokens and passwords become [REDACTED:kind].",
    )
    emails = forms.BooleanField(label="Redact email addresses", required=False)
    phones = forms.BooleanField(label="Redact phone numbers", required=False)
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fmt"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Tell from each file"), *sources.describe()]

    def clean_zone(self) -> str:
        name = str(self.cleaned_data.get("zone") or "").strip()
        if name and parse_zone(name) is None:
            raise ValidationError(f"unknown time zone {name!r}")
        return name


def _incident(request: HttpRequest, key: str) -> tuple[User, Incident]:
    user = request.user
    assert isinstance(user, User)
    return user, incident_for_user(user, key, edit=True)


def _came_from(user: User, incident: Incident, key: str) -> Postmortem | None:
    """The postmortem the import was started from, if it covers this incident and the user
    may read it (anything else is ignored: the address cannot send anyone elsewhere)."""
    if not key:
        return None
    postmortem = incident.postmortems.filter(key=key).first()
    return postmortem if postmortem is not None and permissions.may_read(user, postmortem) else None


def _back_url(user: User, incident: Incident, key: str) -> str:
    postmortem = _came_from(user, incident, key)
    if postmortem is not None:
        return reverse("postmortems:detail", args=[postmortem.key]) + "#timeline"
    return reverse("incidents:detail", args=[incident.key])


def _page(
    request: HttpRequest, incident: Incident, status: int = 200, **extra: Any
) -> HttpResponse:
    zone = viewer_zone(request)
    user = request.user
    assert isinstance(user, User)
    staged = extra.get("staged")
    form = extra.get("form")
    key = (
        staged.back
        if staged is not None
        else str(form["back"].value() or "")
        if form is not None
        else ""
    )
    came_from = _came_from(user, incident, key)
    context = {
        "came_from": came_from,
        "incident": incident,
        "zone": zone,
        "zone_name": str(zone),
        "max_files": MAX_FILES,
        "max_preview": MAX_PREVIEW,
        "formats": sources.describe(),
        **extra,
    }
    return render(request, "incidents/import.html", context, status=status)


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, key: str) -> HttpResponse:
    user, incident = _incident(request, key)
    if request.method != "POST":
        back = request.GET.get("postmortem", "")
        form = ImportForm(initial={"zone": str(viewer_zone(request)), "back": back})
        return _page(request, incident, form=form)
    form = ImportForm(request.POST)
    uploads = request.FILES.getlist("files")
    if not uploads:
        form.add_error(None, "Choose at least one file to import.")
    elif len(uploads) > MAX_FILES:
        form.add_error(None, f"At most {MAX_FILES} files at once.")
    if not form.is_valid():
        return _page(request, incident, status=400, form=form)
    data = form.cleaned_data
    staged = stage(
        incident,
        user.pk,
        uploads,
        fmt=data["fmt"] or None,
        zone=data["zone"],
        day=data["day"].isoformat() if data["day"] else "",
        channels=[c.strip() for c in data["channels"].split(",") if c.strip()],
        redact=not data["keep_secrets"],
        emails=data["emails"],
        phones=data["phones"],
        back=data["back"] if _came_from(user, incident, data["back"]) else "",
    )
    return _preview_page(request, incident, staged, form)


def _preview_page(
    request: HttpRequest, incident: Incident, staged: Staged, form: ImportForm | None = None
) -> HttpResponse:
    try:
        merged = preview(incident, staged.request())
    except MissingOption as missing:
        return _ask(request, incident, staged, missing)
    except SourceError as error:
        staged.discard()
        if form is None:
            form = ImportForm({"zone": staged.zone, "fmt": staged.fmt or "", "back": staged.back})
            form.is_valid()
        form.add_error(None, f"Nothing was imported: {error}")
        return _page(request, incident, status=400, form=form)
    current = {m.kind.code: m for m in incident.milestones.select_related("kind")}
    return _page(
        request,
        incident,
        staged=staged,
        merged=merged,
        suggestions=[(s, current.get(s.kind)) for s in merged.suggestions],
        redactions=sorted(merged.summary.redactions.items()),
    )


@require_POST
def import_confirm(request: HttpRequest, key: str, token: str) -> HttpResponse:
    user, incident = _incident(request, key)
    staged = staged_upload(token, incident, user.pk)
    if staged is None:
        raise Http404("This upload is no longer waiting; upload the files again.")
    detail = _back_url(user, incident, staged.back)
    if "cancel" in request.POST:
        staged.discard()
        messages.info(request, "Import cancelled: nothing was written.")
        return redirect(detail)
    try:
        merged = preview(incident, staged.request())
        summary = import_events(
            incident,
            staged.request(),
            leave_out=_left_out(merged, set(request.POST.getlist("keep"))),
            accept_milestones=request.POST.getlist("milestone"),
            merge_into=_merge_into(merged, set(request.POST.getlist("merge"))),
            by=user,
        )
    except (SourceError, ValidationError, ImportInterrupted) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"Nothing was imported: {text}")
        return _preview_page(request, incident, staged)
    staged.discard()
    messages.success(request, _summary_text(summary))
    return redirect(detail)


_QUESTIONS = {
    "date": "carry no date. On which day were they written?",
    "tz": "carry no time zone. In which time zone were these times written?",
    "from": "cannot be told apart from other formats. Which tool wrote it?",
}


def _ask(
    request: HttpRequest,
    incident: Incident,
    staged: Staged,
    missing: MissingOption,
    error: str = "",
) -> HttpResponse:
    """The upload is kept; ask in words for the one thing it needs."""
    subject = f"The {missing.what} in {missing.file}" if missing.file else f"The {missing.what}"
    if missing.option == "from":
        subject = f"{missing.file or 'This file'}"
    return _page(
        request,
        incident,
        status=400 if error else 200,
        staged=staged,
        missing=missing.option,
        question=f"{subject} {_QUESTIONS[missing.option]}",
        answer_error=error,
        file_names=[shown for _, shown in staged.files],
    )


@require_POST
def import_answer(request: HttpRequest, key: str, token: str) -> HttpResponse:
    """The answer to :func:`_ask`: store it with the kept upload and preview again."""
    user, incident = _incident(request, key)
    staged = staged_upload(token, incident, user.pk)
    if staged is None:
        raise Http404("This upload is no longer waiting; upload the files again.")
    if "cancel" in request.POST:
        staged.discard()
        messages.info(request, "Import cancelled: nothing was written.")
        return redirect(_back_url(user, incident, staged.back))
    option = request.POST.get("option", "")
    value = request.POST.get("value", "").strip()
    problem = _answer_problem(option, value)
    if problem:
        try:
            preview(incident, staged.request())
        except MissingOption as missing:
            return _ask(request, incident, staged, missing, error=problem)
        except SourceError:
            pass
        return _preview_page(request, incident, staged)
    if option == "date":
        staged.day = value
    elif option == "tz":
        staged.zone = value
    else:
        staged.fmt = value
    staged.save()
    return _preview_page(request, incident, staged)


def _answer_problem(option: str, value: str) -> str:
    if option == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "Give the day as a date, for example 2024-03-15."
    elif option == "tz":
        if parse_zone(value) is None:
            return f"“{value}” is not a time zone; pick one such as Europe/Berlin or UTC."
    elif option == "from":
        if value not in {name for name, _ in sources.describe()}:
            return "Pick the tool that wrote the file."
    else:
        return "Answer the question below."
    return ""


def _merge_into(merged: Preview, confirmed: set[str]) -> dict[str, str]:
    """The alerts the user confirmed are the events they typed by hand (the pairs come from the
    preview, never from the form)."""
    return {
        row.ref: row.hand.ref
        for row in merged.rows
        if row.hand is not None and row.ref in confirmed
    }


def _left_out(merged: Preview, kept: set[str]) -> list[str]:
    return [
        row.ref for row in merged.rows if row.outcome.status != DUPLICATE and row.ref not in kept
    ]


def _summary_text(summary: Any) -> str:
    parts = [f"Imported {summary.added:,} event{'s' if summary.added != 1 else ''}"]
    if summary.duplicates:
        parts.append(f"{summary.duplicates:,} already there")
    if summary.grouped:
        parts.append(f"{summary.grouped:,} grouped with another source's copy")
    if summary.left_out:
        parts.append(f"{summary.left_out:,} left out")
    if summary.redacted:
        parts.append(f"{summary.redacted:,} secrets redacted")
    if summary.milestones_set:
        parts.append(f"set {', '.join(summary.milestones_set)}")
    return "; ".join(parts) + "."
