"""The blameless review of factors, action items, hand-written timeline events, comments
and the customer summary in the browser: findings of the text being typed (htmx, debounced;
nothing is saved) and the dismissal of a saved text's finding, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from secondstory.postmortems.access import (
    postmortem_for_editor,
    postmortem_for_reader,
    require,
    signed_in_user,
)
from secondstory.postmortems.blameless import people_names
from secondstory.postmortems.item_review import (
    FORM_FIELDS,
    ItemText,
    dismiss_item,
    findings_of,
    is_part,
)
from secondstory.postmortems.review_views import detail_url
from secondstory.postmortems.services import can_comment


@require_POST
def item_review(request: HttpRequest, key: str, kind: str) -> HttpResponse:
    """Findings in a factor, action item, event, comment or customer summary being typed."""
    if kind not in FORM_FIELDS:
        raise Http404("No such kind of text.")
    if kind == "comment":
        postmortem = postmortem_for_reader(request, key)
        require(can_comment(signed_in_user(request), postmortem))
    else:
        postmortem = postmortem_for_editor(request, key)
    text = request.POST.get(FORM_FIELDS[kind], "")
    item = ItemText("", kind, "", text, "")
    findings = findings_of(item, names=people_names(postmortem))
    context = {"findings": findings, "checked": bool(text.strip())}
    return render(request, "postmortems/_item_review_live.html", context)


@require_POST
def item_review_dismiss(request: HttpRequest, key: str) -> HttpResponse:
    """Dismiss one finding of a saved factor, action item, event or customer summary."""
    postmortem = postmortem_for_editor(request, key)
    part = request.POST.get("part", "")
    if not is_part(part):
        raise Http404("No such text to dismiss a finding of.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = detail_url(postmortem)
    reason = request.POST.get("reason", "").strip()
    rule = request.POST.get("rule", "").strip()
    flagged = request.POST.get("flagged", "")
    if not reason or not rule or not flagged:
        messages.error(request, "Say why this finding does not apply before dismissing it.")
        return redirect(back)
    by = signed_in_user(request)
    dismiss_item(postmortem, part, rule, flagged, request.POST.get("sentence", ""), reason, by)
    messages.success(request, "Dismissed the finding; reviewers see your reason.")
    return redirect(back)
