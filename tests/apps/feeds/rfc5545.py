"""A minimal RFC 5545 reader written for the tests, independent of the icalendar library.

It checks what section 3.1 requires of the text itself (CRLF line ends, lines of at most 75
octets, folding that never splits a UTF-8 character) and returns the components as nested
dictionaries of property name -> list of (parameters, value).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Properties = dict[str, list[tuple[dict[str, str], str]]]


@dataclass
class Component:
    name: str
    properties: Properties = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def value(self, name: str) -> str:
        values = self.properties[name]
        assert len(values) == 1, f"{name} appears {len(values)} times"
        return values[0][1]

    def params(self, name: str) -> dict[str, str]:
        return self.properties[name][0][0]


def unfold(data: bytes) -> list[str]:
    """The logical content lines, after checking the physical ones."""
    assert data.endswith(b"\r\n"), "the stream must end with CRLF"
    physical = data[:-2].split(b"\r\n")
    logical: list[bytes] = []
    for line in physical:
        assert b"\n" not in line and b"\r" not in line, f"bare line end in {line!r}"
        assert len(line) <= 75, f"line of {len(line)} octets: {line!r}"
        line.decode("utf-8")  # a fold must not split a multi-byte character
        if line[:1] in (b" ", b"\t"):
            assert logical, "a continuation line cannot come first"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


def _split(line: str) -> tuple[str, dict[str, str], str]:
    """name, parameters and raw value of a content line (quoted parameter values allowed)."""
    head: list[str] = []
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            value = line[index + 1 :]
            break
        head.append(char)
    else:
        raise AssertionError(f"no ':' in content line {line!r}")
    name, *raw_params = "".join(head).split(";")
    params = {}
    for raw in raw_params:
        key, _, param_value = raw.partition("=")
        params[key.upper()] = param_value.strip('"')
    return name.upper(), params, value


def unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def parse(data: bytes) -> Component:
    """The single top-level component of an iCalendar stream."""
    stack: list[Component] = []
    top: Component | None = None
    for line in unfold(data):
        name, params, value = _split(line)
        if name == "BEGIN":
            component = Component(value.upper())
            if stack:
                stack[-1].children.append(component)
            stack.append(component)
        elif name == "END":
            assert stack and stack[-1].name == value.upper(), f"unbalanced END:{value}"
            done = stack.pop()
            if not stack:
                assert top is None, "more than one top-level component"
                top = done
        else:
            assert stack, f"property {name} outside any component"
            stack[-1].properties.setdefault(name, []).append((params, value))
    assert not stack and top is not None, "unterminated component"
    return top
