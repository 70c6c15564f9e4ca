"""What the MCP server answers, as plain JSON-ready values: the library as one token sees it.

Every function takes the raw token the assistant presented and the arguments of one tool
call. The token is checked on every call (so a token revoked while the server runs stops
answering at once) and each use is audited as an ``mcp`` token use. The token's person (or
service account) then sees exactly what ``secondstory.accounts.permissions`` lets them read,
through the same services as the pages and the REST API: a postmortem they may not read is
"not found", never "forbidden". Reading the record of a postmortem that covers a restricted
incident is audited, as the API and the pages do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse

from secondstory.accounts import permissions
from secondstory.accounts.models import ApiToken, User
from secondstory.accounts.tokens import authenticate_token
from secondstory.api.library import plain_snippet
from secondstory.audit.context import acting_as
from secondstory.audit.record import record_restricted_read
from secondstory.core.exchange.render import render_postmortem
from secondstory.core.search.query import QueryError
from secondstory.lib.site import absolute
from secondstory.library.ask import QuestionError
from secondstory.library.ask import ask as ask_library
from secondstory.library.search import search as search_library
from secondstory.library.similar import similar_postmortems
from secondstory.postmortems.records import postmortems_for_export, record_for

LIBRARY_READ = "library:read"
POSTMORTEMS_READ = "postmortems:read"
RecordFormat = Literal["json", "markdown"]


class Refused(Exception):
    """A tool call that cannot be answered; the message is shown to the assistant."""


#: The raw secret, or the token already authenticated for this request (over HTTP).
Credential = ApiToken | str


def live_token(raw: Credential) -> ApiToken:
    """The live token ``raw`` is the secret of; ``Refused`` when it is not one."""
    if isinstance(raw, ApiToken):
        return raw
    token = authenticate_token(raw.strip(), kind="mcp") if raw.strip() else None
    if token is None:
        raise Refused(
            "The token is unknown, revoked or expired, or its account is inactive; "
            "create a new one on the account page."
        )
    return token


@contextmanager
def caller(raw: Credential, scope: str) -> Iterator[User]:
    """The person the token acts for, if it carries ``scope``; what happens inside is
    attributed to them in the audit log."""
    token = live_token(raw)
    if not token.allows(scope):
        raise Refused(
            f"This token lacks the {scope} scope; create one with it on the account page."
        )
    with acting_as(token.user.get_username(), token.user.pk):
        yield token.user


def _visible(user: User, key: str) -> Any:
    postmortem = permissions.visible_postmortems(user).filter(key=key.strip()).first()
    if postmortem is None:
        raise Refused(f"No postmortem {key!r} that you may read.")
    return postmortem


def search(raw: Credential, query: str, page: int = 1, limit: int = 10) -> dict[str, Any]:
    """One page of ranked hits for ``query`` (the search page's query language)."""

    if not query.strip():
        raise Refused("query: type something to search for")
    with caller(raw, LIBRARY_READ) as user:
        try:
            results = search_library(query, user=user, page=page, per_page=limit, with_facets=False)
        except QueryError as error:
            raise Refused(f"query: {error}") from None
        hits = [] if page > results.pages else results.hits
        return {
            "query": query,
            "total": results.total,
            "page": page,
            "pages": results.pages,
            "hits": [
                {
                    "key": hit.postmortem.key,
                    "title": hit.postmortem.title,
                    "status": hit.postmortem.status,
                    "exercise": hit.postmortem.is_exercise,
                    "url": _page(hit.postmortem.key),
                    "snippet": plain_snippet(str(hit.snippet)),
                    "rank": hit.rank,
                }
                for hit in hits
            ],
        }


def ask(raw: Credential, question: str, limit: int = 5) -> dict[str, Any]:
    """The postmortems that best answer ``question``, with the passages that hold its words."""

    with caller(raw, LIBRARY_READ) as user:
        try:
            answer = ask_library(question, user=user, limit=limit)
        except (QuestionError, QueryError) as error:
            raise Refused(f"question: {error}") from None
        return {
            "question": answer.question,
            "query": answer.query,
            "total": answer.total,
            "sources": [
                {
                    "key": s.key,
                    "title": s.title,
                    "status": s.status,
                    "exercise": s.exercise,
                    "url": absolute(s.url),
                    "passages": [
                        {"kind": p.kind, "label": p.label, "text": p.text, "url": absolute(p.url)}
                        for p in s.passages
                    ],
                }
                for s in answer.sources
            ],
        }


def similar(raw: Credential, key: str, limit: int = 5) -> dict[str, Any]:
    """The past postmortems most like ``key``, among those the caller reads, each with why."""

    with caller(raw, LIBRARY_READ) as user:
        postmortem = _visible(user, key)
        found = similar_postmortems(postmortem, user, limit=limit)
        return {
            "key": postmortem.key,
            "similar": [
                {
                    **_plain_data(dataclasses.asdict(s)),
                    "url": _page(s.key),
                }
                for s in found
            ],
        }


def record(raw: Credential, key: str, format: RecordFormat = "json") -> dict[str, Any] | str:
    """The whole postmortem: the exchange-format Markdown, or the same record as JSON."""

    with caller(raw, POSTMORTEMS_READ) as user:
        postmortem = postmortems_for_export().get(pk=_visible(user, key).pk)
        data = record_for(postmortem)
        record_restricted_read(
            None, postmortem, f"mcp record ({format})", postmortem.incidents.all()
        )
        if format == "markdown":
            return render_postmortem(data)
        return _plain_data(dataclasses.asdict(data))


def _page(key: str) -> str:

    return absolute(reverse("postmortems:detail", args=[key]))


def _plain_data(value: Any) -> Any:
    """``value`` with dates and times as ISO 8601 text and tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_data(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
