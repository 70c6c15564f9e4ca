"""`secondstory mcp --http`: the streamable HTTP transport, a Bearer token per request."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from tests.apps.mcp.test_mcp_stdio import COMMAND, answer, environment, error_of, token
from tests.apps.notify.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(postmortem: Postmortem, restricted: Postmortem) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [COMMAND, "mcp", "--http", "--port", str(port)],
        env=environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 120  # a liveness bound, not a speed goal
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                httpx2.get(url, timeout=5)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)
        if server.stderr:
            server.stderr.close()


def _session(url: str, raw: str) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {raw}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as client,
            streamable_http_client(url, http_client=client) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return {
                "tools": [t.name for t in (await session.list_tools()).tools],
                "search": await session.call_tool("search", {"query": "checkout"}),
                "record": await session.call_tool("postmortem", {"key": "PM-R"}),
            }

    return anyio.run(main)


def test_each_request_answers_as_its_token_s_person(
    endpoint: str, alice: User, charlie: User
) -> None:
    reader = _session(endpoint, token(alice, "read"))
    assert sorted(reader["tools"]) == ["ask", "postmortem", "search", "similar_incidents"]
    assert {hit["key"] for hit in answer(reader["search"])["hits"]} == {"PM-1", "PM-R"}
    assert answer(reader["record"])["key"] == "PM-R"

    outsider = _session(endpoint, token(charlie, "library:read"))
    assert {hit["key"] for hit in answer(outsider["search"])["hits"]} == {"PM-1"}
    assert "lacks the postmortems:read scope" in error_of(outsider["record"])


def test_a_request_without_a_live_token_is_refused_with_401(endpoint: str) -> None:
    hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    for headers in ({}, {"Authorization": "Bearer ss_unknown"}, {"Authorization": "Basic x"}):
        response = httpx2.post(endpoint, json=hello, headers=headers, timeout=30)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"] == "invalid_token"
