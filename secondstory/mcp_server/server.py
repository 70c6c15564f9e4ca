"""The read-only MCP server: tools and a resource over ``secondstory.mcp_server.library``.

``build_server(token_of)`` makes an ``MCPServer`` whose every tool call and resource read
asks ``token_of(ctx)`` for the raw token (the one given at start on stdio, the request's
``Authorization: Bearer`` header over HTTP) and answers what that token's person may read.
The database work runs in one thread of its own (``sync_to_async``), as Django requires
outside its request cycle, and a connection the database dropped is replaced first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from secondstory import __version__
from secondstory.mcp_server import library
from secondstory.mcp_server.library import Refused

T = TypeVar("T")
TokenOf = Callable[[Context], library.Credential]

INSTRUCTIONS = """\
secondstory is a library of blameless postmortems. Use `search` to find postmortems by
words and filters, `ask` for a question in plain words, `similar_incidents` for the past
postmortems most like one, and `postmortem` for a postmortem's whole record (sections,
timeline, contributing factors, action items). Postmortem keys look like PM-12. Only what
the token's person may read is ever answered; anything else is "not found"."""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)


def in_database(function: Callable[..., T], *args: Any) -> T:
    close_old_connections()
    try:
        return function(*args)
    finally:
        close_old_connections()


async def _answer(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in the database thread; a refusal becomes a tool error."""
    try:
        return await sync_to_async(in_database, thread_sensitive=True)(function, *args)
    except Refused as refusal:
        raise ToolError(str(refusal)) from None


def build_server(token_of: TokenOf) -> MCPServer:
    """The server, asking ``token_of`` for the token of each call."""
    server: MCPServer = MCPServer(
        "secondstory",
        title="secondstory postmortem library",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )

    @server.tool(annotations=READ_ONLY, structured_output=False)
    async def search(
        ctx: Context,
        query: str = Field(
            description=(
                'Words, "phrases" and filters as on the search page, e.g. '
                "`timeout service:checkout after:2025-01-01 -status:draft`."
            ),
            min_length=1,
            max_length=500,
        ),
        page: int = Field(1, ge=1, le=1000, description="Page of results, from 1."),
        limit: int = Field(10, ge=1, le=50, description="Hits per page."),
    ) -> dict[str, Any]:
        """Search the postmortems with the library's query language; ranked hits with the
        matching text between « and »."""
        return await _answer(library.search, token_of(ctx), query, page, limit)

    @server.tool(annotations=READ_ONLY, structured_output=False)
    async def ask(
        ctx: Context,
        question: str = Field(
            description=(
                'A question in plain words, e.g. "has checkout ever timed out after a deploy?"'
            ),
            min_length=1,
            max_length=500,
        ),
        limit: int = Field(5, ge=1, le=50, description="How many postmortems to answer with."),
    ) -> dict[str, Any]:
        """Ask the library a question: the postmortems that answer it best, each with the
        passages (sections, timeline moments, factors) that hold its words, and links."""
        return await _answer(library.ask, token_of(ctx), question, limit)

    @server.tool(annotations=READ_ONLY, structured_output=False)
    async def similar_incidents(
        ctx: Context,
        key: str = Field(
            description="The postmortem's key, e.g. PM-12.", min_length=1, max_length=64
        ),
        limit: int = Field(5, ge=1, le=50, description="How many similar postmortems."),
    ) -> dict[str, Any]:
        """The past postmortems most like this one (shared factor categories, services,
        tags and timeline words), each with the reason it was chosen."""
        return await _answer(library.similar, token_of(ctx), key, limit)

    @server.tool(annotations=READ_ONLY, structured_output=False)
    async def postmortem(
        ctx: Context,
        key: str = Field(
            description="The postmortem's key, e.g. PM-12.", min_length=1, max_length=64
        ),
        format: Literal["json", "markdown"] = Field(
            "json",
            description="json: the record as structured data; markdown: the exchange-format file.",
        ),
    ) -> dict[str, Any] | str:
        """A postmortem's whole record: people, incidents with their timelines and
        milestones, sections, contributing factors and action items."""
        return await _answer(library.record, token_of(ctx), key, format)

    @server.resource(
        "secondstory://postmortems/{key}",
        name="postmortem",
        description="A postmortem in the exchange format (Markdown with front matter).",
        mime_type="text/markdown",
    )
    async def postmortem_file(key: str, ctx: Context) -> str:
        try:
            text = await sync_to_async(in_database, thread_sensitive=True)(
                library.record, token_of(ctx), key, "markdown"
            )
        except Refused as refusal:
            raise ResourceNotFoundError(str(refusal)) from None
        assert isinstance(text, str)
        return text

    return server
