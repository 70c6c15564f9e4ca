"""The Markdown body: one ``## Heading`` per narrative section.

A line is a section heading when it is a level-2 ATX heading (``## Text``,
indented by at most three spaces, optionally closed by ``#`` characters) and
is not inside a fenced code block (```` ``` ```` or ``~~~``). The same scanner
decides, when rendering, whether a section's text can be written to the body
without changing on the way back in; see :func:`fits_body`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from secondstory.core.taxonomy import SECTIONS

HEADING_FIELD: dict[str, str] = {heading: name for name, heading in SECTIONS}
KNOWN_HEADINGS = ", ".join(heading for _, heading in SECTIONS)

_HEADING = re.compile(r" {0,3}##(?:[ \t](.*))?")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")


def heading_text(line: str) -> str | None:
    """The text of a level-2 heading line, or None for any other line.

    >>> heading_text("## Impact"), heading_text("  ## Impact ##"), heading_text("### Impact")
    ('Impact', 'Impact', None)
    """
    match = _HEADING.fullmatch(line)
    if match is None:
        return None
    text = (match.group(1) or "").strip(" \t")
    return _CLOSING_HASHES.sub("", text).strip(" \t")


def scan(lines: list[str]) -> tuple[list[int], bool]:
    """The indexes of the heading lines, and whether a fence is still open at the end."""
    headings: list[int] = []
    fence = ""
    for index, line in enumerate(lines):
        if fence:
            closing = _FENCE_CLOSE.fullmatch(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                fence = ""
            continue
        opening = _FENCE_OPEN.fullmatch(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            fence = opening.group(1)
            continue
        if heading_text(line) is not None:
            headings.append(index)
    return headings, bool(fence)


def fits_body(text: str) -> bool:
    """Whether ``text`` survives a round trip through the Markdown body.

    The body form loses leading and trailing whitespace (``str.strip``), turns
    ``\\r\\n`` into ``\\n``, and ends a section at the next heading. So the text
    must be non-empty, equal to its ``strip()``, free of ``\\r``, contain no
    heading line outside a fence, and leave no fence open.

    >>> fits_body("All good."), fits_body("  indented"), fits_body("## Summary")
    (True, False, False)
    >>> fits_body("```\\n## inside a fence\\n```"), fits_body("```\\nnever closed")
    (True, False)
    """
    if not text or text != text.strip() or "\r" in text:
        return False
    headings, fence_open = scan(text.split("\n"))
    return not headings and not fence_open


def render_section(heading: str, text: str) -> str:
    """The body form of one section: a blank line, the heading, a blank line, the text."""
    return f"\n## {heading}\n\n{text}\n"


@dataclass(slots=True)
class BodySection:
    heading: str
    line: int  # 1-based line of the heading in the whole file
    text: str


@dataclass(slots=True)
class Body:
    sections: list[BodySection] = field(default_factory=list)
    # The first line of non-blank text before the first heading, if any.
    stray_text_line: int | None = None


def split_body(lines: list[str], first_line: int) -> Body:
    """Cut the body into sections; ``first_line`` is the file line of ``lines[0]``.

    A section's text is everything between its heading and the next one, with
    surrounding whitespace stripped.
    """
    headings, _ = scan(lines)
    body = Body()
    preamble = lines[: headings[0]] if headings else lines
    for offset, line in enumerate(preamble):
        if line.strip():
            body.stray_text_line = first_line + offset
            break
    for number, start in enumerate(headings):
        end = headings[number + 1] if number + 1 < len(headings) else len(lines)
        body.sections.append(
            BodySection(
                heading=heading_text(lines[start]) or "",
                line=first_line + start,
                text="\n".join(lines[start + 1 : end]).strip(),
            )
        )
    return body
