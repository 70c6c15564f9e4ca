"""The account an OpenID Connect sign-in lands in: found, linked or created just in time,
with its role and teams brought in line with the provider's groups on every sign-in."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secondstory.accounts.models import Role, SingleSignOnIdentity, Team, User
from secondstory.core import taxonomy
from secondstory.core.claims import Access, ClaimMapping, access_from_claims


class SignInError(Exception):
    """A sign-in refused, with a message for the person signing in (no secrets in it)."""


def provider_name() -> str:
    return str(settings.SECONDSTORY_OIDC_NAME)


@transaction.atomic
def account_for_claims(issuer: str, claims: Mapping[str, object]) -> User:
    """The account of the verified ``claims``, its role and teams updated; SignInError when
    the person may not sign in (nothing is created or changed then)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SignInError(f"{provider_name()} sent no subject (sub claim) to identify you by.")
    mapping: ClaimMapping = settings.SECONDSTORY_OIDC_MAPPING
    access = access_from_claims(claims, mapping)
    if access.role is None:
        raise SignInError(
            f"Your {provider_name()} account is in none of the groups that may use "
            "secondstory. Ask an admin to add you to one."
        )
    identity = (
        SingleSignOnIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    created = identity is None
    user = identity.user if identity is not None else _link_or_create(claims, access)
    if not user.is_active:
        raise SignInError("This account is deactivated. Ask an admin if that is a mistake.")
    if identity is None:
        identity = SingleSignOnIdentity(user=user, issuer=issuer, subject=subject)
    identity.last_sign_in_at = timezone.now()
    identity.save()
    _apply(user, claims, access, mapping, created=created)
    return user


def _link_or_create(claims: Mapping[str, object], access: Access) -> User:
    username = _username(claims)
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        if not settings.SECONDSTORY_OIDC_LINK_EXISTING:
            raise SignInError(
                f"An account named “{username}” already exists and is not linked to "
                f"{provider_name()}. An admin can link existing accounts by name "
                "(SECONDSTORY_OIDC_LINK_EXISTING=true) or rename that account."
            )
        if existing.sso_identities.exists():
            raise SignInError(
                f"The account “{username}” is linked to another {provider_name()} identity."
            )
        return existing
    if not settings.SECONDSTORY_OIDC_CREATE_ACCOUNTS:
        raise SignInError(
            f"There is no secondstory account for “{username}”. Ask an admin to create one."
        )
    user = User(username=username, display_name=_text(claims, "name")[: taxonomy.MAX_PERSON_NAME])
    user.role = access.role or Role.VIEWER
    user.set_unusable_password()
    try:
        user.full_clean(exclude=["password", "email", "display_name"])
    except ValidationError as exc:
        raise SignInError(
            f"The user name “{username}” from {provider_name()} cannot be used here: "
            + "; ".join(exc.messages)
        ) from exc
    user.save()
    return user


def _username(claims: Mapping[str, object]) -> str:
    """The configured claim, else the e-mail address, else the subject."""
    for claim in (settings.SECONDSTORY_OIDC_USERNAME_CLAIM, "email", "sub"):
        value = _text(claims, claim)
        if value:
            return value[:150]
    raise SignInError(f"{provider_name()} sent nothing to name your account by.")


def _text(claims: Mapping[str, object], claim: str) -> str:
    value = claims.get(claim)
    return value.strip() if isinstance(value, str) else ""


def _apply(
    user: User,
    claims: Mapping[str, object],
    access: Access,
    mapping: ClaimMapping,
    *,
    created: bool,
) -> None:
    """E-mail from the provider; role and staff flags when roles are mapped (or the account is
    new); membership of the teams the mapping names. Other teams are left alone."""
    email = _text(claims, "email")
    if email and claims.get("email_verified", True) is not False:
        user.email = email[:254]
    if (mapping.manages_roles or created) and access.role is not None:
        user.role = access.role
        if mapping.manages_roles:
            user.is_staff = user.is_superuser = access.role == Role.ADMIN
    user.save()
    for slug in sorted(mapping.managed_teams):
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            if slug not in access.member_of:
                continue
            team = Team.objects.create(slug=slug, name=slug.replace("-", " ").capitalize())
        _set_membership(team.members, user, slug in access.member_of)
        _set_membership(team.maintainers, user, slug in access.maintainer_of)


def _set_membership(relation: object, user: User, member: bool) -> None:
    if member:
        relation.add(user)  # type: ignore[attr-defined]
    else:
        relation.remove(user)  # type: ignore[attr-defined]
