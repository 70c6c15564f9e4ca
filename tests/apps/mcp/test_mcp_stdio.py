"""`secondstory mcp` as an assistant meets it: a real MCP client session over stdio.

The server runs as a subprocess on the test database (committed rows: a transactional
test), started by the SDK's ``stdio_client`` and spoken to through ``ClientSession``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from django.db import connection
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult, TextContent

from secondstory.accounts import tokens
from secondstory.accounts.models import User
from secondstory.audit.models import AuditEvent
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

pytestmark = pytest.mark.django_db(transaction=True)
COMMAND = str(Path(sys.executable).with_name("secondstory"))


def database_url() -> str:
    """The test database as a ``SECONDSTORY_DATABASE_URL`` a child process can use."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = config["USER"] or "postgres"
    host = f"{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{config['NAME']}"


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_MCP_TOKEN"}
    return {**env, "SECONDSTORY_DATABASE_URL": database_url(), **extra}


def token(user: User, *scopes: str) -> str:
    return tokens.create_token(user, name="assistant", scopes=list(scopes), expires_at=None).raw


Session = Callable[[ClientSession], Awaitable[Any]]


def in_session(raw: str, work: Session) -> Any:
    """Start `secondstory mcp` with the token ``raw``, initialize, and run ``work``."""
    server = StdioServerParameters(
        command=COMMAND, args=["mcp"], env=environment(SECONDSTORY_MCP_TOKEN=raw)
    )

    async def main() -> Any:
        with open(os.devnull, "w") as errors:
            async with (
                stdio_client(server, errlog=errors) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                return await work(session)

    return anyio.run(main)


def answer(result: CallToolResult) -> Any:
    assert not result.is_error, result.content
    [content] = result.content
    assert isinstance(content, TextContent)
    return json.loads(content.text) if content.text.startswith(("{", "[")) else content.text


def error_of(result: CallToolResult) -> str:
    assert result.is_error
    [content] = result.content
    assert isinstance(content, TextContent)
    return content.text


@pytest.fixture
def library(postmortem: Postmortem, restricted: Postmortem) -> dict[str, Postmortem]:
    """PM-1, and two earlier postmortems like it: PM-0 and the restricted PM-R."""
    Postmortem.objects.filter(pk=restricted.pk).update(
        created_at=datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
    )
    earlier = replace(
        postmortem_record("PM-0"),
        title="Checkout pool exhausted after a config deploy",
        created_at=datetime(2025, 11, 2, 9, 0, tzinfo=UTC),
    )
    return {"PM-1": postmortem, "PM-0": load_record(earlier), "PM-R": restricted}


def test_a_reader_lists_the_tools_and_searches_asks_and_reads(
    library: dict[str, Postmortem], alice: User
) -> None:
    async def work(session: ClientSession) -> dict[str, Any]:
        listed = await session.list_tools()
        return {
            "tools": {tool.name: tool for tool in listed.tools},
            "search": await session.call_tool("search", {"query": "pool size service:checkout"}),
            "ask": await session.call_tool(
                "ask", {"question": "did a pool size config break checkout?"}
            ),
            "similar": await session.call_tool("similar_incidents", {"key": "PM-1"}),
            "json": await session.call_tool("postmortem", {"key": "PM-1"}),
            "markdown": await session.call_tool(
                "postmortem", {"key": "PM-1", "format": "markdown"}
            ),
            "resource": await session.read_resource("secondstory://postmortems/PM-1"),
        }

    got = in_session(token(alice, "read"), work)

    assert set(got["tools"]) == {"search", "ask", "similar_incidents", "postmortem"}
    assert all(t.annotations.read_only_hint for t in got["tools"].values())
    assert "query" in got["tools"]["search"].input_schema["properties"]
    search = answer(got["search"])
    assert {hit["key"] for hit in search["hits"]} == {"PM-0", "PM-1", "PM-R"}
    assert search["total"] == 3
    assert any("«pool»" in hit["snippet"] for hit in search["hits"])
    assert search["hits"][0]["url"].endswith(f"/postmortems/{search['hits'][0]['key']}/")
    sources = answer(got["ask"])["sources"]
    assert sources and all(s["passages"] for s in sources)
    similar = {s["key"]: s for s in answer(got["similar"])["similar"]}
    assert set(similar) == {"PM-0", "PM-R"}
    assert similar["PM-0"]["services"] == ["Checkout"] and similar["PM-0"]["reason"]
    record = answer(got["json"])
    assert record["key"] == "PM-1"
    assert record["sections"]["trigger"].startswith("A configuration change")
    assert [f["key"] for f in record["factors"]] == ["F1", "F2"]
    assert record["action_items"][0]["title"] == "Validate pool sizes in the config tool"
    timeline = record["incidents"][0]["timeline"]
    assert timeline[0]["text"] == "Deployed config change 881 to checkout"
    markdown = answer(got["markdown"])
    assert markdown.startswith("---\n") and "key: PM-1" in markdown
    [contents] = got["resource"].contents
    assert contents.text == markdown


def test_a_restricted_postmortem_is_invisible_to_an_outsider_and_audited_for_a_reader(
    library: dict[str, Postmortem], alice: User, charlie: User
) -> None:
    async def work(session: ClientSession) -> dict[str, Any]:
        return {
            "search": await session.call_tool("search", {"query": "checkout"}),
            "record": await session.call_tool("postmortem", {"key": "PM-R"}),
            "similar": await session.call_tool("similar_incidents", {"key": "PM-R"}),
            "similar to PM-1": await session.call_tool("similar_incidents", {"key": "PM-1"}),
        }

    outsider = in_session(token(charlie, "read"), work)
    assert "PM-R" not in {hit["key"] for hit in answer(outsider["search"])["hits"]}
    not_found = "No postmortem 'PM-R' that you may read."
    assert error_of(outsider["record"]) == f"Error executing tool postmortem: {not_found}"
    assert error_of(outsider["similar"]) == f"Error executing tool similar_incidents: {not_found}"
    assert "PM-R" not in {s["key"] for s in answer(outsider["similar to PM-1"])["similar"]}
    assert not AuditEvent.objects.filter(action="read", object_label="PM-R").exists()

    reader = in_session(token(alice, "read"), work)
    assert "PM-R" in {hit["key"] for hit in answer(reader["search"])["hits"]}
    assert answer(reader["record"])["key"] == "PM-R"
    [read] = AuditEvent.objects.filter(action="read", object_label="PM-R")
    assert (read.actor, read.actor_user_id, read.after) == (
        "alice",
        alice.pk,
        {"view": "mcp record (json)"},
    )
    uses = AuditEvent.objects.filter(action="token_use", actor__startswith="mcp-token:")
    assert uses.count() == 2 * 4 + 2  # each call, and each start


def test_a_token_without_a_scope_gets_a_tool_error(
    library: dict[str, Postmortem], alice: User
) -> None:
    async def work(session: ClientSession) -> dict[str, Any]:
        return {
            "search": await session.call_tool("search", {"query": "checkout"}),
            "record": await session.call_tool("postmortem", {"key": "PM-1"}),
        }

    got = in_session(token(alice, "library:read"), work)
    assert answer(got["search"])["total"] == 3
    assert error_of(got["record"]) == (
        "Error executing tool postmortem: This token lacks the postmortems:read scope; "
        "create one with it on the account page."
    )


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, "mcp", *args],
        env=environment(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bad_token_stops_the_server_with_one_clear_line(
    library: dict[str, Postmortem], alice: User, tmp_path: Path
) -> None:
    unknown = _run(SECONDSTORY_MCP_TOKEN="ss_not-a-token")
    assert unknown.returncode == 1
    assert unknown.stdout == ""
    assert unknown.stderr == (
        "error: SECONDSTORY_MCP_TOKEN: The token is unknown, revoked or expired, or its "
        "account is inactive; create a new one on the account page.\n"
    )
    missing = _run()
    assert missing.returncode == 1 and missing.stderr.startswith("error: no token: set SECONDSTORY")
    narrow = tmp_path / "token"
    narrow.write_text(token(alice, "actions:read") + "\n")
    useless = _run("--token-file", str(narrow))
    assert useless.returncode == 1
    assert "neither the library:read nor the postmortems:read scope" in useless.stderr
    assert "Traceback" not in unknown.stderr + missing.stderr + useless.stderr
