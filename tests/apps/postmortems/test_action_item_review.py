"""The reviewer's findings on an action item's title: shown in its form and in the list,
with the explanation and the systemic question, and never a reason not to save."""

from __future__ import annotations

import re

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.postmortems.blameless import SectionFinding
from secondstory.postmortems.item_review import ItemText, findings_of
from secondstory.postmortems.models import ContributingFactor, Postmortem
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}
PEOPLE = "Remind everyone to double-check the pool size before deploying"


def _data(person: User, title: str) -> dict[str, object]:
    factor = ContributingFactor.objects.get(postmortem__key="PM-1", key="F2")
    return {
        "title": title,
        "type": "detect",
        "priority": "P1",
        "owner": person.pk,
        "due": "",
        "done_criterion": "",
        "tracker_url": "",
        "factors": [factor.pk],
    }


def item_findings(title: str) -> list[SectionFinding]:
    return findings_of(ItemText("action:A9:title", "action-title", "A9", title, "action-A9"))


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", html.decode())


def test_item_findings_split_the_title_around_the_flagged_words() -> None:
    (found,) = item_findings("Retrain the on-call engineer on failover")
    assert found.finding.rule == "person-targeted"
    assert (found.before, found.inside, found.after) == (
        "",
        "Retrain",
        " the on-call engineer on failover",
    )
    assert item_findings("Add an alert on replica lag") == []
    assert item_findings("") == []


def test_a_person_targeted_item_is_saved_and_the_list_shows_the_finding(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    response = client_for(alice).post(
        reverse("postmortems:action_add", args=["PM-1"]), _data(bob, PEOPLE), **HTMX
    )
    assert response.status_code == 200
    assert ActionItem.objects.get(postmortem=postmortem, key="A2").title == PEOPLE
    html = _text(response.content)
    assert "Blameless review: 1 finding in this action item." in html
    assert "<mark>Remind everyone</mark>" in html
    assert "leaves the conditions that made the mistake easy" in html
    assert "What could change in the system" in html


def test_the_edit_form_shows_the_finding_for_the_current_title(
    postmortem: Postmortem, alice: User
) -> None:
    ActionItem.objects.filter(postmortem=postmortem, key="A1").update(title=PEOPLE)
    html = _text(
        client_for(alice).get(reverse("postmortems:action_edit", args=["PM-1", "A1"])).content
    )
    assert 'class="review-finding severity-tone"' in html
    assert "What could change in the system" in html


def test_a_systemic_item_shows_no_finding(postmortem: Postmortem, alice: User, bob: User) -> None:
    data = _data(bob, "Add a pre-deploy check on the pool size")
    response = client_for(alice).post(
        reverse("postmortems:action_add", args=["PM-1"]), data, **HTMX
    )
    assert response.status_code == 200
    assert "in this action item" not in response.content.decode()


def test_readers_who_cannot_edit_do_not_see_the_advice(
    postmortem: Postmortem, charlie: User
) -> None:
    ActionItem.objects.filter(postmortem=postmortem, key="A1").update(title=PEOPLE)
    html = _text(client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"])).content)
    assert PEOPLE in html
    assert "in this action item" not in html
