"""Commits, from the text of ``git log`` or read straight from a local repository.

Text: the default format, ``--format=fuller``, ``--pretty=raw`` and the ``--date=`` styles
``default``, ``iso``, ``iso-strict``, ``rfc``, ``raw`` and ``unix``; ``--stat``,
``--name-status`` and patch lines after a message are skipped. A folder holding a repository
(a working tree with ``.git`` or a bare repository) is read by running ``git log``.
The time of a commit is its commit date when the output shows it (``fuller``, ``raw``, a
repository), else its author date (the default format shows only that).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    SourceError,
    Where,
    actor_name,
    clip,
    decode,
    from_epoch,
    localize,
    parse_instant,
    parse_offset,
    require_zone,
    text_lines,
)

NAME = "gitlog"
DESCRIPTION = "git log output (default, fuller or raw format) or a local git repository"
SOURCE = "git"
GIT_TIMEOUT = 600

_COMMIT = re.compile(r"commit ([0-9a-f]{7,64})(?: \(from [0-9a-f]+\))?(?: \((.*)\))?\s*")
_ONELINE = re.compile(r"[0-9a-f]{7,64} (?:\(.*\) )?\S")
_HEADER = re.compile(r"([A-Za-z][A-Za-z ]*):\s*(.*)")
_PERSON = re.compile(r"(.*?)\s*<([^<>]*)>\s*$")
_RAW_PERSON = re.compile(r"(author|committer) (.*?)\s*<([^<>]*)>\s+(-?\d+)\s+([+-]\d{4})\s*")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
# "Mon Jan 15 08:42:11 2024 +0100" (default) and "Mon, 15 Jan 2024 08:42:11 +0100" (rfc).
_DEFAULT_DATE = re.compile(
    r"(?:[A-Za-z]{3} )?([A-Za-z]{3}) +(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) (\d{4})(?: ([+-]\d{4}))?"
)
_RFC_DATE = re.compile(
    r"(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([+-]\d{4})"
)
_RAW_DATE = re.compile(r"(-?\d+) ([+-]\d{4})")
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}) ?([+-]\d{2}:?\d{2}|Z)")


@dataclass
class _Commit:
    sha: str
    line: int
    author: str = ""
    email: str = ""
    author_date: datetime | None = None
    commit_date: datetime | None = None
    message: list[str] = field(default_factory=list)


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return _is_repository(source.path)
        lines = [line for line in source.head_text().splitlines() if line.strip()]
        return (
            bool(lines)
            and _COMMIT.fullmatch(lines[0]) is not None
            and any(
                line.startswith(("Author:", "author ", "Date:", "AuthorDate:"))
                for line in lines[1:8]
            )
        )
    except Exception:
        return False


def _is_repository(path: Path) -> bool:
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    if source.is_dir:
        yield from _repository(source, options)
        return
    commit: _Commit | None = None
    in_message = False
    after_message = False
    for number, line in text_lines(source):
        match = _COMMIT.fullmatch(line)
        if match is not None:
            if commit is not None:
                yield from _kept(_event(commit, source), options)
            commit = _Commit(match.group(1), number)
            in_message = after_message = False
            continue
        if commit is None:
            if not line.strip():
                continue
            raise _not_a_log(line, Where(source.name, number))
        where = Where(source.name, number)
        if in_message or after_message:
            if line.startswith("    ") and not after_message:
                commit.message.append(line[4:])
            elif line.strip():
                # --stat, --name-status or a patch: the message is over.
                after_message = True
                in_message = False
            elif not after_message:
                commit.message.append("")
            continue
        if not line.strip() and not line.startswith(" "):
            in_message = True  # headers end at an empty line (a signature may hold " ")
            continue
        _header(commit, line, where, options)
    if commit is not None:
        yield from _kept(_event(commit, source), options)


def _kept(event: TimelineEvent, options: ParseOptions) -> Iterator[TimelineEvent]:
    if options.in_window(event.at):
        yield event


def _not_a_log(line: str, where: Where) -> SourceError:
    if _ONELINE.match(line):
        return where.error(
            "format",
            "this looks like `git log --oneline`, which has no dates; "
            "export with `git log` or `git log --format=fuller` instead",
        )
    if line.startswith(("* ", "| ", "*   ", "|\\", "|/")):
        return where.error("format", "`git log --graph` output is not read; export without --graph")
    return where.error("commit", f"expected a line 'commit <sha>', got {clip(line, 60)!r}")


MAX_HEADER = 2000


def _header(commit: _Commit, line: str, where: Where, options: ParseOptions) -> None:
    if len(line) > MAX_HEADER:
        # No real header is this long; the patterns below would be slow on it.
        raise where.error("header", f"a header line of {len(line)} characters is not git log")
    raw = _RAW_PERSON.fullmatch(line)
    if raw is not None:
        role, name, email, seconds, offset = raw.groups()
        moment = from_epoch(int(seconds), where, role).astimezone(parse_offset(offset, where, role))
        if role == "author":
            commit.author, commit.email, commit.author_date = name, email, moment
        else:
            commit.commit_date = moment
        return
    if line.startswith((" ", "tree ", "parent ", "gpgsig ", "mergetag ", "encoding ")):
        return  # --pretty=raw headers and signature continuation lines
    match = _HEADER.fullmatch(line)
    if match is None:
        raise where.error("header", f"unexpected line in a commit header: {clip(line, 60)!r}")
    key, value = match.group(1), match.group(2).strip()
    if key == "Author":
        person = _PERSON.fullmatch(value)
        commit.author, commit.email = (person.group(1), person.group(2)) if person else (value, "")
    elif key in ("Date", "AuthorDate"):
        commit.author_date = _date(value, where, key, options)
    elif key == "CommitDate":
        commit.commit_date = _date(value, where, key, options)


def _date(value: str, where: Where, key: str, options: ParseOptions) -> datetime:
    match = _DEFAULT_DATE.fullmatch(value)
    if match is not None:
        month, day, hour, minute, second, year, offset = match.groups()
        if offset is None:
            # --date=local: the committer's own clock, without its offset.
            zone = require_zone(options, where.at(), "dates written with --date=local")
            local = _civil(year, month, day, hour, minute, second, "+0000", where, key)
            return localize(local.replace(tzinfo=None), zone, where, key)
        return _civil(year, month, day, hour, minute, second, offset, where, key)
    match = _RFC_DATE.fullmatch(value)
    if match is not None:
        day, month, year, hour, minute, second, offset = match.groups()
        return _civil(year, month, day, hour, minute, second, offset, where, key)
    match = _RAW_DATE.fullmatch(value)
    if match is not None:
        moment = from_epoch(int(match.group(1)), where, key)
        return moment.astimezone(parse_offset(match.group(2), where, key))
    if value.isdigit():
        return from_epoch(int(value), where, key)
    match = _ISO_DATE.fullmatch(value)
    if match is not None:
        parsed = parse_instant(f"{match.group(1)}T{match.group(2)}{match.group(3)}", where, key)
        if parsed is not None:
            return parsed
    raise where.error(
        key,
        f"cannot read the date {clip(value, 40)!r}; export with --date=iso-strict "
        "(relative, local and short dates carry no full time and offset)",
    )


def _civil(
    year: str,
    month: str,
    day: str,
    hour: str,
    minute: str,
    second: str,
    offset: str,
    where: Where,
    key: str,
) -> datetime:
    number = _MONTHS.get(month.casefold())
    if number is None:
        raise where.error(key, f"unknown month {month!r}")
    try:
        return datetime(
            int(year),
            number,
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=parse_offset(offset, where, key),
        )
    except ValueError as exc:
        raise where.error(key, str(exc)) from exc


def _event(commit: _Commit, source: Source) -> TimelineEvent:
    where = Where(source.name, commit.line)
    at = commit.commit_date or commit.author_date
    if at is None:
        raise where.error(
            "Date",
            f"commit {commit.sha} has no date (`git log --pretty=full` shows none); "
            "export with `git log` or `git log --format=fuller`",
        )
    while commit.message and not commit.message[-1].strip():
        commit.message.pop()
    lines = [line.rstrip() for line in commit.message]
    subject_end = lines.index("") if "" in lines else len(lines)
    subject = " ".join(line.strip() for line in lines[:subject_end]).strip()
    body = "\n".join(lines[subject_end:]).strip()
    author = actor_name(commit.author)
    return TimelineEvent(
        at=at,
        kind="change",
        source=SOURCE,
        source_ref=commit.sha,
        text=subject or f"commit {commit.sha[:12]} (no message)",
        actor=author,
        raw={
            "sha": commit.sha,
            "author": commit.author,
            "email": commit.email,
            "date": at.isoformat(),
            "subject": subject,
            "body": body,
        },
    )


# --- a local repository ---------------------------------------------------------------------

# Fields separated by NUL; each commit ends with RS + NUL (RS does not occur in messages
# git would write, and NUL cannot).
_FORMAT = "%H%x00%an%x00%ae%x00%aI%x00%cI%x00%B%x1e%x00"


def _repository(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    if not _is_repository(source.path):
        raise SourceError("not a git repository (no .git inside)", file=source.name, field="path")
    command = [
        "git",
        "--no-pager",
        "-c",
        "log.showSignature=false",
        "-C",
        str(source.path),
        "log",
        f"--format={_FORMAT}",
        "--no-color",
    ]
    if options.since is not None:
        command.append(f"--since={_git_time(options.since)}")
    if options.until is not None:
        command.append(f"--until={_git_time(options.until)}")
    environment = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env=environment,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise SourceError(
            "git is not installed (or not on PATH); export with `git log` instead",
            file=source.name,
            field="git",
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise SourceError(
            f"git log took longer than {GIT_TIMEOUT} s; narrow it with --since/--until",
            file=source.name,
            field="git",
        ) from exc
    except OSError as exc:
        raise SourceError(f"cannot run git: {exc}", file=source.name, field="git") from exc
    if done.returncode != 0:
        message = decode(done.stderr).strip()
        if "does not have any commits" in message:
            return
        first = message.splitlines()[0] if message else f"exit status {done.returncode}"
        raise SourceError(f"git log failed: {clip(first, 200)}", file=source.name, field="git")
    for number, record in enumerate(decode(done.stdout).split("\x1e\x00"), start=1):
        record = record.lstrip("\n")
        if not record:
            continue
        parts = record.split("\x00")
        where = Where(source.name, path=f"commit #{number}")
        if len(parts) != 6:
            raise where.error("git", "unexpected git log output")
        sha, author, email, author_date, commit_date, message = parts
        committed = parse_instant(commit_date, where, "CommitDate")
        authored = parse_instant(author_date, where, "AuthorDate")
        commit = _Commit(sha, 0, author, email, authored, committed)
        commit.message = message.splitlines()
        event = _event(commit, source)
        if options.in_window(event.at):
            yield event


def _git_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
