"""Timeline events as plain data: quick capture, importers (``sources``), merging and
redaction."""
