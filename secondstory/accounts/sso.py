"""Single sign-on with OpenID Connect (authorization code flow with PKCE), through Authlib.

The provider is found by discovery (``<issuer>/.well-known/openid-configuration``). Authlib
keeps state, nonce and the PKCE verifier in the session, and checks the ID token: its
signature against the provider's published keys (JWKS), issuer, audience, expiry and nonce.
Every failure becomes a SignInError whose message says what went wrong, and nothing is
created or changed.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)

from secondstory.accounts.models import User
from secondstory.accounts.sso_accounts import SignInError, account_for_claims, provider_name
from secondstory.lib import site

log = logging.getLogger(__name__)

NEXT_KEY = "secondstory_sso_next"
# Discovery documents and keys are fetched again after this long (keys also on an unknown kid).
METADATA_MAX_AGE = 3600
# Seconds of clock difference tolerated between the provider and this server.
LEEWAY = 60


def enabled() -> bool:
    return bool(settings.SECONDSTORY_OIDC_ISSUER)


def callback_url() -> str:
    """The redirect URI to register at the provider."""
    return site.base_url() + reverse("sso_callback")


def begin(request: HttpRequest, next_url: str) -> HttpResponse:
    """Redirect to the provider's sign-in page; ``next_url`` is where to land afterwards."""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        request.session[NEXT_KEY] = next_url
    else:
        request.session.pop(NEXT_KEY, None)
    app = _app()
    try:
        _metadata(app)
        response: HttpResponse = app.authorize_redirect(request, callback_url())
    except requests.RequestException as exc:
        raise _unreachable(exc) from exc
    return response


def complete(request: HttpRequest) -> User:
    """The account the provider's answer signs in to; SignInError when it may not."""
    app = _app()
    try:
        claims = _verified_claims(request, app)
    except requests.RequestException as exc:
        raise _unreachable(exc) from exc
    except (OAuthError, JoseError) as exc:
        log.warning("single sign-on refused: %r", exc)
        raise SignInError(explain(exc)) from exc
    try:
        return account_for_claims(settings.SECONDSTORY_OIDC_ISSUER, claims)
    except IntegrityError as exc:  # the same person's first sign-in, twice at once
        raise SignInError("Your account was being set up at the same moment. Try again.") from exc


def landing(request: HttpRequest) -> str:
    """Where to go after signing in (the page asked for, or the home page)."""
    return str(request.session.pop(NEXT_KEY, "") or reverse(settings.LOGIN_REDIRECT_URL))


def _verified_claims(request: HttpRequest, app: DjangoOAuth2App) -> dict[str, Any]:
    metadata = _metadata(app)
    # Authlib checks the audience only through azp unless told to: require our client id.
    claims_options = {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [app.client_id]},
    }
    token = app.authorize_access_token(request, leeway=LEEWAY, claims_options=claims_options)
    id_claims = token.get("userinfo")
    if not id_claims:
        raise SignInError(
            f"{provider_name()} sent no ID token. Is the openid scope allowed for this client?"
        )
    claims = dict(id_claims)
    if metadata.get("userinfo_endpoint"):
        extra = dict(app.userinfo(token=token))
        if extra.get("sub") != claims.get("sub"):
            raise SignInError(
                f"{provider_name()} described another person at its userinfo endpoint "
                "than in the ID token."
            )
        claims = {**extra, **claims}
    return claims


def explain(exc: Exception) -> str:
    """What went wrong, for the person signing in."""
    name = provider_name()
    if isinstance(exc, MismatchingStateError):
        return (
            "This sign-in did not start here, or it took too long (the state does not "
            "match). Please try again."
        )
    if isinstance(exc, OAuthError):
        detail = exc.description or exc.error
        return f"{name} refused the sign-in: {detail}."
    if isinstance(exc, BadSignatureError | InvalidKeyIdError):
        return f"The ID token is not signed with a key {name} publishes (JWKS): refused."
    if isinstance(exc, ExpiredTokenError):
        return f"The ID token from {name} has expired. Please try again."
    if isinstance(exc, ClaimError):
        return _claim_problem(exc.claim, name)
    return f"The ID token from {name} could not be verified ({exc.error}). Please try again."


def _claim_problem(claim: str, name: str) -> str:
    problems = {
        "aud": "The ID token was issued for another application (audience), not this one.",
        "azp": "The ID token was issued for another application (authorized party).",
        "iss": f"The ID token was not issued by {name} ({settings.SECONDSTORY_OIDC_ISSUER}).",
        "nonce": "The ID token does not belong to this sign-in (nonce). Please try again.",
        "exp": f"The ID token from {name} has expired. Please try again.",
        "iat": f"The ID token from {name} has an invalid issue time.",
        "nbf": f"The ID token from {name} is not valid yet. Are the clocks in sync?",
    }
    return problems.get(claim, f"The ID token from {name} has an invalid {claim} claim.")


def _unreachable(exc: requests.RequestException) -> SignInError:
    log.warning("single sign-on provider unreachable: %r", exc)
    response = exc.response
    if response is not None:
        return SignInError(
            f"{provider_name()} answered {response.status_code} at {response.url}. "
            "Please try again later, or tell an admin if it keeps happening."
        )
    return SignInError(
        f"{provider_name()} could not be reached at {settings.SECONDSTORY_OIDC_ISSUER}. "
        "Please try again later."
    )


def _app() -> DjangoOAuth2App:
    app = _configured_app(
        settings.SECONDSTORY_OIDC_ISSUER,
        settings.SECONDSTORY_OIDC_CLIENT_ID,
        settings.SECONDSTORY_OIDC_CLIENT_SECRET,
        settings.SECONDSTORY_OIDC_SCOPES,
        settings.SECONDSTORY_OIDC_TIMEOUT,
    )
    loaded_at = app.server_metadata.get("_loaded_at", 0)
    if loaded_at and time.time() - loaded_at > METADATA_MAX_AGE:
        app.server_metadata.clear()
    return app


@lru_cache(maxsize=4)
def _configured_app(
    issuer: str, client_id: str, client_secret: str, scopes: str, timeout: int
) -> DjangoOAuth2App:
    registry = OAuth()
    app: DjangoOAuth2App = registry.register(
        name="oidc",
        client_id=client_id,
        client_secret=client_secret or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "default_timeout": timeout,
        },
    )
    return app


def _metadata(app: DjangoOAuth2App) -> dict[str, Any]:
    """The discovery document, which must name the configured issuer (OIDC Discovery 4.3)."""
    metadata: dict[str, Any] = app.load_server_metadata()
    issuer = settings.SECONDSTORY_OIDC_ISSUER
    if str(metadata.get("issuer", "")).rstrip("/") != issuer:
        app.server_metadata.clear()
        raise SignInError(
            f"The discovery document at {issuer} names another issuer "
            f"({metadata.get('issuer')!r}): single sign-on is misconfigured."
        )
    return metadata
