"""The sign-in pages of single sign-on: off to the provider, and back."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from secondstory.accounts import sso
from secondstory.accounts.sso_accounts import SignInError

BACKEND = "secondstory.accounts.backends.LocalPasswordBackend"


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    context = {"form": AuthenticationForm(request), "sso_error": message}
    return render(request, "registration/login.html", context, status=400)


@login_not_required
@require_GET
def sso_begin(request: HttpRequest) -> HttpResponse:
    if not sso.enabled():
        raise Http404("Single sign-on is not configured.")
    try:
        return sso.begin(request, request.GET.get("next", ""))
    except SignInError as exc:
        return _refused(request, str(exc))


@login_not_required
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    if not sso.enabled():
        raise Http404("Single sign-on is not configured.")
    try:
        user = sso.complete(request)
    except SignInError as exc:
        return _refused(request, str(exc))
    landing = sso.landing(request)
    login(request, user, backend=BACKEND)
    return redirect(landing)
