"""The shape of a free-form Markdown postmortem: front matter, headings, list items, tables.

Lines keep their 1-based number in the whole file so that every warning can name it.
Fenced code blocks are opaque: nothing inside them is a heading, a list item or a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Line = tuple[int, str]  # (number in the file, text)

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_FRONT = re.compile(r"(?:---|\+\+\+)[ \t]*")
_BULLET = re.compile(r"( *)(?:[-*+]|\d{1,3}[.)])(?:[ \t]+|$)")
_TABLE_SEPARATOR = re.compile(r" *\|? *:?-{1,}:? *(?:\| *:?-{1,}:? *)*\|? *")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(slots=True)
class Document:
    front_matter: list[Line] = field(default_factory=list)
    front_matter_line: int = 0  # line of the opening ---, 0 when absent
    # The lines before the first heading, then each heading with the lines under it.
    preamble: list[Line] = field(default_factory=list)
    parts: list[tuple[Heading, list[Line]]] = field(default_factory=list)


def split_document(text: str, *, front_matter: bool = True) -> Document:
    """Cut a Markdown text into front matter, preamble and headed parts."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    numbered: list[Line] = list(enumerate(lines, start=1))
    doc = Document()
    start = 0
    while start < len(numbered) and not numbered[start][1].strip():
        start += 1
    if front_matter and start < len(numbered) and _FRONT.fullmatch(numbered[start][1]):
        delimiter = numbered[start][1].strip()
        for end in range(start + 1, len(numbered)):
            if numbered[end][1].strip() == delimiter or (
                delimiter == "---" and numbered[end][1].strip() == "..."
            ):
                doc.front_matter_line = numbered[start][0]
                doc.front_matter = numbered[start + 1 : end]
                start = end + 1
                break
    current: list[Line] = doc.preamble
    fence = ""
    body = numbered[start:]
    for index, (number, line) in enumerate(body):
        if fence:
            current.append((number, line))
            closing = _FENCE.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                fence = ""
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            current.append((number, line))
            continue
        atx = _ATX.fullmatch(line)
        if atx and not line.startswith("    "):
            heading = Heading(len(atx.group(1)), (atx.group(2) or "").strip(), number)
            current = []
            doc.parts.append((heading, current))
            continue
        underline = _SETEXT.fullmatch(line)
        if (
            underline
            and current
            and current[-1][1].strip()
            and index > 0
            and body[index - 1][0] == current[-1][0]
            and not _BULLET.match(current[-1][1])
            and "|" not in current[-1][1]
            and (underline.group(1)[0] == "=" or len(current) == 1 or not current[-2][1].strip())
        ):
            title_number, title = current.pop()
            level = 1 if underline.group(1)[0] == "=" else 2
            current = []
            doc.parts.append((Heading(level, title.strip(), title_number), current))
            continue
        current.append((number, line))
    return doc


def strip_comments(lines: list[Line]) -> list[Line]:
    """The lines without one-line HTML comments (template hints such as ``<!-- who -->``)."""
    out: list[Line] = []
    for number, line in lines:
        cleaned = _HTML_COMMENT.sub("", line)
        if cleaned.strip() or not line.strip():
            out.append((number, cleaned.rstrip()))
    return out


def text_of(lines: list[Line]) -> str:
    """The lines as one Markdown text, without surrounding blank lines."""
    return "\n".join(line for _, line in lines).strip("\n").rstrip()


def is_table_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") or (stripped.count("|") >= 2 and not stripped.startswith("-"))


def is_table_separator(line: str) -> bool:
    return "-" in line and bool(_TABLE_SEPARATOR.fullmatch(line))


def table_cells(line: str) -> list[str]:
    """The cells of a table row (escaped pipes stay inside their cell)."""
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    cells = re.split(r"(?<!\\)\|", stripped)
    return [cell.strip().replace("\\|", "|") for cell in cells]


@dataclass(slots=True)
class Block:
    """A list item (with its continuation lines), a paragraph, a table or a heading line."""

    kind: str  # "item", "paragraph", "table", "heading", "code"
    lines: list[Line]
    checkbox: str = ""  # "x" or " " for task list items

    @property
    def line(self) -> int:
        return self.lines[0][0]

    @property
    def text(self) -> str:
        """The block's text: list marker and checkbox removed, lines joined by spaces."""
        if self.kind == "code":
            return text_of(self.lines)
        parts = []
        for i, (_, line) in enumerate(self.lines):
            stripped = line.strip()
            if i == 0 and self.kind == "item":
                stripped = _BULLET.sub("", line, count=1).strip()
                stripped = re.sub(r"^\[[ xX]\]\s*", "", stripped)
            parts.append(stripped)
        return " ".join(part for part in parts if part)


_CHECKBOX = re.compile(r"\[([ xX])\]")


def blocks(lines: list[Line]) -> list[Block]:
    """Group lines into blocks; nested list items belong to their top-level item."""
    out: list[Block] = []
    current: Block | None = None
    fence = ""
    item_indent = -1
    for number, line in lines:
        if fence:
            assert current is not None
            current.lines.append((number, line))
            closing = _FENCE.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                fence = ""
                current = None
            continue
        if not line.strip():
            if current is not None and current.kind != "item":
                current = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            current = Block("code", [(number, line)])
            out.append(current)
            continue
        if line.lstrip().startswith("#") and _ATX.fullmatch(line):
            out.append(Block("heading", [(number, line)]))
            current = None
            continue
        bullet = _BULLET.match(line)
        indent = len(line) - len(line.lstrip(" "))
        if bullet and (current is None or current.kind != "item" or indent <= item_indent):
            rest = line[bullet.end() :]
            box = _CHECKBOX.match(rest)
            current = Block("item", [(number, line)], box.group(1).lower() if box else "")
            item_indent = indent
            out.append(current)
            continue
        if is_table_row(line):
            if current is None or current.kind != "table":
                current = Block("table", [])
                out.append(current)
            current.lines.append((number, line))
            continue
        if current is not None and current.kind == "item" and (indent > item_indent or bullet):
            current.lines.append((number, line))
            continue
        if current is None or current.kind != "paragraph":
            current = Block("paragraph", [])
            out.append(current)
        current.lines.append((number, line))
    return out


def strip_emphasis(text: str) -> str:
    """Text without Markdown bold/italic/code markers around words."""
    return re.sub(r"(\*\*|__|`)", "", text).strip()
