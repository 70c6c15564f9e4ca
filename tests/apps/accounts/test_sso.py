"""Single sign-on through a real OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.test import Client

from secondstory.accounts.models import Role, SingleSignOnIdentity, Team, User
from secondstory.core.claims import parse_mapping
from tests.apps.accounts.conftest import choose_account, sign_in, start
from tests.oidc_provider import Provider, new_key

HOME = "/"


def signed_in_as(client: Client) -> str | None:
    response = client.get("/account/")
    if response.status_code != 200:
        return None
    return str(response.context["user"].username)


def test_first_sign_in_creates_the_account_with_its_role_and_teams(provider: Provider) -> None:
    client = Client()
    response = sign_in(client, provider)
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert signed_in_as(client) == "dana"
    dana = User.objects.get(username="dana")
    assert (dana.display_name, dana.email, dana.role) == (
        "Dana Reyes",
        "dana@example.com",
        Role.RESPONDER,
    )
    assert not dana.has_usable_password()
    assert not dana.is_staff
    assert list(dana.teams.values_list("slug", flat=True)) == ["payments"]
    assert not dana.maintained_teams.exists()
    identity = SingleSignOnIdentity.objects.get(user=dana)
    assert (identity.issuer, identity.subject) == (provider.issuer, "subject-dana")
    assert identity.last_sign_in_at is not None


def test_the_page_asked_for_is_where_the_sign_in_lands(provider: Provider) -> None:
    response = sign_in(Client(), provider, next_url="/actions/")
    assert response["Location"] == "/actions/"
    response = sign_in(Client(), provider, next_url="https://elsewhere.example/phish")
    assert response["Location"] == HOME


def test_every_sign_in_brings_role_and_teams_in_line_with_the_groups(
    provider: Provider,
) -> None:
    sign_in(Client(), provider)
    dana = User.objects.get(username="dana")
    unmanaged = Team.objects.create(slug="writers", name="Writers")
    unmanaged.members.add(dana)
    provider.people["dana"]["groups"] = ["sre-leads", "engineering", "payments-leads"]
    provider.people["dana"]["email"] = "dana.reyes@example.com"
    dana.display_name = "Dana R."
    dana.save()

    sign_in(Client(), provider)
    dana.refresh_from_db()
    assert dana.role == Role.ADMIN
    assert dana.is_staff and dana.is_superuser
    assert dana.email == "dana.reyes@example.com"
    assert dana.display_name == "Dana R."  # the person's own choice is kept
    assert sorted(dana.teams.values_list("slug", flat=True)) == ["payments", "writers"]
    assert list(dana.maintained_teams.values_list("slug", flat=True)) == ["payments"]

    provider.people["dana"]["groups"] = ["search-eng"]
    sign_in(Client(), provider)
    dana.refresh_from_db()
    assert dana.role == Role.VIEWER  # the default role: no group maps to one
    assert not dana.is_staff and not dana.is_superuser
    assert sorted(dana.teams.values_list("slug", flat=True)) == ["search", "writers"]
    assert Team.objects.get(slug="search").name == "Search"
    assert not dana.maintained_teams.exists()
    assert User.objects.count() == 1


def test_without_a_role_mapping_roles_are_left_to_admins(provider: Provider, settings: Any) -> None:
    settings.SECONDSTORY_OIDC_MAPPING = parse_mapping(default_role="viewer")
    sign_in(Client(), provider)
    dana = User.objects.get(username="dana")
    assert dana.role == Role.VIEWER
    dana.role = Role.ADMIN
    dana.save()
    sign_in(Client(), provider)
    dana.refresh_from_db()
    assert dana.role == Role.ADMIN


def _assert_refused(response: Any, client: Client, message: str) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html, html
    assert 'role="alert"' in html
    assert "Traceback" not in html
    assert signed_in_as(client) is None
    assert not User.objects.exists()
    assert not SingleSignOnIdentity.objects.exists()
    assert not Team.objects.exists()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"sign_with": "same kid"}, "not signed with a key single sign-on publishes (JWKS)"),
        ({"sign_with": "unknown kid"}, "not signed with a key single sign-on publishes (JWKS)"),
        ({"audience": "another-app"}, "issued for another application"),
        (
            {"audience": "another-app", "extra_claims": {"azp": "secondstory"}},
            "issued for another application (audience)",
        ),
        ({"lifetime": -600}, "has expired"),
        ({"nonce": "replayed-nonce"}, "does not belong to this sign-in (nonce)"),
        ({"issuer_claim": "http://127.0.0.1:9/"}, "was not issued by single sign-on"),
    ],
    ids=[
        "bad-signature",
        "unknown-key-id",
        "wrong-audience",
        "wrong-audience-with-azp",
        "expired",
        "wrong-nonce",
        "wrong-issuer",
    ],
)
def test_a_token_that_fails_a_check_is_refused_and_creates_nothing(
    provider: Provider, fault: dict[str, Any], message: str
) -> None:
    if "sign_with" in fault:  # a key not in the JWKS, under the published key's id or another
        kid = provider.key.kid if fault["sign_with"] == "same kid" else "rotated-away"
        fault = {"sign_with": new_key(kid)}
    for name, value in fault.items():
        setattr(provider, name, value)
    client = Client()
    _assert_refused(sign_in(client, provider), client, message)
    assert provider.token_requests == 1


def test_a_callback_that_did_not_start_here_is_refused(provider: Provider) -> None:
    callback = choose_account(provider, start(Client()), "dana")
    other = Client()  # another browser: no state in its session
    _assert_refused(other.get(callback), other, "did not start here")
    assert provider.token_requests == 0


def test_a_callback_is_used_once(provider: Provider) -> None:
    client = Client()
    callback = choose_account(provider, start(client), "dana")
    assert client.get(callback).status_code == 302
    client.post("/logout/")
    response = client.get(callback)
    assert response.status_code == 400
    assert "did not start here" in response.content.decode()


def test_a_refusal_by_the_provider_is_shown(provider: Provider) -> None:
    client = Client()
    authorize = start(client)
    state = dict(httpx.URL(authorize).params)["state"]
    response = client.get(
        "/login/sso/callback/",
        {"error": "access_denied", "error_description": "the person cancelled", "state": state},
    )
    _assert_refused(response, client, "single sign-on refused the sign-in: the person cancelled")


def test_people_in_no_mapped_group_are_refused_when_the_default_is_none(
    provider: Provider, settings: Any
) -> None:
    settings.SECONDSTORY_OIDC_MAPPING = parse_mapping(
        roles='{"engineering": "responder"}', default_role="none"
    )
    provider.people["dana"]["groups"] = ["marketing"]
    client = Client()
    _assert_refused(sign_in(client, provider), client, "in none of the groups")


def test_an_existing_local_account_is_not_taken_over(provider: Provider, settings: Any) -> None:
    local = User.objects.create(username="dana", display_name="Local Dana", role=Role.ADMIN)
    client = Client()
    response = sign_in(client, provider)
    assert response.status_code == 400
    assert "already exists and is not linked" in response.content.decode()
    assert not SingleSignOnIdentity.objects.exists()
    assert signed_in_as(client) is None

    settings.SECONDSTORY_OIDC_LINK_EXISTING = True
    assert sign_in(client, provider).status_code == 302
    assert SingleSignOnIdentity.objects.get().user == local
    assert signed_in_as(client) == "dana"


def test_accounts_are_found_by_subject_not_by_name(provider: Provider) -> None:
    sign_in(Client(), provider)
    provider.people["dana"]["preferred_username"] = "dana.renamed"
    sign_in(Client(), provider)
    assert list(User.objects.values_list("username", flat=True)) == ["dana"]
    provider.add_person("imposter", preferred_username="dana", sub="another-subject")
    client = Client()
    response = sign_in(client, provider, username="imposter")
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_without_just_in_time_accounts_strangers_are_refused(
    provider: Provider, settings: Any
) -> None:
    settings.SECONDSTORY_OIDC_CREATE_ACCOUNTS = False
    client = Client()
    _assert_refused(sign_in(client, provider), client, "There is no secondstory account")


def test_a_deactivated_account_is_refused(provider: Provider) -> None:
    sign_in(Client(), provider)
    User.objects.filter(username="dana").update(is_active=False)
    client = Client()
    response = sign_in(client, provider)
    assert response.status_code == 400
    assert "deactivated" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_discovery_document_for_another_issuer_is_refused(
    provider: Provider, settings: Any
) -> None:
    settings.SECONDSTORY_OIDC_ISSUER = provider.issuer.replace("127.0.0.1", "localhost")
    response = Client().get("/login/sso/")
    assert response.status_code == 400
    assert "names another issuer" in response.content.decode()


def test_an_unreachable_provider_is_explained(settings: Any, db: None) -> None:
    settings.SECONDSTORY_OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.SECONDSTORY_OIDC_CLIENT_ID = "secondstory"
    response = Client().get("/login/sso/")
    assert response.status_code == 400
    assert "could not be reached at http://127.0.0.1:9" in response.content.decode()


def test_the_login_page_offers_single_sign_on_when_configured(
    provider: Provider, settings: Any
) -> None:
    settings.SECONDSTORY_OIDC_NAME = "Example SSO"
    html = Client().get("/login/?next=/actions/").content.decode()
    assert "Log in with Example SSO" in html
    assert 'href="/login/sso/?next=/actions/"' in html
    assert 'name="password"' in html


def test_single_sign_on_is_off_without_an_issuer(settings: Any, db: None) -> None:
    settings.SECONDSTORY_OIDC_ISSUER = ""
    assert "Log in with" not in Client().get("/login/").content.decode()
    assert Client().get("/login/sso/").status_code == 404
    assert Client().get("/login/sso/callback/?code=x&state=y").status_code == 404


def test_a_wrong_client_secret_is_explained(provider: Provider, settings: Any) -> None:
    settings.SECONDSTORY_OIDC_CLIENT_SECRET = "not the secret"
    client = Client()
    _assert_refused(sign_in(client, provider), client, "single sign-on refused the sign-in")


def test_userinfo_about_another_person_is_refused(provider: Provider) -> None:
    provider.add_person("erin", groups=["sre-leads"])
    provider.userinfo_as = "erin"
    client = Client()
    _assert_refused(sign_in(client, provider), client, "described another person")
