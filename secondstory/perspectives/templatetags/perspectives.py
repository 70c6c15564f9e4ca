"""The postmortem page's panel: "Accounts: 3 written, 2 shared", with a link."""

from __future__ import annotations

from typing import Any

from django import template

from secondstory.perspectives import services
from secondstory.postmortems.models import Postmortem

register = template.Library()


@register.inclusion_tag("perspectives/_panel.html")
def accounts_panel(postmortem: Postmortem) -> dict[str, Any]:
    """The counts in one query (who may write is asked on the accounts page itself)."""
    return {"postmortem": postmortem, "summary": services.summary(postmortem)}
