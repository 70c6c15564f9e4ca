"""Is a delivery genuine? Each tool's way of signing or presenting a secret.

- PagerDuty (webhooks v3): ``X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the body>``, with
  several comma-separated signatures while a secret is being rotated; any one matching any
  configured secret will do.
- Opsgenie (webhook integration): the token as a custom header ``X-Secondstory-Token``, as
  ``Authorization: Bearer <token>``, or as the password of basic authentication.
- Alertmanager (``webhook_config`` with ``http_config``): ``Authorization: Bearer <token>``
  (``authorization`` / ``bearer_token``) or basic authentication (``basic_auth``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

TOKEN_HEADER = "X-Secondstory-Token"


def pagerduty_signed(headers: Mapping[str, str], body: bytes, secrets: list[str]) -> bool:
    """True when one ``v1=`` signature of the header is the HMAC of the body under a secret."""
    given = [
        part.strip()[3:].lower()
        for part in headers.get("X-PagerDuty-Signature", "").split(",")
        if part.strip().startswith("v1=")
    ]
    expected = [hmac.new(s.encode(), body, hashlib.sha256).hexdigest() for s in secrets]
    return any(hmac.compare_digest(g, e) for g in given for e in expected)


def presented_tokens(headers: Mapping[str, str]) -> list[str]:
    """Every token the request presents: the custom header, a bearer token, a basic password."""
    tokens = []
    if headers.get(TOKEN_HEADER):
        tokens.append(headers[TOKEN_HEADER].strip())
    scheme, _, value = headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        tokens.append(value.strip())
    elif scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        _, sep, password = decoded.partition(":")
        if sep and password:
            tokens.append(password)
    return tokens


def token_matches(headers: Mapping[str, str], token: str) -> bool:
    return bool(token) and any(
        hmac.compare_digest(given.encode(), token.encode()) for given in presented_tokens(headers)
    )
