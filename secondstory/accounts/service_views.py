"""Service accounts: non-person API users an admin creates, gives a role and tokens.

A service account never signs in (no usable password); it acts only through its tokens,
with its role's rights narrowed to each token's scopes. Only admins see this page
(``permissions.may_manage_service_accounts``); everything else is refused with 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from secondstory.accounts import permissions, tokens
from secondstory.accounts.forms import TokenForm
from secondstory.accounts.models import ApiToken, Role, User
from secondstory.core import taxonomy
from secondstory.postmortems.access import signed_in_user


class ServiceAccountForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        label="Name",
        help_text="Letters, digits and . @ + - _ only, e.g. “deploy-bot”.",
    )
    display_name = forms.CharField(max_length=taxonomy.MAX_PERSON_NAME, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_username(self) -> str:
        name = str(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(f"“{name}” is already taken.")
        return name


def _admin(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not permissions.may_manage_service_accounts(user):
        raise PermissionDenied("Only admins manage service accounts.")
    return user


def _account(pk: int) -> User:
    return get_object_or_404(User, pk=pk, is_service_account=True)


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    accounts = User.objects.filter(is_service_account=True).prefetch_related("api_tokens")
    context = {
        "accounts": accounts,
        "account_form": extra.pop("account_form", None) or ServiceAccountForm(),
        "token_form": TokenForm(),
        "now": timezone.now(),
        **extra,
    }
    return render(request, "accounts/service_accounts.html", context, status=status)


@require_GET
def service_accounts(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return _page(request)


@require_POST
def service_account_create(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = ServiceAccountForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, account_form=form)
    account = User(
        username=form.cleaned_data["username"],
        display_name=form.cleaned_data["display_name"],
        role=form.cleaned_data["role"],
        is_service_account=True,
    )
    account.set_unusable_password()
    account.save()
    messages.success(request, f"Created the service account {account.username}.")
    return redirect("accounts:service_accounts")


@require_POST
def service_token_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A token for the service account; its secret is shown on this answer only."""
    _admin(request)
    account = _account(pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, token_errors=(account.pk, form.errors))
    created = tokens.create_token(
        account,
        name=form.cleaned_data["name"],
        scopes=list(form.cleaned_data["scopes"]),
        expires_at=form.expires_at(),
    )
    return _page(request, created=created)


@require_POST
def service_token_revoke(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    _admin(request)
    token = get_object_or_404(ApiToken, pk=token_pk, user=_account(pk))
    tokens.revoke(token)
    messages.success(request, f"Revoked “{token.name}” ({token.hint}…).")
    return redirect("accounts:service_accounts")


@require_POST
def service_account_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend (every token refused at once) or resume a service account."""
    _admin(request)
    account = _account(pk)
    account.is_active = request.POST.get("active") == "1"
    account.save(update_fields=["is_active"])
    state = "resumed" if account.is_active else "suspended: its tokens are refused"
    messages.success(request, f"{account.username} is {state}.")
    return redirect("accounts:service_accounts")
