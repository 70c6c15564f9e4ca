"""What every importer shares: the input, the options, the typed error and time helpers.

An importer is a module of this package with::

    NAME: str                       # "slack", "pagerduty", ... (the --from value)
    DESCRIPTION: str                # one line for --help and the docs
    def sniff(source: Source) -> bool
    def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]

``sniff`` looks at ``source.head()`` (or, for a folder, its file names) and never raises.
``parse`` yields events in any order; it raises only :class:`SourceError`, naming the file,
the line or JSON path, and the field. Problems that lose nothing (an author missing from the
user list, an unknown message subtype) are ``source.warn(...)`` calls, not errors.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import IO, Any, NamedTuple

from secondstory.core.taxonomy import MAX_ACTOR, MAX_ROLE, MAX_SOURCE_REF

MAX_WARNINGS = 200
HEAD_SIZE = 16384
#: Bytes of one line of a line-oriented input (JSON Lines, a line of a log).
MAX_LINE_BYTES = 16 * 1024**2


class SourceError(ValueError):
    """An input an importer cannot read: ``FILE:LINE: FIELD: message``."""

    def __init__(
        self, message: str, *, file: str = "", line: int = 0, path: str = "", field: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.path = path
        self.field = field

    @property
    def location(self) -> str:
        place = self.file or "<input>"
        if self.line:
            place += f":{self.line}"
        if self.path:
            place += f": {self.path}"
        return place

    def __str__(self) -> str:
        parts = [self.location]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class MissingOption(SourceError):
    """An input that needs something only the person importing knows: ``option`` is ``"date"``,
    ``"tz"`` or ``"from"`` (the format), ``what`` names the lines that need it.

    The command line asks for the flag of the same name; the browser asks for the value in words
    and keeps the upload.
    """

    def __init__(
        self,
        message: str,
        *,
        option: str,
        what: str,
        file: str = "",
        line: int = 0,
        path: str = "",
        field: str = "",
    ) -> None:
        super().__init__(message, file=file, line=line, path=path, field=field or option)
        self.option = option
        self.what = what


class Where(NamedTuple):
    """A place in an input, for error messages: the file, a line and/or a JSON path."""

    file: str
    line: int = 0
    path: str = ""

    def error(self, field: str, message: str) -> SourceError:
        return SourceError(message, file=self.file, line=self.line, path=self.path, field=field)

    def missing(self, option: str, what: str, message: str) -> MissingOption:
        return MissingOption(
            message, option=option, what=what, file=self.file, line=self.line, path=self.path
        )

    def at(self, *, line: int | None = None, path: str | None = None) -> Where:
        return Where(
            self.file,
            self.line if line is None else line,
            self.path if path is None else path,
        )


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What the user told the importer.

    ``tz`` is the zone of times that carry no offset; ``date`` the day of times that carry no
    date (both are required by formats that need them, and the error says so). ``since`` and
    ``until`` (aware) bound the events kept; ``channels`` selects chat channels by name or id
    (empty: all). ``columns`` maps event fields to CSV column names.
    """

    tz: tzinfo | None = None
    date: date | None = None
    since: datetime | None = None
    until: datetime | None = None
    channels: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)

    def in_window(self, moment: datetime) -> bool:
        if self.since is not None and moment < self.since:
            return False
        return self.until is None or moment <= self.until

    def wants_channel(self, *names: str) -> bool:
        """Whether a channel known by any of ``names`` (id, name) is selected."""
        if not self.channels:
            return True
        wanted = {c.lstrip("#").casefold() for c in self.channels}
        return any(n.lstrip("#").casefold() in wanted for n in names if n)


