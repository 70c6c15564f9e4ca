"""Admins see and change organisation roles and team maintainers in the admin site."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import Team, User
from tests.apps.conftest import client_for


def test_the_role_is_listed_filtered_and_editable(alice: User, charlie: User) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    client = client_for(alice)
    listing = client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "viewer"})
    assert listing.status_code == 200
    assert "charlie" not in listing.text
    change = client.get(reverse("admin:accounts_user_change", args=[charlie.pk]))
    assert 'name="role"' in change.text


def test_team_maintainers_are_chosen_in_the_admin(alice: User, payments: Team) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    page = client_for(alice).get(reverse("admin:accounts_team_change", args=[payments.pk]))
    assert page.status_code == 200
    assert 'name="maintainers"' in page.text
