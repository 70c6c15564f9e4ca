"""``{% similar_incidents postmortem as similar %}``: the similar-incidents panel's data."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context

from secondstory.library.similar import Similar, similar_postmortems
from secondstory.postmortems.models import Postmortem

register = template.Library()


@register.simple_tag(takes_context=True)
def similar_incidents(context: Context, postmortem: Postmortem) -> list[Similar]:
    """The similar past postmortems the reader of this page may read."""
    request = context.get("request")
    user: Any = getattr(request, "user", None) or context.get("user")
    return similar_postmortems(postmortem, user)
