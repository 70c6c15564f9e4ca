"""The read-only Model Context Protocol server (``secondstory mcp``, docs/mcp.md).

``library`` answers each tool as the token's person may read (no MCP in it); ``server``
declares the tools and the resource; ``http`` puts the streamable HTTP transport behind a
Bearer-token gate. Imported only by the command, after Django is set up.
"""
