"""Reading postmortems: the list and one postmortem's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.actions.services import annotate_clocks
from secondstory.audit.record import record_restricted_read
from secondstory.gamedays.models import Verification
from secondstory.incidents.facts import Facts, facts_of
from secondstory.incidents.models import Incident, Milestone, TimelineEvent
from secondstory.incidents.services import (
    DurationRow,
    duration_metrics,
    durations,
)
from secondstory.incidents.timeline_context import timeline_context
from secondstory.pagecache.versions import version_annotation
from secondstory.postmortems.anchored import newest_revision, seen_revision, visit
from secondstory.postmortems.blameless import blameless_context, review_budget
from secondstory.postmortems.models import (
    LONG_TEXT,
    ContributingFactor,
    Postmortem,
    PostmortemTransition,
    ReviewDismissal,
)
from secondstory.postmortems.services import (
    STATUS_LABELS,
    publication_checklist,
    visible_postmortems,
)
from secondstory.postmortems.templatetags.secondstory import display_zone
from secondstory.postmortems.writing_services import page_context as writing_context

PAGE_SIZE = 50
_BEFORE_PUBLICATION = ("draft", "in_review", "approved")


def _listed(user: User, status: str) -> QuerySet[Postmortem]:
    """Visible postmortems, newest first, with the list's columns annotated (no N+1)."""
    incidents = Incident.objects.filter(postmortems=OuterRef("pk"))
    impact_started = Milestone.objects.filter(
        incident__postmortems=OuterRef("pk"), kind__code="impact_started"
    )
    postmortems = visible_postmortems(user).select_related("owner").defer(*LONG_TEXT)
    postmortems = postmortems.filter(is_exercise=False)  # game days have their own list
    if status:
        postmortems = postmortems.filter(status=status)
    return postmortems.annotate(
        severity_code=Subquery(incidents.order_by("severity__rank").values("severity__code")[:1]),
        impact_started_at=Subquery(impact_started.order_by("at").values("at")[:1]),
    ).order_by("-created_at", "key")


def postmortem_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    status = request.GET.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    page = Paginator(_listed(request.user, status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": list(STATUS_LABELS.items()),
        "status_query": f"status={status}&" if status else "",
    }
    template = "postmortems/list.html"
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template += "#postmortem-table"
    return render(request, template, context)


@dataclass(frozen=True, slots=True)
class IncidentView:
    """One incident with its milestones in order, every configured duration, and its
    services, teams, tags and references (``facts``)."""

    incident: Incident
    milestones: list[Milestone]
    durations: list[DurationRow]
    facts: Facts


# Everything a postmortem's page shows, fetched in a fixed number of queries; the timeline
# is read one window at a time (incidents.timeline_context), never whole.
_DETAIL_PREFETCH = (
    "collaborators",
    "reviewers",
    Prefetch(
        "incidents",
        # Services, teams, tags and references: plain values, one query (``facts_of``).
        queryset=Incident.objects.select_related("severity")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.select_related("kind")))
        .order_by("key"),
    ),
    Prefetch("factors", queryset=ContributingFactor.objects.select_related("category")),
    Prefetch("factors__events", queryset=TimelineEvent.objects.defer("raw")),
    Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
    "action_items__factors",
    Prefetch(
        "action_items__verifications", queryset=Verification.objects.select_related("game_day")
    ),
    Prefetch("transitions", queryset=PostmortemTransition.objects.select_related("by")),
)


def _lifecycle(postmortem: Postmortem) -> list[tuple[str, datetime]]:
    """(label, when) for each lifecycle step the postmortem has reached."""
    steps = [
        ("Submitted for review", postmortem.submitted_at),
        ("Approved", postmortem.approved_at),
        ("Published", postmortem.published_at),
        ("Marked not required", postmortem.not_required_at),
    ]
    return [(label, at) for label, at in steps if at is not None]


def postmortem_detail(request: HttpRequest, key: str) -> HttpResponse:
    assert isinstance(request.user, User)
    # Only readable postmortems are looked up (one query): an unreadable key gets the same
    # 404 as a key that does not exist, so there is no hint that it does.
    postmortem = get_object_or_404(
        visible_postmortems(request.user)
        .select_related("owner", "facilitator", "customer_summary")
        .annotate(
            has_review_dismissals=Exists(ReviewDismissal.objects.filter(postmortem=OuterRef("pk"))),
            newest_revision=newest_revision(),
            seen_revision=seen_revision(request.user),
            # Read with the postmortem, before anything is rendered: keys the kept fragments.
            page_version=version_annotation(),
        ),
        key=key,
    )
    prefetch_related_objects([postmortem], *_DETAIL_PREFETCH)
    incidents = list(postmortem.incidents.all())
    before_publication = postmortem.status in _BEFORE_PUBLICATION
    facts = facts_of(incidents)
    record_restricted_read(request, postmortem, "page", incidents)
    today = timezone.localdate(timezone=display_zone(request))
    action_items = annotate_clocks(postmortem.action_items.all(), today, zone=display_zone(request))
    metrics = duration_metrics()
    # First: it reads the people's names and dismissals once for the whole page, the kept
    # timeline window's item reviews included when that is rendered.
    blameless = blameless_context(request.user, postmortem, budget=review_budget())
    context = {
        "postmortem": postmortem,
        "status_label": STATUS_LABELS[postmortem.status],
        "status_labels": STATUS_LABELS,
        "lifecycle": _lifecycle(postmortem),
        "incidents": [
            IncidentView(
                incident,
                sorted(incident.milestones.all(), key=lambda m: (m.kind.position, m.at)),
                durations(incident, metrics),
                facts[incident.pk],
            )
            for incident in incidents
        ],
        "several_incidents": len(incidents) > 1,
        **writing_context(request.user, postmortem),
        **timeline_context(request, postmortem, incidents),
        "checklist": (publication_checklist(postmortem) if before_publication else []),
        "factors": list(postmortem.factors.all()),
        "action_items": action_items,
        "today": today,
        **blameless,
        "since_visit": visit(
            request.user,
            postmortem,
            newest=postmortem.newest_revision,  # type: ignore[attr-defined]
            seen=postmortem.seen_revision,  # type: ignore[attr-defined]
        ),
    }
    return render(request, "postmortems/detail.html", context)
