"""The account page: profile, password, personal API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from secondstory.accounts import permissions, tokens
from secondstory.accounts.forms import ProfileForm, TokenForm
from secondstory.accounts.models import ApiToken, User
from secondstory.accounts.sso_accounts import provider_name
from secondstory.postmortems.access import signed_in_user


def _signs_in_with_sso(user: User) -> bool:
    return user.sso_identities.exists()


def _may_change_password(user: User) -> bool:
    return bool(settings.SECONDSTORY_LOCAL_PASSWORDS) and user.has_usable_password()


def _page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    user = signed_in_user(request)
    sso = _signs_in_with_sso(user)
    context = {
        "profile_form": forms.get("profile_form") or ProfileForm(instance=user, managed_email=sso),
        "password_form": forms.get("password_form") or PasswordChangeForm(user),
        "token_form": forms.get("token_form") or TokenForm(),
        "created": forms.get("created"),
        "tokens": tokens.tokens_of(user),
        "signs_in_with_sso": sso,
        "provider_name": provider_name(),
        "may_change_password": _may_change_password(user),
        "now": timezone.now(),
        "manages_service_accounts": permissions.may_manage_service_accounts(user),
    }
    return render(request, "accounts/account.html", context, status=status)


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ProfileForm(request.POST, instance=user, managed_email=_signs_in_with_sso(user))
    if not form.is_valid():
        user.refresh_from_db()
        return _page(request, status=400, profile_form=form)
    form.save()
    messages.success(request, "Your profile is saved.")
    return redirect("accounts:account")


@require_POST
def password(request: HttpRequest) -> HttpResponse:
    """Change the password (Django's validators apply); other sessions are signed out."""
    user = signed_in_user(request)
    if not _may_change_password(user):
        raise Http404("This account has no local password.")
    form = PasswordChangeForm(user, request.POST)
    if not form.is_valid():
        return _page(request, status=400, password_form=form)
    form.save()
    update_session_auth_hash(request, form.user)
    messages.success(request, "Your password is changed.")
    return redirect("accounts:account")


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret on the answer to this request, the only time it is
    shown (only its digest is stored)."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, token_form=form)
    created = tokens.create_token(
        signed_in_user(request),
        name=form.cleaned_data["name"],
        scopes=list(form.cleaned_data["scopes"]),
        expires_at=form.expires_at(),
    )
    return _page(request, created=created)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=signed_in_user(request))
    tokens.revoke(token)
    messages.success(request, f"Revoked “{token.name}” ({token.hint}…).")
    return redirect("accounts:account")
