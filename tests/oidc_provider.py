"""A small OpenID Connect provider on 127.0.0.1 for the tests: a documented test double.

It speaks the real protocol, so the application under test uses its production code path
(discovery, redirects, the token request over HTTP, signature checks against the JWKS):

- ``GET /.well-known/openid-configuration``: the discovery document;
- ``GET /jwks``: the public signing key (RS256, 2048-bit RSA, made per provider);
- ``GET /authorize``: a sign-in page listing the known people; ``POST /authorize`` with a
  ``username`` redirects back to the client's registered ``redirect_uri`` with a code and the
  client's ``state``;
- ``POST /token``: exchanges a code (client secret over HTTP Basic, PKCE S256 checked) for an
  access token and an ID token signed with joserfc;
- ``GET /userinfo``: the person's claims for a Bearer access token.

Faults a test can switch on (each makes one check of the client fail): ``sign_with`` (a key
that is not in the JWKS), ``audience``, ``issuer_claim``, ``lifetime`` (negative: expired),
``nonce``, ``extra_claims``, ``userinfo_as`` (another person's claims at the userinfo
endpoint). Nothing here is part of the application.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class Grant:
    username: str
    nonce: str | None
    redirect_uri: str
    challenge: str | None


@dataclass
class Provider:
    """State of one running provider; tests change the fault fields between steps."""

    client_id: str = "secondstory"
    client_secret: str = "provider-test-secret"
    redirect_uris: list[str] = field(default_factory=list)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: new_key("provider-key-1"))
    issuer: str = ""
    # Faults.
    sign_with: RSAKey | None = None
    audience: str | None = None
    issuer_claim: str | None = None
    lifetime: int = 300
    nonce: str | None = None
    extra_claims: dict[str, Any] = field(default_factory=dict)
    userinfo_as: str | None = None
    # What happened.
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, str] = field(default_factory=dict)
    token_requests: int = 0

    def add_person(self, username: str, **claims: Any) -> None:
        self.people[username] = {
            "sub": claims.pop("sub", f"subject-{username}"),
            "preferred_username": username,
            "email": f"{username}@example.com",
            "email_verified": True,
            "name": username.capitalize(),
            **claims,
        }

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile", "groups"],
        }

    def id_token(self, username: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            **self.people[username],
            "iss": self.issuer_claim or self.issuer,
            "aud": self.audience or self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + self.lifetime,
            **self.extra_claims,
        }
        if self.nonce is not None or nonce is not None:
            claims["nonce"] = self.nonce if self.nonce is not None else nonce
        key = self.sign_with or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length", "0"))
        pairs = parse_qs(self.rfile.read(length).decode())
        return {key: values[0] for key, values in pairs.items()}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        provider = self.provider
        if url.path == "/.well-known/openid-configuration":
            self._send(200, provider.discovery())
        elif url.path == "/jwks":
            self._send(200, KeySet([provider.key]).as_dict(private=False))
        elif url.path == "/authorize":
            self._authorize_page(query)
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            username = provider.access_tokens.get(token)
            if username is None:
                self._send(401, {"error": "invalid_token"})
            else:
                self._send(200, provider.people[provider.userinfo_as or username])
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/authorize":
            self._authorize(self._form())
        elif path == "/token":
            self._token(self._form())
        else:
            self._send(404, {"error": "not_found"})

    def _check_client(self, query: dict[str, str]) -> str | None:
        provider = self.provider
        if query.get("client_id") != provider.client_id:
            return "unknown client_id"
        if query.get("redirect_uri") not in provider.redirect_uris:
            return "redirect_uri is not registered for this client"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", ""):
            return "only the authorization code flow with the openid scope"
        return None

    def _authorize_page(self, query: dict[str, str]) -> None:
        problem = self._check_client(query)
        if problem:
            self._send(400, f"<p>{html.escape(problem)}</p>", "text/html")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        options = "".join(
            f'<option value="{html.escape(name)}">{html.escape(name)}</option>'
            for name in self.provider.people
        )
        page = (
            "<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>"
            f'<form method="post" action="/authorize">{hidden}'
            f'<label for="username">Account</label><select id="username" name="username">'
            f'{options}</select><button type="submit">Sign in</button></form>'
        )
        self._send(200, page, "text/html; charset=utf-8")

    def _authorize(self, form: dict[str, str]) -> None:
        problem = self._check_client(form)
        if problem or form.get("username") not in self.provider.people:
            self._send(400, f"<p>{html.escape(problem or 'unknown account')}</p>", "text/html")
            return
        code = secrets.token_urlsafe(16)
        self.provider.grants[code] = Grant(
            username=form["username"],
            nonce=form.get("nonce"),
            redirect_uri=form["redirect_uri"],
            challenge=form.get("code_challenge"),
        )
        target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form["state"]})
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _token(self, form: dict[str, str]) -> None:
        provider = self.provider
        provider.token_requests += 1
        expected = base64.b64encode(
            f"{provider.client_id}:{provider.client_secret}".encode()
        ).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._send(401, {"error": "invalid_client"})
            return
        grant = provider.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            self._send(400, {"error": "invalid_grant"})
            return
        if grant.challenge is not None and _s256(form.get("code_verifier", "")) != grant.challenge:
            self._send(400, {"error": "invalid_grant", "error_description": "PKCE failed"})
            return
        access = secrets.token_urlsafe(16)
        provider.access_tokens[access] = grant.username
        self._send(
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": provider.id_token(grant.username, grant.nonce),
            },
        )


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@contextmanager
def running_provider(redirect_uris: list[str]) -> Iterator[Provider]:
    """A provider serving on a free port of 127.0.0.1 until the block ends."""
    provider = Provider(redirect_uris=list(redirect_uris))
    handler = type("Handler", (_Handler,), {"provider": provider})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
