"""Timeline events as plain data, and (later) importers, merging and redaction."""
