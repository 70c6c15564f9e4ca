"""``{% learning_check_panel postmortem %}``: the learning check's box on a postmortem's page."""

from __future__ import annotations

from typing import Any

from django import template

from secondstory.accounts import permissions
from secondstory.core import permissions as table
from secondstory.learningcheck import services
from secondstory.learningcheck.models import Answer
from secondstory.postmortems.models import Postmortem

register = template.Library()


def box_shown() -> bool:
    """Whether the postmortem page shows the box (and its outline the entry): to whoever
    may read the check's results, that is every reader of the postmortem, as the reader of
    the page is. Decided without a query."""
    return table.may_read_learning_check(reads_postmortem=True)


@register.inclusion_tag("learningcheck/_panel.html", takes_context=True)
def learning_check_panel(context: dict[str, Any], postmortem: Postmortem) -> dict[str, Any]:
    user = context["request"].user
    survey = services.survey_of(postmortem)
    if not box_shown():
        return {"shown": False}
    panel = {
        "shown": True,
        "postmortem": postmortem,
        "survey": survey,
        "is_open": services.is_open(survey),
        "may_manage": permissions.may(user, "learning_check", postmortem),
    }
    if survey is not None:  # the rest only once there is a check to speak of
        panel["answered_count"] = Answer.objects.filter(survey=survey).count()
        if panel["is_open"]:
            panel["may_answer"] = permissions.may_answer_learning_check(user, postmortem)
            panel["answered"] = services.has_answered(survey, user)
    return panel
