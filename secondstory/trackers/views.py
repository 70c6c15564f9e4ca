"""Create an issue from an action item; receive the trackers' webhooks."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from secondstory.actions.models import ActionItem
from secondstory.postmortems.access import postmortem_for_editor
from secondstory.trackers import services, webhooks
from secondstory.trackers.clients import TrackerError
from secondstory.trackers.crypto import CredentialError
from secondstory.trackers.models import TrackerConnection, TrackerLink

logger = logging.getLogger("secondstory.trackers")


@require_POST
def create_issue(request: HttpRequest, key: str, item_key: str) -> HttpResponse:
    postmortem = postmortem_for_editor(request, key)
    item = get_object_or_404(ActionItem, postmortem=postmortem, key=item_key)
    back = reverse("postmortems:detail", args=[postmortem.key]) + f"#action-{item.key}"
    raw = request.POST.get("connection", "")
    connection = (
        TrackerConnection.objects.filter(pk=int(raw), enabled=True).first()
        if raw.isdigit()
        else None
    )
    if connection is None:
        messages.error(request, "connection: choose one of the trackers offered.")
        return HttpResponseRedirect(back)
    try:
        link = services.create_issue(item, connection)
    except TrackerError as error:
        messages.error(request, f"{connection.name}: the issue was not created ({error}).")
        return HttpResponseRedirect(back)
    messages.success(request, f"{item.key} is now {link.external_key} in {connection.name}.")
    return HttpResponseRedirect(back)


@csrf_exempt
@login_not_required
@require_POST
def hook(request: HttpRequest, connection_id: int) -> HttpResponse:
    """A tracker tells us an issue changed. Refused (403) unless correctly signed."""
    connection = get_object_or_404(TrackerConnection, pk=connection_id)
    body = request.body
    try:
        refusal = webhooks.verify(connection, request.headers, body)
    except CredentialError as error:
        refusal = str(error)
    if not refusal and not connection.enabled:
        refusal = "the connection is disabled"
    if refusal:
        logger.warning(
            "refused webhook for tracker connection %s from %s: %s",
            connection.pk, request.META.get("REMOTE_ADDR", "?"), refusal,
        )  # fmt: skip
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    refusal = webhooks.stale(connection, payload)
    delivery = webhooks.delivery_id(connection, request.headers)
    if not refusal and not delivery:
        header = webhooks.DELIVERY_HEADERS[connection.kind][0]
        refusal = f"the delivery has no {header} header"
    if refusal:
        logger.warning(
            "refused webhook replay for tracker connection %s: %s", connection.pk, refusal
        )
        return JsonResponse({"error": "forbidden"}, status=403)
    with transaction.atomic():
        if not services.remember_delivery(connection, delivery):
            return JsonResponse({"result": "duplicate"})
        return JsonResponse({"result": _apply(connection, request, payload)})


def _apply(connection: TrackerConnection, request: HttpRequest, payload: object) -> str:
    event = webhooks.parse(connection, request.headers, payload)
    if event is None:
        return "ignored"
    link = TrackerLink.objects.filter(connection=connection, external_id=event.external_id).first()
    if link is None:
        return "not linked"
    services.apply_state(link, event.state, at=event.at, direction="inbound", reason=event.reason)
    return "applied"
