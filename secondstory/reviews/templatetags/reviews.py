"""The review meeting panel of the postmortem page: its clock, the meeting, the link."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context

from secondstory.accounts import permissions
from secondstory.postmortems.models import Postmortem
from secondstory.reviews import checks, services

register = template.Library()


@register.simple_tag(takes_context=True)
def review_panel(context: Context, postmortem: Postmortem) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "clock": checks.clock(postmortem),
        "meeting": services.current_meeting(postmortem),
        "may_run": permissions.may_run_review(user, postmortem),
    }
