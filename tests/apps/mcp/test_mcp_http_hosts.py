"""Which ``Host`` names the HTTP transport accepts: the web app's, and this machine's."""

from __future__ import annotations

from typing import Any

from secondstory.mcp_server.http import transport_security


def test_the_web_app_s_host_names_are_accepted_behind_the_proxy(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["secondstory.example.com", ".example.org"]
    security = transport_security()
    assert security.enable_dns_rebinding_protection
    assert "secondstory.example.com" in security.allowed_hosts
    assert "example.org:*" in security.allowed_hosts
    assert "127.0.0.1:*" in security.allowed_hosts
    assert "https://secondstory.example.com" in security.allowed_origins
    assert "evil.example.net" not in security.allowed_hosts


def test_a_wildcard_host_list_turns_the_host_check_off(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    assert not transport_security().enable_dns_rebinding_protection
