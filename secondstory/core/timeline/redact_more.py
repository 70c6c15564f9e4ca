"""Secrets that need more than a prefix or a ``name=value``: passphrases, prose, command lines,
and the newer token shapes (GitLab, npm, OpenAI project keys, Azure storage keys).

``Redactor`` (in ``redact``) calls :func:`redact_more` on text that passed its quick check,
after its own patterns; each function here has its own cheap anchor test first.

>>> found = []
>>> redact_more('the password is "tide pools"', lambda kind, s: found.append(s) or "[X]")
'the password is "[X]"'
>>> found
['tide pools']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

Count = Callable[[str, str], str]

_A = re.ASCII
_I = re.ASCII | re.IGNORECASE

#: The kinds this module adds (merged into ``redact.KINDS``).
MORE_KINDS: Final[dict[str, str]] = {
    "gitlab_token": "a GitLab token (glpat-, gldt-, glrt-, glptt-, glcbt-, gloas-, glsoat-)",
    "npm_token": "an npm access token (npm_ and 36 letters or digits)",
    "openai_key": "an OpenAI-style key (sk-proj-, sk-svcacct-, sk-admin-, or sk- and 48)",
    "azure_storage_key": "an Azure AccountKey=, SharedAccessKey= or SAS sig= value",
}

_TOKENS = re.compile(
    r"(?<![A-Za-z0-9_-])(?P<gitlab_token>gl(?:pat|dt|rt|ptt|cbt|oas|soat|imt|ft)-"
    r"[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])"
    r"|(?<![A-Za-z0-9_])(?P<npm_token>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])"
    r"|(?<![A-Za-z0-9_-])(?P<openai_key>sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}"
    r"|sk-[A-Za-z0-9]{48})(?![A-Za-z0-9_-])",
    _A,
)
_AZURE = re.compile(
    r"(\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=)([^;\s\"'<>]{8,})"
    r"|([?&]sig=)([A-Za-z0-9%+/=]{16,})",
    _I,
)

# "password: correct horse battery staple": the words after a redacted first word, to the
# end of the line or sentence (at most eight).
_PASSPHRASE_REST = re.compile(
    r"((?:passw(?:or)?d|passphrase|pwd)[ \t]*:[ \t]*\[REDACTED:password\])"
    r"((?:[ \t]+[^\s,;!?\"'()\[\]]+){1,8}?)(?=[ \t]*(?:[,;!?]|\.(?:\s|\Z)|\n|\Z))",
    _I,
)
# 'the password is "hunter two"', "the db password was Tr0ub4dor&3".
_PROSE = re.compile(
    r"\b(?:passw(?:or)?d|passphrase)(?:[ \t]+(?:for|of|on|to)[ \t]+[\w.@-]{1,40})?"
    r"[ \t]+(?:is|was|will[ \t]+be|has[ \t]+been[ \t]+set[ \t]+to|set[ \t]+to)[ \t]+"
    r"(?:(?:now|still|just|simply)[ \t]+)?"
    r"(?:(?P<q>[\"'\u201c\u2018`])(?P<quoted>[^\"'\u201d\u2019`\n]{1,100})[\"'\u201d\u2019`]"
    r"|(?P<bare>[^\s\"'`,;()\[\]]{4,100}))",
    re.IGNORECASE,
)
# Command lines: curl -u user:pass, --user user:pass, mysql -pPASS, --password PASS,
# sshpass -p PASS, redis-cli -a PASS.
_USER_PASS = re.compile(
    r"(?<![\w-])(?:-u|--user)(?:[ \t]+|=)([\"']?)([^\s:\"']{1,64}):"
    r"(?!\[REDACTED:)([^\s\"']{1,200})\1",
    _A,
)
_MYSQL = re.compile(
    r"\bmysql(?:dump|admin|import|sh)?\b[^\n]*?[ \t]-p(?!\[REDACTED:)"
    r"([^\s\"']+|\"[^\"\n]+\"|'[^'\n]+')",
    _A,
)
_FLAG = re.compile(
    r"(?<![\w-])--(?P<flag>password|passwd|passphrase|db-password|token|api-key|apikey|"
    r"secret|client-secret|auth-token|access-token)[ \t]+(?!-)"
    r"(?P<value>\"[^\"\n]+\"|'[^'\n]+'|[^\s\"']+)",
    _I,
)
_SHORT_FLAG = re.compile(
    r"\b(?:sshpass[ \t]+-p|redis-cli\b[^\n]*?[ \t]-a)[ \t]*(?!\[REDACTED:)([^\s\"']+)", _A
)
# Values that point at a secret kept elsewhere, or say nothing: $VAR, ${VAR}, %s, ****, ...
_REFERENCE = re.compile(
    r"[*xX\u2022.#<>-]+|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%(?:\([a-z_]+\))?s|\{\{[^{}]*\}\}"
    r"|<[^<>]*>|\[REDACTED:\w+\]",
    _A,
)
_PROSE_WORDS: Final = frozenset(
    {"wrong", "correct", "incorrect", "expired", "invalid", "empty", "missing", "required",
     "reset", "changed", "rotated", "stored", "saved", "shown", "known", "unknown", "weak",
     "strong", "long", "short", "fine", "ok", "okay", "not", "also", "the", "in", "a", "an",
     "being", "needed", "set", "there", "here", "same", "different", "hashed", "encrypted",
     "managed", "kept", "still", "now", "too", "very", "case-sensitive"}
)  # fmt: skip


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def _is_reference(value: str) -> bool:
    core = _unquote(value).strip()
    return not core or _REFERENCE.fullmatch(core) is not None or "[REDACTED:" in core


def _looks_like_secret(word: str) -> bool:
    """A bare word after "the password is": not prose ("wrong", "expired") and with a digit,
    a symbol or mixed case."""
    if word.lower() in _PROSE_WORDS or _is_reference(word):
        return False
    return (
        any(ch.isdigit() for ch in word)
        or any(not ch.isalnum() for ch in word.rstrip("."))
        or any(ch.isupper() for ch in word[1:])
    )


def _swap(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


Pick = Callable[[re.Match[str]], tuple[int | str, str] | None]


def _sub_groups(text: str, pattern: re.Pattern[str], pick: Pick, count: Count) -> str:
    """Replace, in every match, the group ``pick`` names (by number or name) with its marker
    of the kind it gives; ``pick`` returns None to leave a match alone."""
    parts: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        chosen = pick(match)
        if chosen is None:
            continue
        group, kind = chosen
        start, end = match.span(group)
        parts.append(text[pos:start])
        parts.append(count(kind, text[start:end]))
        pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _tokens(text: str, count: Count) -> str:
    def pick(match: re.Match[str]) -> tuple[int | str, str] | None:
        return match.lastindex or 0, match.lastgroup or "secret"

    return _sub_groups(text, _TOKENS, pick, count)


def _azure(text: str, count: Count) -> str:
    def pick(match: re.Match[str]) -> tuple[int | str, str] | None:
        group = 2 if match.group(2) is not None else 4
        return None if _is_reference(match.group(group)) else (group, "azure_storage_key")

    return _sub_groups(text, _AZURE, pick, count)


def _passphrase_rest(text: str) -> str:
    """Fold the rest of a multi-word passphrase into the marker its first word became."""
    return _PASSPHRASE_REST.sub(lambda m: m.group(1), text)


def _keyword_matches(
    text: str, pattern: re.Pattern[str], keywords: tuple[str, ...]
) -> list[re.Match[str]]:
    """Matches of ``pattern`` that start where one of ``keywords`` does (any case), without
    scanning the whole text with a case-insensitive pattern; overlapping ones dropped."""
    low = text.lower()
    starts = sorted(
        {
            i
            for word in keywords
            for i in _positions(low, word)
            if i == 0 or not low[i - 1].isalnum()
        }
    )
    found: list[re.Match[str]] = []
    for start in starts:
        if found and start < found[-1].end():
            continue
        match = pattern.match(text, start)
        if match is not None:
            found.append(match)
    return found


def _positions(low: str, word: str) -> list[int]:
    spots = []
    at = low.find(word)
    while at >= 0:
        spots.append(at)
        at = low.find(word, at + 1)
    return spots


def _prose(text: str, count: Count) -> str:
    def pick(match: re.Match[str]) -> tuple[str, str] | None:
        if match.group("quoted") is not None:
            value = match.group("quoted")
            return None if _is_reference(value) else ("quoted", "password")
        bare = match.group("bare").rstrip(".")
        if not _looks_like_secret(bare):
            return None
        return "bare", "password"

    out: list[str] = []
    pos = 0
    for match in _keyword_matches(text, _PROSE, ("passw", "passphrase")):
        chosen = pick(match)
        if chosen is None:
            continue
        start, end = match.span(chosen[0])
        if (
            chosen[0] == "bare"
            and text[end - 1] == "."
            and (end == len(text) or text[end].isspace())
        ):
            end -= 1  # the full stop ends the sentence
        out.append(text[pos:start])
        out.append(count("password", text[start:end]))
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _command_lines(text: str, count: Count) -> str:
    def user_pass(match: re.Match[str]) -> tuple[int | str, str] | None:
        secret = match.group(3)
        if _is_reference(secret) or secret.isdigit():  # docker's -u 1000:1000 is uid:gid
            return None
        return 3, "password"

    def one(match: re.Match[str]) -> tuple[int | str, str] | None:
        return None if _is_reference(match.group(1)) else (1, "password")

    def flag(match: re.Match[str]) -> tuple[int | str, str] | None:
        value = match.group("value")
        if _is_reference(value):
            return None
        name = match.group("flag").lower()
        if "pass" in name:
            return "value", "password"
        return ("value", "secret") if _looks_like_secret(_unquote(value)) else None

    if " -u" in text or "--user" in text:
        text = _sub_groups(text, _USER_PASS, user_pass, count)
    if "mysql" in text:
        text = _sub_groups(text, _MYSQL, one, count)
    low = text.lower()
    if "--" in text and ("pass" in low or "token" in low or "key" in low or "secret" in low):
        text = _sub_groups(text, _FLAG, flag, count)
    if "sshpass" in text or "redis-cli" in text:
        text = _sub_groups(text, _SHORT_FLAG, one, count)
    return text


def may_hold_more(value: str, low: str) -> bool:
    """The anchors this module needs (``low`` is ``value`` in lower case)."""
    return (
        ("gl" in value and "-" in value)
        or "npm_" in value
        or "sk-" in value
        or "sig=" in low
        or "accesskey" in low
        or "accountkey" in low
        or "pass" in low
        or "pwd" in low
        or "curl" in low
        or "wget" in low
        or " -u" in value
        or "--" in value
        or "mysql" in value
        or "redis-cli" in value
    )


def redact_tokens(value: str, count: Count) -> str:
    """The token shapes and Azure keys, replaced by ``count(kind, secret)``; run before the
    ``name=value`` patterns so that the most specific kind wins."""
    if "gl" in value or "npm_" in value or "sk-" in value:
        value = _tokens(value, count)
    low = value.lower()
    if "sig=" in low or "accesskey" in low or "accountkey" in low:
        value = _azure(value, count)
    return value


def redact_more(value: str, count: Count) -> str:
    """Passphrases, prose and command lines, replaced by ``count(kind, secret)``; run after
    the ``name=value`` patterns (a passphrase's first word is theirs)."""
    low = value.lower()
    if not may_hold_more(value, low):
        return value
    if "pass" in low or "pwd" in low:
        if "[REDACTED:password]" in value:
            value = _passphrase_rest(value)
        value = _prose(value, count)
    return _command_lines(value, count)
