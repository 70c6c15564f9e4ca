"""What the views of the reviewing workspace share: access checks and htmx fragments,
and the blameless review of a whole postmortem, which its page fetches when it did not have
the time to review every section itself.

The other views live by topic in factor_views.py, action_views.py,
lifecycle_views.py and comment_views.py. Every one works without JavaScript
(full pages, redirects after POST); with htmx it answers with the fragment the
page swaps in.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from secondstory.actions.models import ActionItem
from secondstory.actions.services import annotate_clocks
from secondstory.gamedays.models import Verification
from secondstory.postmortems.access import is_htmx, postmortem_for_reader, signed_in_user
from secondstory.postmortems.blameless import blameless_context
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.postmortems.templatetags.secondstory import display_zone


def detail_url(postmortem: Postmortem, anchor: str = "") -> str:
    url = reverse("postmortems:detail", args=[postmortem.key])
    return f"{url}#{anchor}" if anchor else url


def render_fragment(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    target: str = "",
    status: int = 200,
) -> HttpResponse:
    """Render a fragment for htmx; ``target`` re-targets the swap (outerHTML) to that id."""
    response = render(request, template, context, status=status)
    if target:
        response["HX-Retarget"] = f"#{target}"
        response["HX-Reswap"] = "outerHTML"
    return response


def factors_fragment(request: HttpRequest, postmortem: Postmortem) -> HttpResponse:
    """The whole "Contributing factors" section, as the detail page shows it."""
    factors = postmortem.factors.select_related("category").prefetch_related("events")
    context = {"postmortem": postmortem, "factors": list(factors)}
    return render_fragment(request, "postmortems/_factors.html", context, target="factors")


def action_items_fragment(request: HttpRequest, postmortem: Postmortem) -> HttpResponse:
    """The whole "Action items" section, as the detail page shows it."""
    zone = display_zone(request)
    today = timezone.localdate(timezone=zone)
    items = list(
        ActionItem.objects.filter(postmortem=postmortem)
        .select_related("owner")
        .prefetch_related(
            Prefetch("factors", queryset=ContributingFactor.objects.order_by("position", "id")),
            Prefetch("verifications", queryset=Verification.objects.select_related("game_day")),
        )
    )
    annotate_clocks(items, today, zone=zone)
    context = {"postmortem": postmortem, "action_items": items, "today": today}
    return render_fragment(
        request, "postmortems/_action_items.html", context, target="action-items"
    )


@require_GET
def blameless_review(request: HttpRequest, key: str) -> HttpResponse:
    """The blameless review of every section, however long it takes: the fragment the page
    swaps in, or (without JavaScript) a page of its own."""
    postmortem = postmortem_for_reader(request, key)
    context = {"postmortem": postmortem, **blameless_context(signed_in_user(request), postmortem)}
    if is_htmx(request):
        return render(request, "postmortems/_blameless.html", context)
    return render(request, "postmortems/blameless_review.html", context)
