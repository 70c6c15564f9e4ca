"""What the login page and the header need to know about the ways to sign in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def sign_in(request: HttpRequest) -> dict[str, object]:
    return {
        "sso_enabled": bool(settings.SECONDSTORY_OIDC_ISSUER),
        "sso_name": settings.SECONDSTORY_OIDC_NAME,
        "local_passwords": settings.SECONDSTORY_LOCAL_PASSWORDS,
        # Resetting a password needs mail: without an SMTP host the link is not offered.
        "password_reset": settings.SECONDSTORY_LOCAL_PASSWORDS and bool(settings.EMAIL_HOST),
    }
