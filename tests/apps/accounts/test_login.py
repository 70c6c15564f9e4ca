"""Logging in and out, the page layout, and the admin for staff."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import PASSWORD, client_for

LOGIN = reverse("login")
LOGOUT = reverse("logout")
LIST = reverse("postmortems:list")
HOME = reverse("postmortems:home")


def test_the_login_page_renders_for_anonymous(db: None) -> None:
    response = Client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="login-heading">Log in</h1>' in html
    assert 'name="username"' in html
    assert 'type="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Log out" not in html


def test_logging_in_leads_to_the_home_page(postmortem: Postmortem) -> None:
    client = Client(enforce_csrf_checks=True)
    form = client.get(LOGIN)
    token = form.cookies["csrftoken"].value
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"] == HOME == "/"
    html = client.get(HOME).content.decode()
    assert '<span class="user-name">Alice Owner</span>' in html
    assert "PM-1" in html


def test_logging_in_returns_to_the_page_asked_for(postmortem: Postmortem) -> None:
    detail = reverse("postmortems:detail", args=["PM-1"])
    response = Client().get(detail)
    assert response["Location"] == f"{LOGIN}?next={detail}"
    response = Client().post(LOGIN, {"username": "alice", "password": PASSWORD, "next": detail})
    assert response["Location"] == detail


def test_a_wrong_password_is_refused(alice: User) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert client.get(LIST).status_code == 302


def test_logout_is_a_post_form(alice: User) -> None:
    html = client_for(alice).get(LIST).content.decode()
    assert f'<form method="post" action="{LOGOUT}" class="logout">' in html
    assert client_for(alice).get(LOGOUT).status_code == 405


def test_logging_out_ends_the_session(alice: User) -> None:
    client = client_for(alice)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get(LIST).status_code == 302


@pytest.mark.parametrize(
    "path",
    [HOME, LIST, f"{LIST}?status=draft", reverse("postmortems:detail", args=["PM-1"])],
)
def test_every_page_needs_a_login(postmortem: Postmortem, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")


def test_the_layout_sets_up_htmx_without_a_cdn(alice: User) -> None:
    html = client_for(alice).get(LIST).content.decode()
    assert '<body hx-headers=\'{"X-CSRFToken": "' in html
    assert '<script src="/static/secondstory/htmx.min.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/secondstory/app.css">' in html
    assert "//cdn" not in html and "unpkg" not in html
    assert Client().get("/static/secondstory/htmx.min.js").status_code == 200


def test_only_staff_see_the_admin_link(alice: User, charlie: User) -> None:
    admin_url = reverse("admin:index")
    assert f'href="{admin_url}"' not in client_for(alice).get(LIST).content.decode()
    charlie.is_staff = True
    charlie.save(update_fields=["is_staff"])
    assert f'href="{admin_url}"' in client_for(charlie).get(LIST).content.decode()


@pytest.fixture
def staff(alice: User) -> User:
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    return alice


def test_staff_can_use_the_admin(postmortem: Postmortem, staff: User) -> None:
    client = client_for(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get("/admin/postmortems/postmortem/").status_code == 200
    incident = postmortem.incidents.get()
    change_pages = [
        reverse("admin:postmortems_postmortem_change", args=[postmortem.pk]),
        reverse("admin:incidents_incident_change", args=[incident.pk]),
    ]
    for path in change_pages:
        response = client.get(path)
        assert response.status_code == 200, path
    html = client.get(change_pages[0]).content.decode()
    assert "Validate pool sizes in the config tool" in html  # the action item inline
    assert "The config tool accepted a pool size of 1." in html  # the factor inline
    html = client.get(change_pages[1]).content.decode()
    assert "CheckoutErrorRate firing" in html  # the timeline inline


def test_every_model_has_a_working_admin_list(postmortem: Postmortem, staff: User) -> None:
    client = client_for(staff)
    for label in (
        "incidents",
        "postmortems",
        "actions",
        "notify",
        "trackers",
        "feeds",
        "operations",
        "audit",
    ):
        for model in apps.get_app_config(label).get_models():
            assert model in admin.site._registry, model
            _check_changelist(client, model)


def _check_changelist(client: Client, model: type[Model]) -> None:
    path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(path).status_code == 200, path
    assert client.get(path, {"q": "checkout"}).status_code == 200, path


def test_non_staff_cannot_use_the_admin(alice: User) -> None:
    response = client_for(alice).get("/admin/postmortems/postmortem/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