class Source:
    """One input: a file, or a folder or zip holding an export."""

    def __init__(self, path: Path | str, name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or str(path)
        self.warnings: list[str] = []
        self.warning_count = 0
        self._head: bytes | None = None
        self._sniffed: dict[str, Any] = {}
        self.claimed_by: list[str] | None = None  # the formats that claim it, once told

    def __repr__(self) -> str:
        return f"Source({self.name!r})"

    @property
    def where(self) -> Where:
        return Where(self.name)

    @property
    def is_dir(self) -> bool:
        return self.path.is_dir()

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    def head(self, size: int = HEAD_SIZE) -> bytes:
        """The first bytes of a file (empty for a folder or an unreadable file)."""
        if self._head is None:
            try:
                with self.path.open("rb") as handle:
                    self._head = handle.read(HEAD_SIZE)
            except OSError:
                self._head = b""
        return self._head[:size]

    def forget_head(self) -> None:
        """Drop the cached head (and what was read from it): a folder of thousands of inputs
        keeps none in memory."""
        self._head = None
        self._sniffed.clear()

    def sniffed(self, key: str, read: Callable[[], Any]) -> Any:
        """What ``read`` tells from the head, read once for all the importers that ask."""
        if key not in self._sniffed:
            self._sniffed[key] = read()
        return self._sniffed[key]

    def head_text(self, size: int = HEAD_SIZE) -> str:
        return decode(self.head(size))

    def open(self) -> IO[bytes]:
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise SourceError(exc.strerror or str(exc), file=self.name) from exc

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    def warn(self, message: str, *, line: int = 0, path: str = "") -> None:
        """Record a problem that loses nothing; kept up to ``MAX_WARNINGS``, all counted."""
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(str(Where(self.name, line, path).error("", message)))


# --- text ------------------------------------------------------------------------------------

_UTF8 = codecs.getincrementaldecoder("utf-8")


def decode(data: bytes) -> str:
    """Bytes as text: UTF-8 (BOM dropped), else each line on its own as UTF-8 or Windows-1252.

    Old chat logs mix encodings line by line; nothing is ever refused, a byte that fits no
    encoding becomes U+FFFD.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(decode_line(line) for line in data.splitlines(keepends=True))


def decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def text_lines(source: Source) -> Iterator[tuple[int, str]]:
    """Numbered lines (from 1) of a text file, decoded line by line, without line ends."""
    with source.open() as handle:
        first = True
        for number, raw in enumerate(handle, start=1):
            if first and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            first = False
            yield number, decode_line(raw).rstrip("\r\n")


_TAG = re.compile(r"<[^<>]*>")
_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|/h[1-6]|/tr)\s*>", re.IGNORECASE)
_BLANKS = re.compile(r"[ \t]+")
_NEWLINES = re.compile(r"\n{3,}")


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment (chat bodies, status updates); plain text is kept."""
    if "<" not in value and "&" not in value:
        return value.strip()
    text = _BREAK.sub("\n", value)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [_BLANKS.sub(" ", line).strip() for line in text.splitlines()]
    return _NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def clip(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters (with an ellipsis when cut)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def actor_name(value: str) -> str:
    return clip(" ".join(value.split()), MAX_ACTOR)


def role_name(value: str) -> str:
    return clip(" ".join(value.split()), MAX_ROLE)


def stable_ref(*parts: object) -> str:
    """A source reference from parts; hashed when it would not fit the column."""
    ref = "/".join(str(p) for p in parts)
    if len(ref) <= MAX_SOURCE_REF:
        return ref
    return "sha256-" + hashlib.sha256(ref.encode("utf-8")).hexdigest()


# --- JSON ------------------------------------------------------------------------------------


def load_json(source: Source, data: bytes | None = None, *, name: str | None = None) -> Any:
    """Parse a whole JSON document, or raise SourceError naming the line and column."""
    label = name or source.name
    raw = source.read_bytes() if data is None else data
    try:
        return json.loads(decode(raw))
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=label, line=exc.lineno
        ) from exc
    except RecursionError as exc:
        raise SourceError("JSON nested too deeply", file=label) from exc
    except ValueError as exc:  # e.g. an integer past the interpreter's digit limit
        raise SourceError(f"not valid JSON: {exc}", file=label) from exc


def json_lines(source: Source, stream: IO[bytes] | None = None) -> Iterator[tuple[int, Any]]:
    """Numbered JSON values, one per non-blank line."""
    handle = stream if stream is not None else source.open()
    try:
        for number, raw in enumerate(bounded_lines(handle, source.name), start=1):
            if not raw.strip():
                continue
            try:
                yield number, json.loads(decode_line(raw))
            except json.JSONDecodeError as exc:
                raise SourceError(
                    f"not valid JSON: {exc.msg} (column {exc.colno})",
                    file=source.name,
                    line=number,
                ) from exc
            except RecursionError as exc:
                raise SourceError("JSON nested too deeply", file=source.name, line=number) from exc
            except ValueError as exc:
                raise SourceError(f"not valid JSON: {exc}", file=source.name, line=number) from exc
    finally:
        if stream is None:
            handle.close()


def bounded_lines(handle: IO[bytes], name: str) -> Iterator[bytes]:
    """The lines of a stream, refusing one longer than ``MAX_LINE_BYTES`` before it is all
    in memory (a stream without newlines would otherwise be read whole)."""
    number = 0
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise SourceError(
                f"line longer than {MAX_LINE_BYTES // 1024**2} MiB; is this the right file?",
                file=name,
                line=number,
            )
        yield raw


def json_path(*parts: str | int) -> str:
    """``$.messages[3].author`` from ``"messages", 3, "author"``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def get_str(obj: Any, key: str, where: Where, *, required: bool = False) -> str:
    """``obj[key]`` as a string ("" when absent and not required); numbers are accepted."""
    if not isinstance(obj, dict):
        raise where.error(key, "expected an object here")
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise where.error(key, "is missing")
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise where.error(key, f"expected text, got {type(value).__name__}")


# --- time ------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?"
)


def from_epoch(value: object, where: Where, field: str) -> datetime:
    """An epoch timestamp in seconds, milliseconds, microseconds or nanoseconds, as UTC.

    The unit is told by size (anything past the year 5138 in seconds is read as the next finer
    unit); strings such as Slack's ``"1700000000.123456"`` keep every digit.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise where.error(field, f"expected an epoch timestamp, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        whole, _, fraction = text.partition(".")
        digits = whole.lstrip("-")
        if not (
            text.isascii()
            and 0 < len(digits) <= 4000
            and digits.isdigit()
            and (not fraction or (len(fraction) <= 4000 and fraction.isdigit()))
        ):
            raise where.error(field, f"expected an epoch timestamp, got {value!r}")
        seconds = int(whole)
        micros = int((fraction + "000000")[:6]) if fraction else 0
        if whole.startswith("-") and micros:
            micros = -micros
        if fraction:
            return _epoch_plus(seconds, micros, where, field)
        value = seconds
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise where.error(field, f"expected an epoch timestamp, got {value!r}")
        scale = _scale(abs(value))
        seconds_f = value / scale
        whole_s = int(seconds_f // 1)
        return _epoch_plus(whole_s, round((seconds_f - whole_s) * 1_000_000), where, field)
    scale = _scale(abs(value))
    whole_i, rest = divmod(value, scale)
    return _epoch_plus(whole_i, rest * 1_000_000 // scale, where, field)


def _scale(magnitude: float) -> int:
    if magnitude < 1e11:
        return 1
    if magnitude < 1e14:
        return 1_000
    if magnitude < 1e17:
        return 1_000_000
    return 1_000_000_000


def _epoch_plus(seconds: int, micros: int, where: Where, field: str) -> datetime:
    try:
        return _EPOCH + timedelta(seconds=seconds, microseconds=micros)
    except OverflowError as exc:
        raise where.error(field, "the timestamp is out of range") from exc


def parse_instant(
    value: object, where: Where, field: str, *, tz: tzinfo | None = None
) -> datetime | None:
    """An ISO 8601 / RFC 3339 timestamp as an aware datetime at its own offset.

    Up to nine fractional digits are accepted (kept to the microsecond); ``Z`` and ``UTC``
    mean +00:00; the year 1 (``0001-01-01T00:00:00Z``, Go's zero time) and empty values mean
    "not set" and give None. A time without an offset is read in ``tz``; without ``tz`` it is
    an error that asks for ``--tz``.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise where.error(field, f"expected a timestamp, got {value!r}")
    text = value.strip()
    if not text:
        return None
    match = _ISO.fullmatch(text)
    if match is None:
        raise where.error(field, f"not an ISO 8601 timestamp: {clip(text, 60)!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if year == "0001":
        return None
    micro = int((fraction + "00000")[:6]) if fraction else 0
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
    except ValueError as exc:
        raise where.error(field, f"{exc}: {text!r}") from exc
    if zone is None:
        if tz is None:
            raise where.error(field, f"{text!r} has no UTC offset; give the zone with --tz")
        moment = localize(naive, tz, where, field)
    else:
        moment = naive.replace(tzinfo=parse_offset(zone, where, field))
    try:
        moment.astimezone(UTC)
    except OverflowError as exc:
        raise where.error(field, f"out of range: {text!r}") from exc
    return moment


_FIXED: dict[str, timezone] = {}


def parse_offset(text: str, where: Where, field: str) -> timezone:
    """``Z``, ``UTC``, ``+05:30``, ``+0530`` or ``-08`` as a fixed zone."""
    cached = _FIXED.get(text)
    if cached is not None:
        return cached
    if text in ("Z", "z", "UTC"):
        zone = UTC
    else:
        digits = text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 18 or minutes > 59:
            raise where.error(field, f"not a UTC offset: {text!r}")
        delta = timedelta(hours=hours, minutes=minutes)
        zone = timezone(-delta if text[0] == "-" else delta)
    if len(_FIXED) < 1000:
        _FIXED[text] = zone
    return zone


def localize(naive: datetime, tz: tzinfo, where: Where, field: str) -> datetime:
    """A naive local time read in ``tz``, at a fixed offset.

    A time that happened twice (the clocks went back) takes the first offset; one that never
    happened (the clocks jumped) is an error naming both offsets.
    """
    from secondstory.core.timeline.quick import LocalTimeError, resolve_local_time

    try:
        moment = resolve_local_time(naive, tz)
    except LocalTimeError as exc:
        if "happened twice" not in str(exc):
            raise where.error(field, str(exc)) from exc
        first = naive.replace(tzinfo=tz, fold=0).utcoffset()
        assert first is not None
        moment = naive.replace(tzinfo=timezone(first))
    except (ValueError, OverflowError) as exc:
        raise where.error(field, str(exc)) from exc
    try:
        moment.astimezone(UTC)
    except OverflowError as exc:
        raise where.error(field, f"out of range: {naive.isoformat()}") from exc
    return moment


def require_date(options: ParseOptions, where: Where, what: str = "these lines") -> date:
    if options.date is None:
        raise where.missing("date", what, f"{what} carry no date; give it with --date YYYY-MM-DD")
    return options.date


def require_zone(options: ParseOptions, where: Where, what: str = "these lines") -> tzinfo:
    if options.tz is None:
        raise where.missing("tz", what, f"{what} carry no UTC offset; give the zone with --tz")
    return options.tz


# --- alerts ----------------------------------------------------------------------------------

_TAGS = re.compile(r"^(?:\s*\[[^\]]*\]\s*)+")
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

FIRING, ACKNOWLEDGED, RESOLVED = "firing", "acknowledged", "resolved"


def signal_key(name: str) -> str:
    """The identity of an alert across tools: its name without status tags or label lists.

    ``[FIRING:1] HighErrorRate (checkout prod)``, ``HighErrorRate`` and ``high-error-rate``
    all give ``higherrorrate``; the merge groups events with the same key and state that
    arrive through different sources within a few minutes.
    """
    return folded(_TRAILING_PARENS.sub("", _TAGS.sub("", name)))


def folded(text: str) -> str:
    """Lower case with everything but letters and digits left out (``High-Error Rate`` →
    ``higherrorrate``): how signals compare, and how text is searched for one."""
    return _NOT_ALNUM.sub("", text.casefold())


def open_text(data: bytes) -> io.StringIO:
    return io.StringIO(decode(data))
