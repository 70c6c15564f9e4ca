"""History: the list of revisions, the diff of any two, restoring one."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.core.exchange import parse_postmortem
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import transition
from secondstory.postmortems.writing_services import save_section
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def history_url(key: str = "PM-1") -> str:
    return reverse("postmortems:history", args=[key])


def diff_url(old: object, new: object, key: str = "PM-1") -> str:
    return reverse("postmortems:revision_diff", args=[key]) + f"?old={old}&new={new}"


def restore_url(number: int, key: str = "PM-1") -> str:
    return reverse("postmortems:revision_restore", args=[key, number])


def two_revisions(postmortem: Postmortem, alice: User) -> None:
    """r1: as loaded; r2: summary edited, an event changed, one added, a factor gone."""
    record_revision(postmortem, author=alice, summary="Imported")
    Postmortem.objects.filter(pk=postmortem.pk).update(
        summary="Checkout failed for 12% of requests.\nThe pool was exhausted."
    )
    incident = postmortem.incidents.get()
    edited = TimelineEvent.objects.get(source_ref="fp-1")
    edited.text = "CheckoutErrorRate fired"
    edited.save()
    event = TimelineEvent.objects.get(source_ref="m1")
    event.pk, event.source_ref, event.text = None, "m2", "Pool size raised"
    event.incident = incident
    event.save()
    ContributingFactor.objects.filter(key="F2").delete()
    record_revision(postmortem, author=alice, summary="Edited by hand")


def test_history_lists_revisions(postmortem: Postmortem, alice: User, charlie: User) -> None:
    two_revisions(postmortem, alice)
    response = client_for(charlie).get(history_url())
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Edited by hand" in html and "Imported" in html
    assert html.index("Edited by hand") < html.index("Imported")
    assert (
        '<input type="radio" name="old" value="1" aria-label="Compare from revision 1" checked>'
        in html
    )
    assert "<td>Alice Owner</td>" in html


def test_diff_shows_sections_timeline_and_factors(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    two_revisions(postmortem, alice)
    response = client_for(charlie).get(diff_url(1, 2))
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert '<h2 id="diff-section-summary">Summary</h2>' in html
    assert "Removed: </span>Checkout failed for **12%** of requests for 50 minutes.</del>" in html
    assert "Added: </span>The pool was exhausted.</ins>" in html
    assert "Trigger</h2>" not in html  # unchanged
    timeline = html[html.index('id="diff-timeline"') : html.index('id="diff-factors"')]
    assert 'Added</span> <span class="key">manual:m2</span>' in timeline
    assert (
        'Edited</span> <span class="key">alertmanager:fp-1</span> 2026-03-04 13:52 '
        "CheckoutErrorRate fired"
    ) in timeline
    factors = html[html.index('id="diff-factors"') :]
    assert 'Removed</span> <span class="key">F2</span>' in factors
    assert "F1" not in factors
    assert "Action items</h2>" not in html


def test_diff_in_either_order_compares_older_to_newer(postmortem: Postmortem, alice: User) -> None:
    two_revisions(postmortem, alice)
    html = client_for(alice).get(diff_url(2, 1)).content.decode()
    assert "Revision 1 → revision 2" in html


def test_diff_needs_two_existing_revisions(postmortem: Postmortem, alice: User) -> None:
    two_revisions(postmortem, alice)
    client = client_for(alice)
    for query in ((1, ""), (1, 9), ("x", 2), (2, 2)):
        response = client.get(diff_url(*query))
        assert response.status_code == 400
        assert 'class="error" role="alert"' in response.content.decode()


def test_restore_brings_the_text_back_as_a_new_revision(
    postmortem: Postmortem, alice: User
) -> None:
    two_revisions(postmortem, alice)
    transition(postmortem, "in_review", by=alice)
    client = client_for(alice)
    response = client.post(restore_url(1), {"seen": 2}, follow=True)
    assert response.status_code == 200
    assert "Restored revision 1." in response.content.decode()
    postmortem.refresh_from_db()
    assert postmortem.summary == "Checkout failed for **12%** of requests for 50 minutes."
    assert postmortem.factors.filter(key="F2").exists()
    # The timeline stays as it is now: revisions hold its changes, not copies of it.
    events = TimelineEvent.objects.filter(incident__postmortems=postmortem)
    assert events.filter(source_ref="m2").exists()
    assert events.get(source_ref="fp-1").text == "CheckoutErrorRate fired"
    # The lifecycle is not rewound.
    assert postmortem.status == "in_review"
    assert postmortem.transitions.count() == 1
    latest = postmortem.revisions.first()
    assert (latest.number, latest.summary, latest.author) == (3, "Restored revision 1", alice)
    assert parse_postmortem(latest.snapshot).sections["summary"] == postmortem.summary


def test_restoring_an_unknown_revision_is_404(postmortem: Postmortem, alice: User) -> None:
    assert client_for(alice).post(restore_url(7)).status_code == 404


def test_restore_is_for_editors_only(postmortem: Postmortem, alice: User, charlie: User) -> None:
    two_revisions(postmortem, alice)
    response = client_for(charlie).post(restore_url(1), {"seen": 2})
    assert response.status_code == 403
    postmortem.refresh_from_db()
    assert postmortem.summary.endswith("The pool was exhausted.")
    assert postmortem.revisions.count() == 2


def test_it_checks_ownership(restricted: Postmortem, alice: User, charlie: User) -> None:
    record_revision(restricted, author=alice, summary="Imported")
    save_section(restricted, "summary", "New.", base=fingerprint(restricted.summary), author=alice)
    client = client_for(charlie)
    assert client.get(history_url("PM-R")).status_code == 404
    assert client.get(diff_url(1, 2, "PM-R")).status_code == 404
    assert client.post(restore_url(1, "PM-R")).status_code == 404
    restricted.refresh_from_db()
    assert restricted.summary == "New."


def seen_on_diff_page(client: Client, old: int, new: int) -> str:
    """The revision number the restore forms of the diff page say the user saw."""
    html = client.get(diff_url(old, new)).content.decode()
    return re.search(r'name="seen" value="(\d+)"', html).group(1)  # type: ignore[union-attr]


def test_a_restore_after_a_newer_save_shows_what_changed_and_restores_nothing(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    postmortem.collaborators.add(bob)
    two_revisions(postmortem, alice)
    restorer, writer = client_for(alice), client_for(bob)
    seen = seen_on_diff_page(restorer, 1, 2)
    edit = reverse("postmortems:section_edit", args=["PM-1", "summary"])
    form = writer.get(edit).content.decode()
    base = re.search(r'name="base" value="([0-9a-f]+)"', form).group(1)  # type: ignore[union-attr]
    newer = "Bob's summary, saved while Alice compared revisions."
    assert writer.post(edit, {"text": newer, "base": base}).status_code == 302
    response = restorer.post(restore_url(1), {"seen": seen})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Revision 1 was not restored." in html
    assert "Edited Summary" in html and "Bob Teammate" in html  # the revision saved since
    assert "Bob&#x27;s summary, saved while Alice compared revisions." in html  # the diff
    assert 'name="seen" value="3"' in html
    assert Postmortem.objects.get(pk=postmortem.pk).summary == newer
    assert postmortem.revisions.count() == 3
    # Confirming restores over the newer text; the history keeps it.
    response = restorer.post(restore_url(1), {"seen": 3})
    assert response.status_code == 302
    postmortem.refresh_from_db()
    assert postmortem.summary == "Checkout failed for **12%** of requests for 50 minutes."
    assert postmortem.revisions.first().summary == "Restored revision 1"  # type: ignore[union-attr]


def test_a_restore_that_does_not_say_what_it_saw_asks_first(
    postmortem: Postmortem, alice: User
) -> None:
    two_revisions(postmortem, alice)
    response = client_for(alice).post(restore_url(1), **HTMX)
    assert response.status_code == 200  # htmx swaps only successful answers
    assert response["HX-Retarget"] == "body"
    assert "Revision 1 was not restored." in response.content.decode()
    assert postmortem.revisions.count() == 2
