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
# A run of 100 or more characters without a space is never prose (a hash, a blob, a path):
# masking it keeps every word the rules look at short.
_LONG_TOKEN = re.compile(r"(?<!\S)\S{100,}")
_LINK_URL = re.compile(r"\]\([^)\s]*\)|<https?://[^>\s]*>|https?://\S+")
# Quoted speech and quoted messages are someone else's words, not the author's judgment.
_QUOTED = re.compile(r'(?<![\w"])"[^"\n]{1,400}"(?![\w"])|“[^”\n]{1,400}”')
# A new unit starts at a line that opens with a clock time or a chat handle.
_UNIT_START = re.compile(r"^[ \t]*(?:\[?\d{1,2}:\d{2}|<[\w.-]+>|[\w.-]+:[ \t])")

# A sentence ends at . ! ? or … (plus closing quotes/brackets) followed by whitespace.
# The look-behind starts a match only at the first mark of a run, so a long run of dots is
# read once rather than once per dot (a match from inside a run could only end where the
# match from its first mark ends).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]+[\"')\]”’]*(?=\s+[\"'(\[“‘]?[A-Z0-9])")
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
# A table cell ends at a pipe that is not escaped.
_CELL_BREAK = re.compile(r"(?<!\\)\|")
# The rules read at most this many characters at a time. A longer "sentence" (a line without a
# sentence end, a pasted log) is read in pieces cut at whitespace, so that the work of a rule
# that looks around each of its matches stays bounded however long the input is. Prose
# sentences are far shorter (the longest in the fixtures and docs is about 550 characters).
MAX_SENTENCE = 1_000


@dataclass(frozen=True, slots=True)
class Block:
    """A prose block: its masked text, where it starts, and its Markdown context."""

    start: int
    text: str  # masked copy of original[start:start+len(text)]
    heading: str
    in_quote: bool
    is_task: bool
    is_heading: bool
    in_table: bool = False


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
    text = _LONG_TOKEN.sub(blank, text)
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
    in_table = False
    last_row: tuple[int, int] | None = None
    tokens = _MD.parse(text)
    for token in tokens:
        kind = token.type
        if kind in ("table_open", "table_close"):
            in_table = kind == "table_open"
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "heading_open":
            in_heading = True
        elif kind == "heading_close":
            in_heading = False
        elif kind == "inline" and token.map:
            a, b = token.map
            if in_table:
                # Every cell of a row maps to the whole row: read the row once, cell by cell.
                if last_row == (a, b):
                    continue
                last_row = (a, b)
            start, end = lines[a], min(lines[b] - 1, len(text))
            raw = text[start:end]
            masked = _mask(raw)
            if in_heading:
                heading = masked.strip().strip("#").strip()
            is_task = bool(_TASK_ITEM.match(raw))
            found.append(
                Block(start, masked, heading, quote_depth > 0, is_task, in_heading, in_table)
            )
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


def _split_cells(row: str) -> list[tuple[int, str]]:
    """The cells of a table row, each with its offset in the row."""
    cells: list[tuple[int, str]] = []
    begin = 0
    for m in _CELL_BREAK.finditer(row):
        cells.append((begin, row[begin : m.start()]))
        begin = m.end()
    cells.append((begin, row[begin:]))
    return cells


def _pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Cut the span (a, b) of ``text`` into pieces of at most MAX_SENTENCE characters: at the
    last line break in the second half of the piece, else at the last whitespace, else at
    the limit."""
    pieces: list[tuple[int, int]] = []
    while b - a > MAX_SENTENCE:
        limit = a + MAX_SENTENCE
        cut = text.rfind("\n", a + MAX_SENTENCE // 2, limit)
        if cut <= a:
            cut = max(text.rfind(space, a + 1, limit) for space in " \t\n")
        cut = cut if cut > a else limit
        pieces.append((a, cut))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if b > a:
        pieces.append((a, b))
    return pieces


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
            trimmed.extend(_pieces(text, a + lead, a + lead + len(stripped)))
    return trimmed


def sentences(text: str) -> list[Sentence]:
    """All prose sentences of a Markdown document."""
    result: list[Sentence] = []
    for block in blocks(text):
        units = _split_cells(block.text) if block.in_table else _split_units(block.text)
        for unit_start, unit in units:
            for a, b in split_sentences(unit):
                offset = block.start + unit_start + a
                result.append(Sentence(offset, unit[a:b], block))
    return result
