"""The postmortem page's panel: "Accounts: 3 written, 2 shared", with a link."""

from __future__ import annotations

from typing import Any

from django import template

from secondstory.accounts import permissions
from secondstory.perspectives import services
from secondstory.postmortems.models import Postmortem

register = template.Library()


@register.inclusion_tag("perspectives/_panel.html", takes_context=True)
def accounts_panel(context: template.Context, postmortem: Postmortem) -> dict[str, Any]:
    user = context.get("user")
    return {
        "postmortem": postmortem,
        "summary": services.summary(postmortem),
        "may_write": permissions.may_write_account(user, postmortem),
    }
