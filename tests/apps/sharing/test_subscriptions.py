"""Subscriptions to a team, service or tag, and the digest of newly published postmortems."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.notify.models import Delivery
from secondstory.notify.services import retry_failed
from secondstory.postmortems.models import Postmortem
from secondstory.sharing.jobs import period_label, send_publication_digests
from secondstory.sharing.models import DigestCursor, Subscription
from tests.apps.conftest import client_for
from tests.apps.sharing.conftest import MARCH, publish, published

# Subscriptions are made a little before MARCH; digests run after it.
BEFORE = MARCH - timedelta(days=3)
MONDAY = date(2026, 3, 16)


def _subscribe(user: User, scope: str) -> Any:
    with time_machine.travel(BEFORE, tick=False):
        return client_for(user).post(reverse("sharing:subscribe"), {"scope": scope})


def _digest(today: date) -> list[Delivery]:
    with time_machine.travel(today.isoformat() + " 08:00Z", tick=False):
        return send_publication_digests(today)


def test_subscribe_and_unsubscribe_on_the_page(alice: User, charlie: User, payments: Team) -> None:
    response = _subscribe(alice, "team:payments")
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.user, subscription.scope, subscription.team) == (alice, "team", payments)
    _subscribe(alice, "team:payments")
    assert Subscription.objects.count() == 1, "subscribing twice keeps one subscription"
    page = client_for(alice).get(reverse("sharing:index")).content.decode()
    assert "The Payments team" in page and "Unsubscribe" in page

    # Only its subscriber removes it.
    url = reverse("sharing:unsubscribe", args=[subscription.pk])
    assert client_for(charlie).post(url).status_code == 404
    assert client_for(alice).post(url).status_code == 302
    assert not Subscription.objects.exists()


def test_the_subscribe_link_preselects_its_target(alice: User, payments: Team) -> None:
    page = client_for(alice).get(reverse("sharing:index") + "?subscribe=team:payments")
    assert '<option value="team:payments" selected>' in page.content.decode()


def test_bad_subscriptions_are_refused_with_a_message(alice: User) -> None:
    for scope, message in [
        ("all", "scope: choose a team, a service or a tag."),
        ("tag:missing", "scope: there is no tag “missing”."),
    ]:
        response = client_for(alice).post(reverse("sharing:subscribe"), {"scope": scope})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_weekly_digest_lists_new_publications_once(
    postmortem: Postmortem, alice: User, bob: User, outbox: list[Any]
) -> None:
    _subscribe(bob, "service:checkout")
    publish(postmortem, MARCH)
    deliveries = _digest(MONDAY)
    assert [d.status for d in deliveries] == ["sent"]
    [mail] = outbox
    assert mail.to == ["bob@example.com"]
    assert "1 newly published postmortem" in mail.subject and "2026-W12" in mail.subject
    assert "PM-1 Checkout errors after a configuration change" in mail.body
    assert "https://pm.example.com/postmortems/PM-1/" in mail.body
    assert "the checkout service" in mail.body.lower()

    # The same week: nothing more, even with news.
    published("PM-2", MARCH + timedelta(days=6, hours=1))
    assert _digest(MONDAY + timedelta(days=2)) == []
    assert len(outbox) == 1

    # The next week: only what was published since the last digest.
    _digest(MONDAY + timedelta(days=7))
    assert len(outbox) == 2
    assert "PM-2" in outbox[1].body and "PM-1 " not in outbox[1].body
    assert DigestCursor.objects.get(user=bob).period == "2026-W13"

    # A week with nothing new sends nothing.
    assert _digest(MONDAY + timedelta(days=14)) == []
    assert len(outbox) == 2


def test_publications_before_subscribing_are_not_news(
    postmortem: Postmortem, bob: User, outbox: list[Any]
) -> None:
    publish(postmortem, BEFORE - timedelta(days=1))
    _subscribe(bob, "tag:config")
    assert _digest(MONDAY) == []
    assert outbox == []


def test_restricted_postmortems_are_not_in_digests_of_people_who_cannot_read_them(
    restricted: Postmortem, postmortem: Postmortem, bob: User, charlie: User, outbox: list[Any]
) -> None:
    _subscribe(charlie, "service:checkout")
    _subscribe(bob, "service:checkout")
    publish(restricted, MARCH)
    publish(postmortem, MARCH + timedelta(hours=1))
    _digest(MONDAY)
    mails = {mail.to[0]: mail.body for mail in outbox}
    assert "PM-R" in mails["bob@example.com"] and "PM-1" in mails["bob@example.com"]
    assert "PM-1" in mails["charlie@example.com"]
    assert "PM-R" not in mails["charlie@example.com"]


def test_shared_channels_get_no_restricted_title(
    restricted: Postmortem, bob: User, receiver: Any, settings: Any
) -> None:
    settings.EMAIL_HOST = ""
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = ""
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = receiver.url + "/hook"
    Postmortem.objects.filter(pk=restricted.pk).update(title="Secret vault outage")
    _subscribe(bob, "team:payments")
    publish(restricted, MARCH)
    [delivery] = _digest(MONDAY)
    assert delivery.status == "sent"
    payload = receiver.json()
    assert payload["kind"] == "digest_published"
    assert "PM-R (restricted postmortem)" in payload["message"]
    assert "Secret vault" not in str(payload)


def test_a_failed_digest_is_tried_again_as_composed_three_times_at_most(
    postmortem: Postmortem, bob: User, receiver: Any, settings: Any
) -> None:
    settings.EMAIL_HOST = ""
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = ""
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = receiver.url + "/hook"
    receiver.status = 500
    _subscribe(bob, "team:payments")
    publish(postmortem, MARCH)
    assert [d.status for d in _digest(MONDAY)] == ["retrying"]
    # Composed once: a later run of the job does not compose or send it again...
    assert _digest(MONDAY + timedelta(days=1)) == []
    assert len(receiver.requests) == 1
    # ...the sweep retries it, and gives up after the third failed try.
    for day in (2, 3, 4):
        with time_machine.travel(f"{MONDAY + timedelta(days=day)} 08:00Z", tick=False):
            retry_failed()
    assert len(receiver.requests) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "PM-1" in receiver.json()["message"]


def test_a_failed_digest_is_sent_by_the_next_sweep(
    postmortem: Postmortem, bob: User, receiver: Any, settings: Any
) -> None:
    settings.EMAIL_HOST = ""
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = ""
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = receiver.url + "/hook"
    receiver.status = 500
    _subscribe(bob, "team:payments")
    publish(postmortem, MARCH)
    _digest(MONDAY)
    receiver.status = 200
    with time_machine.travel(f"{MONDAY + timedelta(days=1)} 08:00Z", tick=False):
        assert [d.status for d in retry_failed()] == ["sent"]
    assert "PM-1" in receiver.json()["message"]


def test_daily_digests_when_configured(
    postmortem: Postmortem, bob: User, outbox: list[Any], settings: Any
) -> None:
    settings.SECONDSTORY_PUBLICATION_DIGEST = "daily"
    _subscribe(bob, "team:payments")
    publish(postmortem, MARCH)
    _digest(MONDAY)
    published("PM-2", MARCH + timedelta(days=6, hours=1))
    _digest(MONDAY + timedelta(days=1))
    assert len(outbox) == 2
    assert period_label(MONDAY, "daily") == "2026-03-16"
    assert "one digest of newly published postmortems of what you follow a day" in (
        client_for(bob).get(reverse("sharing:index")).content.decode()
    )


def test_an_unknown_period_names_the_setting(settings: Any, bob: User) -> None:
    settings.SECONDSTORY_PUBLICATION_DIGEST = "hourly"
    with pytest.raises(ValueError, match="SECONDSTORY_PUBLICATION_DIGEST"):
        send_publication_digests(MONDAY)
