"""Signing in with a local password, unless the installation turned local passwords off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


class LocalPasswordBackend(ModelBackend):
    """Django's username + password check, refused outright with SECONDSTORY_LOCAL_PASSWORDS
    false (single sign-on only): the login form, the admin's login and any other caller of
    ``authenticate`` alike."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if not settings.SECONDSTORY_LOCAL_PASSWORDS:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
