"""Importing free-form Markdown postmortems (docs kept in git) as draft postmortem records.

Pure: no Django. ``import_markdown`` reads one text, ``import_file`` one file and
``postmortem_files`` finds the postmortems of folders; the command and the database loader
(``secondstory.postmortems.markdown_import``) build on them.
"""

from __future__ import annotations

from secondstory.core.postmortem_import.files import Found, import_file, postmortem_files
from secondstory.core.postmortem_import.importer import ImportResult, import_markdown
from secondstory.core.postmortem_import.options import ImportOptions

__all__ = [
    "Found",
    "ImportOptions",
    "ImportResult",
    "import_file",
    "import_markdown",
    "postmortem_files",
]
