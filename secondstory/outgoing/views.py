"""Admins' pages for outgoing webhooks: the endpoints, each one's delivery log, a test send.

Endpoints themselves are added and changed in the admin site (Admin → Webhook endpoints).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from secondstory.accounts import permissions
from secondstory.outgoing import events, sender
from secondstory.outgoing.models import WebhookDelivery, WebhookEndpoint

PAGE_SIZE = 50


def _require_admin(request: HttpRequest) -> None:
    if not permissions.may_manage_webhooks(request.user):
        raise PermissionDenied("Only admins manage webhooks.")


def endpoint_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    endpoints = WebhookEndpoint.objects.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status="delivered")),
        waiting=Count("deliveries", filter=Q(deliveries__status__in=("pending", "retrying"))),
        failed=Count("deliveries", filter=Q(deliveries__status="failed")),
        last_attempt=Max("deliveries__last_attempt_at"),
    )
    return render(request, "outgoing/endpoints.html", {"endpoints": endpoints})


def endpoint_log(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    _require_admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    deliveries = endpoint.deliveries.order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "page": page,
        "status": status,
        "statuses": endpoint.deliveries.model.STATUS_CHOICES,
        "max_attempts": sender.max_attempts(),
    }
    return render(request, "outgoing/log.html", context)


@require_POST
def send_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Queue a ``ping`` for the endpoint and try it now; the log shows how it went."""
    _require_admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    delivery = events.ping(endpoint)
    done = sender.attempt(delivery.pk) if delivery is not None and endpoint.active else None
    if done is None:
        messages.warning(request, "The test is queued; the endpoint is inactive, so not sent.")
    elif done.status == "delivered":
        messages.success(
            request, f"Test delivered: HTTP {done.response_code} in {done.duration_ms} ms."
        )
    else:
        messages.error(request, f"Test not delivered ({done.error}); it is retried like any other.")
    return redirect("outgoing:log", endpoint_id=endpoint.pk)


@require_POST
def retry(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    """Give a delivery that was given up a fresh set of tries, starting now."""
    _require_admin(request)
    delivery = get_object_or_404(
        WebhookDelivery, pk=delivery_id, endpoint_id=endpoint_id, status="failed"
    )
    WebhookDelivery.objects.filter(pk=delivery.pk, status="failed").update(
        status="pending", attempts=0, next_attempt_at=timezone.now(), error=""
    )
    done = sender.attempt(delivery.pk) if delivery.endpoint.active else None
    if done is not None and done.status == "delivered":
        messages.success(request, f"{delivery.event_id} delivered.")
    else:
        messages.warning(request, f"{delivery.event_id} is queued again.")
    return redirect("outgoing:log", endpoint_id=endpoint_id)
