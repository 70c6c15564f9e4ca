"""Every way of setting a password asks Django's password validators."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError

from secondstory.accounts.models import User
from secondstory.accounts.services import create_user, set_password
from secondstory.cli.main import cli

WEAK = ["a", "password1", "12345678901234", "dana.reyes.1"]


def invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("password", WEAK)
def test_createuser_refuses_a_weak_password_without_a_traceback(db: None, password: str) -> None:
    code, output = invoke("createuser", "dana.reyes", "--password-stdin", input=password + "\n")
    assert code == 1, output
    assert output.startswith("error: password:")
    assert "Traceback" not in output
    assert not User.objects.filter(username="dana.reyes").exists()


def test_createuser_names_every_reason(db: None) -> None:
    code, output = invoke("createuser", "dana", "--password-stdin", input="a\n")
    assert code == 1
    assert "too short" in output and "at least 10 characters" in output


def test_createuser_accepts_a_strong_password(db: None) -> None:
    code, output = invoke("createuser", "dana", "--password-stdin", input="tide pools at dusk\n")
    assert code == 0, output
    assert User.objects.get(username="dana").check_password("tide pools at dusk")


def test_create_user_refuses_a_password_like_the_username(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        create_user("margaret.hamilton", password="margaret.hamilton", display_name="M. H.")
    assert "too similar" in "; ".join(caught.value.messages)
    assert not User.objects.exists()


def test_set_password_keeps_the_old_password_when_the_new_one_is_refused(db: None) -> None:
    user = create_user("dana", password="tide pools at dusk")
    with pytest.raises(ValidationError) as caught:
        set_password(user, "123456")
    assert "entirely numeric" in "; ".join(caught.value.messages)
    user.refresh_from_db()
    assert user.check_password("tide pools at dusk")
    set_password(user, "harbour lights at noon")
    user.refresh_from_db()
    assert user.check_password("harbour lights at noon")
