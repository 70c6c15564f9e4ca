"""The admin lists and shows every model of the sharing app."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.postmortems.models import Postmortem
from secondstory.sharing import services
from secondstory.sharing.models import CustomerSummary, DigestCursor, FeedToken, Subscription
from tests.apps.conftest import client_for
from tests.apps.sharing.conftest import MARCH


def test_staff_see_every_sharing_model(postmortem: Postmortem, alice: User, payments: Team) -> None:
    User.objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    alice.refresh_from_db()
    feed = services.create_feed(created_by=alice, scope=services.parse_scope("team:payments"))
    subscription, _ = services.subscribe(alice, services.parse_scope("service:checkout"))
    cursor = DigestCursor.objects.create(user=alice, through=MARCH, period="2026-W11")
    summary = services.save_customer_summary(postmortem, text="All fixed.", by=alice)
    client = client_for(alice)
    for model, obj in [
        (FeedToken, feed.token),
        (Subscription, subscription),
        (DigestCursor, cursor),
        (CustomerSummary, summary),
    ]:
        name = model._meta.model_name
        listing = client.get(reverse(f"admin:sharing_{name}_changelist"))
        assert listing.status_code == 200, name
        assert client.get(reverse(f"admin:sharing_{name}_change", args=[obj.pk])).status_code == 200
    page = client.get(reverse("admin:sharing_feedtoken_changelist")).content.decode()
    assert feed.raw not in page and "the Payments team" in page
    assert client.get(reverse("admin:sharing_feedtoken_add")).status_code == 403
