"""Ask the library a question: the most relevant postmortems, with the passages that answer.

``ask(question, user=...)`` understands the question (``secondstory.core.search.ask``:
content words, service and team names as filters), runs the full-text search as
``user`` sees it (None: everything) with the strictest query that finds something,
then reads the sections, timeline events and contributing factors of the best
postmortems the user may read and returns the passages that hold the question's
words, highlighted, each with a link to its place on the postmortem's page
(#section-X, #event-N, #factor-K).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from secondstory.accounts import permissions
from secondstory.accounts.models import Team, User
from secondstory.core.search.ask import Name, QuestionError, attempts, understand
from secondstory.core.search.query import Query, render
from secondstory.incidents.models import Service, TimelineEvent
from secondstory.library.search import search
from secondstory.postmortems.models import ContributingFactor, Postmortem

__all__ = ["Answer", "Passage", "QuestionError", "Source", "ask"]

DEFAULT_LIMIT = 5
MAX_LIMIT = 50
PASSAGES_PER_SOURCE = 3
PASSAGE_CHARS = 280
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Passage:
    kind: str  # "section", "event" or "factor"
    label: str
    html: SafeString
    url: str
    score: int

    @property
    def text(self) -> str:
        return html.unescape(re.sub(r"</?mark>", "", str(self.html)))


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    status: str
    url: str
    rank: float
    passages: list[Passage] = field(default_factory=list)
    exercise: bool = False  # a game day's review: found, and labelled "Exercise"


@dataclass(frozen=True)
class Answer:
    question: str
    #: The search query that answered (empty when nothing matched).
    query: str
    total: int
    sources: list[Source] = field(default_factory=list)


def _names() -> list[Name]:
    services = Service.objects.values_list("slug", "name")
    teams = Team.objects.values_list("slug", "name")
    return [Name("service", s, n) for s, n in services] + [Name("team", s, n) for s, n in teams]


def _stems(query: Query) -> tuple[str, ...]:
    """Word beginnings that count as the question's words in a passage ("deploy" → deploys)."""
    return tuple(w[:5] if len(w) > 5 else w for t in query.positive for w in t.words)


def _matches(token: str, stems: tuple[str, ...]) -> str | None:
    low = token.lower()
    for stem in stems:
        if low == stem or (len(stem) >= 4 and low.startswith(stem)):
            return stem
    return None


def _passage(text: str, stems: tuple[str, ...]) -> tuple[int, SafeString]:
    """(how many of the words the text holds, the text around them with <mark>s), escaped."""
    text = " ".join(text.split())
    found: set[str] = set()
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        stem = _matches(m.group(), stems)
        if stem is not None:
            found.add(stem)
            spans.append(m.span())
    if not spans:
        return 0, mark_safe("")
    start = max(0, spans[0][0] - PASSAGE_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + PASSAGE_CHARS)
    out, at = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [html.escape(text[at:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        at = b
    out.append(html.escape(text[at:end]))
    body = ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")
    # Every piece of the text is escaped above; only <mark> elements are added.
    return len(found), mark_safe(body)


def _passages(postmortem: Postmortem, stems: tuple[str, ...]) -> list[Passage]:
    url = reverse("postmortems:detail", args=[postmortem.key])
    found: list[Passage] = []
    for name, heading, markdown in postmortem.sections():
        for paragraph in markdown.split("\n\n"):
            score, body = _passage(paragraph, stems)
            if score:
                found.append(Passage("section", heading, body, f"{url}#section-{name}", score))
    events = TimelineEvent.objects.filter(incident__postmortems=postmortem).order_by("at", "pk")
    for event in events:
        score, body = _passage(event.text, stems)
        if score:
            label = f"Timeline, {event.local_at:%Y-%m-%d %H:%M}"
            found.append(Passage("event", label, body, f"{url}#event-{event.pk}", score))
    factors = ContributingFactor.objects.filter(postmortem=postmortem).select_related("category")
    for factor in factors:
        score, body = _passage(f"{factor.description} {factor.evidence}", stems)
        if score:
            label = f"Factor {factor.key} ({factor.category.name})"
            found.append(Passage("factor", label, body, f"{url}#factor-{factor.key}", score))
    # Most of the words first; on ties factors, then the timeline, then the narrative.
    priority = {"factor": 0, "event": 1, "section": 2}
    found.sort(key=lambda p: (-p.score, priority[p.kind]))
    return found[:PASSAGES_PER_SOURCE]


def ask(question: str, *, user: User | None, limit: int = DEFAULT_LIMIT) -> Answer:
    """The best ``limit`` postmortems for ``question`` that ``user`` may read, with passages.

    Raises ``QuestionError`` when the question has nothing to look for.
    """
    limit = min(max(1, limit), MAX_LIMIT)
    understood = understand(question, _names())
    for query in attempts(understood):
        results = search(query, user=user, per_page=limit, with_facets=False)
        if results.hits:
            break
    else:
        return Answer(question, "", 0)
    stems = _stems(query)
    sources = []
    for hit in results.hits:
        postmortem = hit.postmortem
        if user is not None and not permissions.may_read(user, postmortem):
            continue  # the index and the rules disagree only while a change is indexed
        sources.append(
            Source(
                postmortem.key,
                postmortem.title,
                postmortem.get_status_display(),
                reverse("postmortems:detail", args=[postmortem.key]),
                hit.rank,
                _passages(postmortem, stems),
                postmortem.is_exercise,
            )
        )
    return Answer(question, render(query), results.total, sources)
