"""The inbound alert endpoints: /integrations/pagerduty, /opsgenie and /alertmanager.

Each answers 404 while its secret is not configured, 403 to a request that is not signed
or does not present the token, 400 (naming the field) to a body that is not the tool's
payload, and 200 with what it did otherwise. A redelivery answers 200 and changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from secondstory.accounts import permissions
from secondstory.alerts_in import checks, config, services
from secondstory.alerts_in.subjects import NotAnAlert
from secondstory.core.timeline.sources.base import SourceError

logger = logging.getLogger(__name__)

#: Larger bodies are refused (413) before anything is read from them.
MAX_BODY_BYTES = 2 * 1024 * 1024


def _verified(system: str, request: HttpRequest, body: bytes) -> bool:
    if system == "pagerduty":
        secrets = config.pagerduty_secrets()
        if not secrets:
            raise Http404("the PagerDuty integration is not configured")
        return checks.pagerduty_signed(request.headers, body, secrets)
    token = config.opsgenie_token() if system == "opsgenie" else config.alertmanager_token()
    if not token:
        raise Http404(f"the {system} integration is not configured")
    return checks.token_matches(request.headers, token)


def _endpoint(system: str) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @login_not_required
    @require_POST
    def endpoint(request: HttpRequest) -> HttpResponse:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            return JsonResponse({"error": "the body is larger than 2 MB"}, status=413)
        body = request.body
        verified = _verified(system, request, body)
        if not permissions.may_alert_integration_write(verified=verified):
            logger.warning(
                "refused %s alert from %s: not signed with a configured secret",
                system, request.META.get("REMOTE_ADDR", "?"),
            )  # fmt: skip
            return JsonResponse({"error": "forbidden"}, status=403)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return JsonResponse({"error": "the body is not JSON"}, status=400)
        try:
            outcome = services.receive(system, body, payload)
        except (NotAnAlert, SourceError) as error:
            return JsonResponse({"error": str(error)}, status=400)
        except ValidationError as error:
            return JsonResponse({"error": "; ".join(error.messages)}, status=422)
        return JsonResponse(outcome.as_json())

    endpoint.__name__ = f"{system}_alert"
    return endpoint


pagerduty = _endpoint("pagerduty")
opsgenie = _endpoint("opsgenie")
alertmanager = _endpoint("alertmanager")
