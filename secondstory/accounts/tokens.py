"""Personal API tokens: create (the secret is known once), authenticate, revoke.

A token reads ``ss_`` followed by 43 URL-safe characters. Only its SHA-256 digest is stored:
the secret has 256 random bits, so a fast digest is as safe as a slow password hash and keeps
every API request cheap.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from secondstory.accounts.models import ApiToken, TokenScope, User

PREFIX = "ss_"
# The scopes a token may carry: the one list the API and the account page use.
SCOPES: tuple[str, ...] = tuple(TokenScope.values)
# Expiry choices on the account page, in days (None: never expires).
LIFETIMES: tuple[int | None, ...] = (7, 30, 90, 365, None)
# "Last used" is written at most this often per token, so reads do not each cost a write.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A just-created token with its secret in clear: the only moment the secret is known."""

    token: ApiToken
    raw: str


def token_digest(raw: str) -> str:
    """The SHA-256 hex digest stored instead of the token itself."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(
    user: User, *, name: str, scopes: list[str], expires_at: datetime | None
) -> NewToken:
    """A token acting for ``user`` with ``scopes`` until ``expires_at`` (None: no expiry)."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"scopes: expected one or more of {', '.join(SCOPES)}")
    if not name.strip():
        raise ValueError("name: give the token a name that says what uses it")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        token_hash=token_digest(raw),
        hint=raw[: len(PREFIX) + 6],
        scopes=sorted(set(scopes), key=SCOPES.index),
        expires_at=expires_at,
    )
    return NewToken(token, raw)


def authenticate_token(raw: str, *, kind: str = "api") -> ApiToken | None:
    """The live token ``raw`` is the secret of, or None.

    None when it is unknown, revoked or expired, or when its person's account is inactive.
    Records when the token was last used, and the use in the audit log as ``kind`` (``api``,
    ``mcp``). The caller checks ``token.allows(scope)`` and acts as ``token.user``.
    """
    if not raw.startswith(PREFIX):
        return None
    from secondstory.audit.record import record_token_use

    token = ApiToken.objects.select_related("user").filter(token_hash=token_digest(raw)).first()
    now = timezone.now()
    if token is None:
        return None
    if not is_live(token, now) or not token.user.is_active:
        refused = "revoked" if token.revoked_at is not None else "expired"
        record_token_use(kind, token, refused=refused if token.user.is_active else "inactive")
        return None
    record_token_use(kind, token)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    """Not revoked and not expired."""
    now = now or timezone.now()
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
