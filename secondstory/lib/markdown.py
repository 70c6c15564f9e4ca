"""Markdown for postmortem text: CommonMark in, sanitised HTML out.

The parser allows raw HTML so that people can paste the odd ``<kbd>`` or
``<details>``, but its output is *always* passed through nh3 with a short
allow-list: no scripts, no event handlers, no ``javascript:`` or ``data:``
URLs survive, and every link gets ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
        "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "code": {"class"},
}
# Tags removed together with their content, not just unwrapped.
REMOVED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def sanitise_html(markup: str) -> str:
    """Keep only harmless HTML; the result is safe to put in a page as it is."""
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        # Table cells keep their column alignment and nothing else.
        filter_style_properties={"text-align"},
    )


def render_markdown(text: str) -> SafeString:
    """Render Markdown to sanitised HTML, ready for a template.

    >>> str(render_markdown("[runbook](https://example.com)"))
    '<p><a href="https://example.com" rel="noopener noreferrer">runbook</a></p>\\n'
    """
    if not text or not text.strip():
        return mark_safe("")
    return mark_safe(sanitise_html(_parser().render(text)))  # sanitised just above


def markdown_to_text(text: str) -> str:
    """The words of a Markdown text without markup, e.g. for a short excerpt.

    >>> markdown_to_text("Checkout failed for **12%** of `requests`.")
    'Checkout failed for 12% of requests.'
    """
    if not text:
        return ""
    stripped = nh3.clean(
        _parser().render(text), tags=set(), clean_content_tags=set(REMOVED_WITH_CONTENT)
    )
    return " ".join(html.unescape(stripped).split())
