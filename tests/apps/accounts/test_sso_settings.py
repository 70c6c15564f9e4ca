"""Bad single sign-on settings stop the server at start-up with a message naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apps.test_cli import run


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SECONDSTORY_OIDC_ISSUER": "https://idp.example"},
            "SECONDSTORY_OIDC_CLIENT_ID: required when SECONDSTORY_OIDC_ISSUER is set",
        ),
        (
            {"SECONDSTORY_LOCAL_PASSWORDS": "false"},
            "SECONDSTORY_LOCAL_PASSWORDS=false needs single sign-on: set SECONDSTORY_OIDC_ISSUER",
        ),
        (
            {
                "SECONDSTORY_OIDC_ISSUER": "https://idp.example",
                "SECONDSTORY_OIDC_CLIENT_ID": "secondstory",
                "SECONDSTORY_OIDC_SCOPES": "email profile",
            },
            "SECONDSTORY_OIDC_SCOPES='email profile': must include openid",
        ),
        (
            {"SECONDSTORY_OIDC_ROLES": '{"ops": "root"}'},
            "SECONDSTORY_OIDC_ROLES: group 'ops' maps to 'root'; "
            "expected one of viewer, responder, admin",
        ),
    ],
    ids=["no-client-id", "no-way-in", "no-openid-scope", "bad-role"],
)
def test_bad_settings_are_refused_by_name(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = run("check", SECONDSTORY_HOME=str(tmp_path), **env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"error: configuration: {message}"]
