"""The access log of ``secondstory serve``: gunicorn's, less the requests that would tie an
anonymous near-miss report to an address and a time (see docs/near-misses.md).

Opening the report form, sending it and the thank-you page after an anonymous report write no
access line; every other request is logged as gunicorn logs it. A proxy in front keeps its own
log, which this cannot reach.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

#: Paths whose requests write no access line.
UNLOGGED_PATHS = frozenset({"/near-misses/new", "/near-misses/thanks"})
#: Path endings likewise: sending an answer to a review's learning check, from its page or
#: through the API (docs/learning-check.md).
UNLOGGED_ENDINGS = ("/learning-check/answer",)


class AccessLogger(Logger):  # type: ignore[misc]
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        path = environ.get("PATH_INFO", "")
        if path in UNLOGGED_PATHS or path.endswith(UNLOGGED_ENDINGS):
            return
        super().access(resp, req, environ, request_time)
