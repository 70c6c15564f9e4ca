"""The sign-in forms (the app's and the admin's), throttled (see accounts.throttle)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from secondstory.accounts import throttle


class ThrottledLoginMixin:
    """Refuses a sign-in while its username or address waits; counts each failure."""

    throttled: str = ""
    retry_after: int = 0

    def clean(self) -> dict[str, Any]:
        form: Any = self
        username = str(form.cleaned_data.get("username") or "")
        address = throttle.client_address(form.request)
        wait, who = throttle.wait_seconds(username, address)
        if wait:
            whose = "this username" if who == "username" else "your address"
            self.retry_after = wait
            self.throttled = (
                f"Too many failed sign-ins for {whose}. Try again in "
                f"{throttle.describe_wait(wait)}."
            )
            raise ValidationError(self.throttled, code="throttled")
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.forget_failures(username)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
