"""Markdown-aware segmentation into sentences with exact offsets into the original text.

markdown-it-py finds the block structure (headings, quotes, lists, fences); inline parsing is
switched off because the rules only need the source text. Markup that is not prose (list
markers, quote markers, code spans, fenced code) is masked with spaces in a copy of the text of
the same length, so every offset found in the masked copy is an offset in the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark").enable("table")
_MD.disable(["inline", "text_join"])

_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_LINE_PREFIX = re.compile(
    r"^[ \t]*(?:(?:>[ \t]?)+|#{1,6}[ \t]|[-*+][ \t]+(?:\[[ xX]\][ \t])?"
    r"|\d{1,9}[.)][ \t]+(?:\[[ xX]\][ \t])?)*",
    re.M,
)
_TASK_ITEM = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\][ \t]")
_LINK_URL = re.compile(r"\]\([^)\s]*\)|<https?://[^>\s]*>|https?://\S+")
# Quoted speech and quoted messages are someone else's words, not the author's judgment.
_QUOTED = re.compile(r'(?<![\w"])"[^"\n]{1,400}"(?![\w"])|“[^”\n]{1,400}”')
# A new unit starts at a line that opens with a clock time or a chat handle.
_UNIT_START = re.compile(r"^[ \t]*(?:\[?\d{1,2}:\d{2}|<[\w.-]+>|[\w.-]+:[ \t])")

# A sentence ends at . ! ? or … (plus closing quotes/brackets) followed by whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"')\]”’]*(?=\s+[\"'(\[“‘]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "cf",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "inc",
        "ltd",
        "co",
        "jr",
        "sr",
        "st",
        "no",
        "approx",
        "fig",
        "al",
        "eg",
        "ie",
        "min",
        "max",
        "sec",
        "hr",
        "hrs",
        "est",
        "dept",
        "mt",
        "ca",
        "resp",
    ]
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


@dataclass(frozen=True, slots=True)
class Block:
    """A prose block: its masked text, where it starts, and its Markdown context."""

    start: int
    text: str  # masked copy of original[start:start+len(text)]
    heading: str
    in_quote: bool
    is_task: bool
    is_heading: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: masked text and its offset in the original document."""

    start: int
    text: str
    block: Block


def _mask(text: str) -> str:
    """Blank out list/quote markers, code spans and link targets, keeping length."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    text = _LINE_PREFIX.sub(blank, text)
    text = _CODE_SPAN.sub(blank, text)
    text = _LINK_URL.sub(blank, text)
    return _QUOTED.sub(_blank_inside, text)


def _blank_inside(m: re.Match[str]) -> str:
    """Keep the quote marks (they may end a sentence) and blank the words."""
    inner = m.group(0)
    return inner[0] + re.sub(r"[^\n]", " ", inner[1:-1]) + inner[-1]


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for m in re.finditer("\n", text):
        offsets.append(m.end())
    offsets.append(len(text) + 1)
    return offsets


def blocks(text: str) -> list[Block]:
    """The prose blocks of a Markdown document, in order, with their context."""
    lines = _line_offsets(text)
    found: list[Block] = []
    heading = ""
    quote_depth = 0
    in_heading = False
    tokens = _MD.parse(text)
    for token in tokens:
        kind = token.type
        if kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "heading_open":
            in_heading = True
        elif kind == "heading_close":
            in_heading = False
        elif kind == "inline" and token.map:
            a, b = token.map
            start, end = lines[a], min(lines[b] - 1, len(text))
            raw = text[start:end]
            masked = _mask(raw)
            if in_heading:
                heading = masked.strip().strip("#").strip()
            is_task = bool(_TASK_ITEM.match(raw))
            found.append(Block(start, masked, heading, quote_depth > 0, is_task, in_heading))
    return found


def _split_units(block_text: str) -> list[tuple[int, str]]:
    """Split a block at lines that start a new timestamped or chat line."""
    units: list[tuple[int, str]] = []
    begin = 0
    pos = 0
    for line in block_text.split("\n"):
        if pos > begin and _UNIT_START.match(line):
            units.append((begin, block_text[begin:pos]))
            begin = pos
        pos += len(line) + 1
    units.append((begin, block_text[begin:]))
    return units


def _is_abbreviation(text: str, end: int) -> bool:
    m = _WORD_BEFORE.search(text, max(0, end - 12), end)
    if m is None:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha() and text[m.start() : m.start() + 1].isupper()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in ``text``, trimmed of surrounding whitespace.

    Example:
        >>> s = "We paged Dr. Lee at 14:02, e.g. via v1.2.3. It was 2.5 s late."
        >>> [s[a:b] for a, b in split_sentences(s)]
        ['We paged Dr. Lee at 14:02, e.g. via v1.2.3.', 'It was 2.5 s late.']
    """
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if (
            text[m.start()] == "."
            and m.end() - m.start() == 1
            and _is_abbreviation(text, m.start())
        ):
            continue
        spans.append((begin, end))
        begin = end
    spans.append((begin, len(text)))
    trimmed: list[tuple[int, int]] = []
    for a, b in spans:
        chunk = text[a:b]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            trimmed.append((a + lead, a + lead + len(stripped)))
    return trimmed


def sentences(text: str) -> list[Sentence]:
    """All prose sentences of a Markdown document."""
    result: list[Sentence] = []
    for block in blocks(text):
        for unit_start, unit in _split_units(block.text):
            for a, b in split_sentences(unit):
                offset = block.start + unit_start + a
                result.append(Sentence(offset, unit[a:b], block))
    return result
