"""Password reset by e-mail: through Django's mail outbox and through a real SMTP server."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client

from secondstory.accounts.models import User
from tests.apps.notify.conftest import Inbox

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"https://postmortems\.example\.com(/password-reset/[^/\s]+/[^/\s]+/)")


def _mail_configured(settings: Any) -> None:
    settings.EMAIL_HOST = "smtp.example.com"
    settings.SECONDSTORY_BASE_URL = "https://postmortems.example.com/"


def _reset_with(link_path: str) -> None:
    client = Client()
    form = client.get(link_path, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    url = form.redirect_chain[-1][0]
    done = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"


def test_a_reset_link_by_mail_sets_a_new_password(alice: User, settings: Any) -> None:
    _mail_configured(settings)
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    login_page = Client().get("/login/").content.decode()
    assert 'href="/password-reset/"' in login_page
    response = Client().post(
        "/password-reset/", {"email": "alice@example.com"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your secondstory password"
    assert "evil.example" not in message.body  # links start with SECONDSTORY_BASE_URL
    link = LINK.search(message.body)
    assert link is not None, message.body
    _reset_with(link.group(1))
    assert authenticate(username="alice", password=NEW_PASSWORD) == alice
    used_again = Client().get(link.group(1), follow=True).content.decode()
    assert "has been used already or has expired" in used_again


def test_no_mail_for_unknown_addresses_or_accounts_without_a_password(
    alice: User, bob: User, settings: Any
) -> None:
    _mail_configured(settings)
    bob.set_unusable_password()
    bob.save()
    for address in ("nobody@example.com", "bob@example.com"):
        response = Client().post("/password-reset/", {"email": address})
        assert response.status_code == 302  # the same answer: no account is revealed
    assert mail.outbox == []


def test_without_mail_the_page_says_so(alice: User, settings: Any) -> None:
    settings.EMAIL_HOST = ""
    assert "Forgot your password?" not in Client().get("/login/").content.decode()
    html = Client().get("/password-reset/").content.decode()
    assert "cannot send e-mail" in html
    assert Client().post("/password-reset/", {"email": "alice@example.com"}).status_code == 200
    assert mail.outbox == []


def test_the_reset_mail_goes_through_the_configured_smtp_server(
    alice: User,
    smtp: Inbox,
    settings: Any,
) -> None:
    settings.SECONDSTORY_BASE_URL = "https://postmortems.example.com"
    response = Client().post("/password-reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["alice@example.com"]
    assert message["Subject"] == "Reset your secondstory password"
    link = LINK.search(smtp.body(0))
    assert link is not None
    _reset_with(link.group(1))
    assert authenticate(username="alice", password=NEW_PASSWORD) == alice
