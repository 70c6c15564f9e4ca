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
    meetings = list(services.meetings_of(postmortem).exclude(status="cancelled"))
    return {
        "clock": checks.clock(postmortem, meetings=meetings),
        "meeting": services.current_meeting(postmortem, meetings),
        # The page is only shown to its readers: what is left to ask is the role.
        "may_run": permissions.may(user, "run_review", postmortem),
    }
