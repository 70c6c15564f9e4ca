"""``secondstory mcp``: the read-only Model Context Protocol server, on stdio or HTTP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from secondstory.cli.support import UserError, with_django

TOKEN_VARIABLE = "SECONDSTORY_MCP_TOKEN"
# The scopes a token needs for at least one tool (docs/mcp.md, "Token").
USEFUL_SCOPES = ("library:read", "postmortems:read")


def _raw_token(token_file: Path | None) -> str:
    if token_file is not None:
        try:
            raw = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"--token-file: cannot read {token_file}: {error}") from None
        if not raw:
            raise UserError(f"--token-file: {token_file} is empty")
        return raw
    raw = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not raw:
        raise UserError(
            f"no token: set {TOKEN_VARIABLE} or pass --token-file "
            "(create a token on your account page, docs/mcp.md)"
        )
    return raw


def _check_token(raw: str, where: str) -> None:
    """Refuse to start with a token that could answer nothing."""
    from secondstory.mcp_server.library import Refused, live_token

    try:
        token = live_token(raw)
    except Refused as refusal:
        raise UserError(f"{where}: {refusal}") from None
    if not any(token.allows(scope) for scope in USEFUL_SCOPES):
        raise UserError(
            f"{where}: this token has neither the library:read nor the postmortems:read "
            "scope, so every tool would refuse it"
        )


@click.command("mcp")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Read the API token from this file (default: the {TOKEN_VARIABLE} variable).",
)
@click.option(
    "--http",
    "over_http",
    is_flag=True,
    help="Serve the streamable HTTP transport; each request brings its own Bearer token.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for --http.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@with_django
def mcp_command(token_file: Path | None, over_http: bool, host: str, port: int) -> None:
    """Answer assistants over the Model Context Protocol: search, ask, similar
    incidents and postmortem records, read-only, as the token's person may read them.

    On stdio (the default) the token comes from SECONDSTORY_MCP_TOKEN or
    --token-file; with --http every request carries `Authorization: Bearer ss_…`.

    Example:

        SECONDSTORY_MCP_TOKEN=ss_… secondstory mcp
        secondstory mcp --http --port 8765
    """
    if over_http:
        if token_file is not None:
            raise UserError("--token-file: over --http each request brings its own token")
        from secondstory.mcp_server.http import serve

        click.echo(f"secondstory MCP server on http://{host}:{port}/mcp (Ctrl-C stops)", err=True)
        serve(host, port)
        return
    raw = _raw_token(token_file)
    where = "--token-file" if token_file is not None else TOKEN_VARIABLE
    _check_token(raw, where)
    from secondstory.mcp_server.server import build_server

    def token_of(_: Any) -> str:
        return raw

    build_server(token_of).run("stdio")
