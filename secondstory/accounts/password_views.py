"""Password reset by e-mail, through the configured SMTP server (Django's views and tokens).

Links in the message start with SECONDSTORY_BASE_URL, never with the Host header of the
request that asked for them. Accounts without a local password (single sign-on only) get no
message, and neither does an address no account has; the answer is the same either way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponseBase

from secondstory.lib import site


class _LocalPasswordsOnly:
    @login_not_required
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.SECONDSTORY_LOCAL_PASSWORDS:
            raise Http404("Local passwords are turned off: sign in with single sign-on.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]


class PasswordResetView(_LocalPasswordsOnly, auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["mail_configured"] = bool(settings.EMAIL_HOST)
        return context

    def form_valid(self, form: Any) -> Any:
        if not settings.EMAIL_HOST:
            return self.form_invalid(form)
        self.extra_email_context = {"base_url": site.configured_base_url() or site.DEFAULT_BASE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(_LocalPasswordsOnly, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(_LocalPasswordsOnly, auth_views.PasswordResetConfirmView):
    pass


class PasswordResetCompleteView(_LocalPasswordsOnly, auth_views.PasswordResetCompleteView):
    pass
