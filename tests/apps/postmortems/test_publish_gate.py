"""Publishing respects the review: SECONDSTORY_REVIEW_GATE, blame findings everywhere people
write, a reviewer's "please change" comments, and who will be notified."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.cli.main import cli
from secondstory.postmortems.blameless import dismiss
from secondstory.postmortems.item_review import dismiss_item
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.publish_gate import review_gate
from secondstory.postmortems.services import add_comment, resolve_comment, transition
from secondstory.sharing.models import Subscription
from tests.apps.conftest import client_for

BLAME = "The engineer should have checked the dashboard."
FACTOR_BLAME = "The on-call engineer failed to notice the full disk."


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def approved(postmortem: Postmortem, alice: User, bob: User) -> Postmortem:
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "approved", by=bob)
    return postmortem


def status(postmortem: Postmortem) -> str:
    return Postmortem.objects.get(pk=postmortem.pk).status


def test_by_default_an_undismissed_blame_finding_blocks_publishing(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    approved(postmortem, alice, bob)
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=BLAME)
    with pytest.raises(ValidationError, match="blameless review still flags 1 blame finding"):
        transition(postmortem, "published", by=alice)
    postmortem.refresh_from_db()
    [finding] = review_gate(postmortem).blame
    dismiss(postmortem, "summary", finding.rule, finding.text, "", "A quote.", alice)
    transition(postmortem, "published", by=alice)
    assert status(postmortem) == "published"


def test_blame_in_a_contributing_factor_blocks_approval_until_dismissed(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    factor = postmortem.factors.first()
    assert factor is not None
    factor.description = FACTOR_BLAME
    factor.save()
    transition(postmortem, "in_review", by=alice)
    [finding] = review_gate(postmortem).blame
    assert finding.heading == f"Contributing factor {factor.key}"
    with pytest.raises(ValidationError, match=f"Contributing factor {factor.key}"):
        transition(postmortem, "approved", by=bob)
    dismiss_item(postmortem, f"factor:{factor.key}", finding.rule, finding.text, "",
                 "The factor quotes the first report.", alice)  # fmt: skip
    # The dismissal is keyed by the words, so an edit elsewhere in the text keeps it.
    factor.description = FACTOR_BLAME + " Nothing alerted on disk usage."
    factor.save()
    assert review_gate(postmortem).blame == []
    transition(postmortem, "approved", by=bob)


def test_warn_lets_it_through_and_off_looks_at_nothing(
    postmortem: Postmortem, alice: User, bob: User, settings: Any
) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=BLAME)
    postmortem.refresh_from_db()
    settings.SECONDSTORY_REVIEW_GATE = "warn"
    report = review_gate(postmortem)
    assert report.warns and not report.blocks
    approved(postmortem, alice, bob)
    settings.SECONDSTORY_REVIEW_GATE = "off"
    assert review_gate(postmortem).problems == []
    transition(postmortem, "published", by=alice)
    assert status(postmortem) == "published"


def test_an_open_please_change_comment_blocks_approval_until_resolved(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    transition(postmortem, "in_review", by=alice)
    comment = add_comment(postmortem, author=bob, body="Add the recovery steps.",
                          requests_change=True)  # fmt: skip
    add_comment(postmortem, author=bob, body="Nice timeline.")  # an ordinary remark
    url = reverse("postmortems:lifecycle_review", args=["PM-1"])
    response = client_for(bob).post(url, {"decision": "approve"})
    assert response.status_code == 200
    assert "1 “please change” comment by Bob Teammate is still open" in text(response)
    assert status(postmortem) == "in_review"
    resolve_comment(comment, by=alice)
    assert client_for(bob).post(url, {"decision": "approve"}).status_code == 302
    assert status(postmortem) == "approved"


def test_requesting_changes_leaves_a_please_change_comment(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    transition(postmortem, "in_review", by=alice)
    url = reverse("postmortems:lifecycle_review", args=["PM-1"])
    client_for(bob).post(url, {"decision": "request_changes", "comment": "Add recovery."})
    assert postmortem.comments.get().requests_change
    assert review_gate(postmortem).change_requests


def test_only_reviewers_mark_a_comment_please_change(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    url = reverse("postmortems:comment_add", args=["PM-1"])
    client_for(alice).post(url, {"body": "Mine.", "requests_change": "on"})
    client_for(bob).post(url, {"body": "Please add recovery.", "requests_change": "on"})
    marks = dict(postmortem.comments.values_list("body", "requests_change"))
    assert marks == {"Mine.": False, "Please add recovery.": True}


def test_the_confirmation_says_who_will_be_notified_and_what_blocks(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    approved(postmortem, alice, bob)
    Subscription.objects.create(user=charlie, scope="all")
    url = reverse("postmortems:lifecycle_publish", args=["PM-1"])
    html = text(client_for(alice).get(url))
    assert "The next publication digest of 1 person who follows" in html
    assert "Charlie" in html
    assert 'name="confirm" value="yes"' in html
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=BLAME)
    html = text(client_for(alice).get(url))
    assert "it cannot be approved or published until" in html
    assert 'name="confirm" value="yes"' not in html
    client_for(alice).post(url, {"confirm": "yes"})
    assert status(postmortem) == "approved"


def test_the_publish_command_applies_the_same_gate(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    approved(postmortem, alice, bob)
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=BLAME)
    runner = CliRunner()
    result = runner.invoke(cli, ["publish", "PM-1", "--as", "alice", "--yes"])
    assert result.exit_code != 0
    assert "blocked: the blameless review still flags 1 blame finding" in result.output
    assert status(postmortem) == "approved"
    Postmortem.objects.filter(pk=postmortem.pk).update(summary="The disk filled up.")
    result = runner.invoke(cli, ["publish", "PM-1", "--as", "bob", "--yes"])
    assert "may not publish PM-1" in result.output
    result = runner.invoke(cli, ["publish", "PM-1", "--as", "alice"], input="n\n")
    assert status(postmortem) == "approved"
    result = runner.invoke(cli, ["publish", "PM-1", "--as", "alice"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Published PM-1." in result.output
    assert status(postmortem) == "published"
