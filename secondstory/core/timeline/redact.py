"""Secrets out before anything is stored: tokens, keys and passwords become ``[REDACTED:kind]``.

Chat exports and alert payloads carry what people pasted during an incident: a database URL
with its password, a bearer token copied from a curl command, a private key. :class:`Redactor`
replaces each such secret by a marker naming its kind (see :data:`KINDS`) and counts what it
replaced, so an import can say "3 secrets redacted" without ever storing them.

Speed is the constraint: an import runs hundreds of thousands of short messages through here,
and almost none of them hold a secret. Every pattern below needs at least one literal anchor
("AKIA", "ghp_", "eyJ", "://", "password", "token", ...), so :func:`may_hold_secret` first
looks for those anchors with plain substring tests (about a microsecond for a chat line) and
only the few candidate strings go through the detailed patterns. A string without any anchor
is returned unchanged, by construction.

Redaction is idempotent: markers never match a pattern, so redacting twice changes nothing and
counts nothing the second time.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, Final

from secondstory.core.taxonomy import MAX_ACTOR, MAX_URL
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.redact_more import (
    MORE_KINDS,
    may_hold_more,
    redact_more,
    redact_tokens,
)

MARKER_PREFIX: Final = "[REDACTED:"

#: Every kind of secret, with what it covers. Marker text is ``[REDACTED:<kind>]``.
KINDS: Final[dict[str, str]] = {
    "private_key": "a PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8, PGP)",
    "password": "a password: in a URL, a connection string or a password=/passwd:/pwd= value",
    "aws_key_id": "an AWS access key id (AKIA..., ASIA..., ABIA..., ACCA...)",
    "aws_secret": "a 40-character AWS secret access key near an 'aws' or 'secret' keyword",
    "github_token": "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    "slack_token": "a Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp-)",
    "slack_webhook": "the secret path of a Slack incoming-webhook URL",
    "stripe_key": "a Stripe secret or restricted key, or webhook signing secret",
    "google_api_key": "a Google API key (AIza...)",
    "jwt": "a JSON Web Token (eyJ... header, two or more dot-separated parts)",
    "authorization": "an Authorization header value, a Bearer token or Basic credentials",
    "secret": "the value of a secret=, token=, api_key=, access_key=, credentials= assignment",
    **MORE_KINDS,
    "email": "an email address (only with emails=True)",
    "phone": "a phone number (only with phones=True)",
}

OPTIONAL_KINDS: Final = frozenset({"email", "phone"})


def marker(kind: str) -> str:
    """The text that replaces a secret of ``kind``."""
    return f"{MARKER_PREFIX}{kind}]"


_MARKERS: Final = {kind: marker(kind) for kind in KINDS}

# --- the prefilter -----------------------------------------------------------------------------


def may_hold_secret(value: str) -> bool:
    """Whether ``value`` contains an anchor that some secret pattern needs.

    False means no default pattern can match, so the text is kept as it is. The case-sensitive
    anchors are tested on the text itself, the keywords on its lower-case copy.
    """
    if (
        "://" in value
        or "_" in value
        or "IA" in value
        or "eyJ" in value
        or "AIza" in value
        or "xox" in value
        or "xapp" in value
        or "ACCA" in value
        or "PRIVATE" in value
    ):
        return True
    low = value.lower()
    return may_hold_more(value, low) or (
        "token" in low
        or "pass" in low
        or "secret" in low
        or "key" in low
        or "auth" in low
        or "pwd" in low
        or "aws" in low
        or "bearer" in low
        or "basic" in low
        or "cred" in low
        or "cookie" in low
    )


# --- detailed patterns -------------------------------------------------------------------------
# All patterns are ASCII-only (re.ASCII). Case-insensitive ones never use re.IGNORECASE (slow
# in the regex engine): they are written in lower case and run on a lower-cased copy of the
# text with the same length, and the replacement is cut from the original by position. Every
# match is bounded by non-token characters on both sides, so a marker never ends up glued to
# the rest of a token.

_A = re.ASCII
_ASCII_LOWER: Final = str.maketrans({chr(code): chr(code + 32) for code in range(65, 91)})


def _lower(value: str) -> str:
    """``value`` in lower case, character for character (same length, same positions)."""
    low = value.lower()
    if len(low) == len(value):
        return low
    return value.translate(_ASCII_LOWER)


_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", _A)
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", _A)
# A key without its END line (a truncated paste): the runs of base64 that follow the header,
# across real or escaped ("\n" inside a JSON string) line breaks.
_PEM_BODY = re.compile(r"(?:(?:[ \t]|\r?\n|\\r\\n|\\n)*[A-Za-z0-9+/=]{16,})*", _A)
_PEM_SPAN: Final = 65536

_URL_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s:/?#@\[\]\"'<>|]*:)"
    r"([^\s/?#@\[\]\"'<>|]+)(?=@)",
    _A,
)
_SLACK_WEBHOOK = re.compile(
    r"(hooks\.slack\.com/(?:services|workflows|triggers)/)(?!\[REDACTED:)([A-Za-z0-9_/-]+)", _A
)

_TOKENS = re.compile(
    r"(?<![A-Za-z0-9])(?P<aws_key_id>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9_])(?P<github_token>gh[pousr]_[A-Za-z0-9]{30,251}"
    r"|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])"
    r"|(?<![A-Za-z0-9-])(?P<slack_token>(?:xox[abposre](?:\.xox[abp])?|xapp)-[A-Za-z0-9]"
    r"[A-Za-z0-9-]{8,})"
    r"|(?<![A-Za-z0-9_])(?P<stripe_key>[rs]k_(?:live|test)_[A-Za-z0-9]{10,}"
    r"|whsec_[A-Za-z0-9+/=]{20,})(?![A-Za-z0-9_])"
    r"|(?<![A-Za-z0-9_-])(?P<google_api_key>AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])"
    r"|(?<![A-Za-z0-9_-])(?P<jwt>eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)+)"
    r"(?![A-Za-z0-9_.-])",
    _A,
)

# The following run on the lower-cased text (see _lower), so the marker reads "[redacted:".
_AUTHORIZATION = re.compile(
    r"(\b(?:proxy-)?authorization\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?"
    r"(?:(?:bearer|basic|token|bot|digest|negotiate|apikey|key|sso-key)[ \t]+)?+)"
    r"(?!\[redacted:)([^\s\"'\\<>,;]{6,})",
    _A,
)
_BEARER = re.compile(r"(\bbearer[ \t]+)(?!\[redacted:)([a-z0-9._~+/-]{12,}=*)(?![\w=])", _A)
_BASIC = re.compile(r"(\bbasic[ \t]+)([a-z0-9+/]{8,}={0,2})(?![a-z0-9+/=])", _A)

_KEYWORDS: Final = (
    "passw",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "key",
    "credential",
    "cookie",
)
_ASSIGNMENT = re.compile(
    r"(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key"
    r"|private[_-]?key|credentials?|cookie)(?:[_-]?key)?(?![a-z0-9])"
    r"(?P<sep>(?>\\?[\"']?[ \t]*(?:=>|:=|[:=])[ \t]*))"
    r"(?:(?P<quote>\\?[\"'])(?!\[redacted:)(?P<quoted>[^\"'\\\n]+)"
    r"|(?!\[redacted:)(?P<bare>[^\s\"'`<>,;&()\[\]\\]+))",
    _A,
)
_SCHEMES: Final = frozenset({"bearer", "basic", "digest", "token", "bot"})
_IDENTIFIER_TAIL = re.compile(r"[a-z0-9_.-]{0,64}\Z", _A)
_PLACEHOLDERS: Final = frozenset(
    {"null", "none", "nil", "true", "false", "undefined", "empty", "redacted", "hidden", "n/a"}
)
# Masked values and references to a value kept elsewhere: ****, a row of x's, $DB_PASSWORD,
# ${API_TOKEN}, %s, %(password)s.
_MASKED = re.compile(r"[*xX•.#-]+|\$\{?[A-Z_][A-Z0-9_]*\}?|%(?:\([a-z_]+\))?s|\{\{[^{}]*\}\}", _A)

_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", _A)
_AWS_WINDOW: Final = 48
_HEX = re.compile(r"[0-9a-fA-F]+", _A)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+/=-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    # Nothing that could continue a token may touch an address on either side, or redacting
    # it would change how the text next to it is read (and a second pass would differ).
    r"(?![A-Za-z0-9_%+/=-]|\.[A-Za-z0-9_%+-])",
    _A,
)
_PHONE = re.compile(
    # International: +CC, optional (area), then groups split by one space, dot or dash.
    r"(?<![\w+.:/-])(?:\+[1-9][0-9]{0,2}(?:[ .-]?\([0-9]{1,4}\))?(?:[ .-][0-9]{1,8}){1,6}"
    r"|\+[1-9][0-9]{7,14}"
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567.
    r"|\([0-9]{3}\)[ ]?[0-9]{3}[ .-][0-9]{4}"
    r"|[0-9]{3}([ .-])[0-9]{3}\1[0-9]{4}"
    # National with a trunk 0: 020 7946 0958, 07700 900123, 030 12345678.
    r"|0[0-9]{1,4}[ -][0-9]{3,4}(?:[ -]?[0-9]{3,4})?)"
    r"(?![\w+]|[.:/-][0-9A-Za-z])",
    _A,
)

_SECRET_KEY_ENDINGS: Final = (
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "credential",
    "credentials",
)
_MEMO_SIZE: Final = 8192
_MEMO_LENGTH: Final = 2048
_SCALARS: Final = frozenset({int, float, bool, type(None)})
_MAX_RECURSION: Final = 100


def _key_kind(key: str) -> str:
    """The kind of secret a JSON object key announces for its value ("" for none)."""
    if MARKER_PREFIX in key:
        return ""  # a key that was itself a secret, such as "[REDACTED:github_token]"
    norm = "".join(ch for ch in key.lower() if ch.isascii() and ch.isalnum())
    if norm in ("authorization", "proxyauthorization", "cookie", "setcookie"):
        return "authorization"
    if not norm.endswith(_SECRET_KEY_ENDINGS):
        return ""
    if "pass" in norm or norm.endswith("pwd"):
        return "password"
    if norm.endswith("privatekey"):
        return "private_key"
    return "secret"


def _is_placeholder(value: str) -> bool:
    stripped = value.strip()
    return (
        not stripped
        or stripped.lower() in _PLACEHOLDERS
        or _MASKED.fullmatch(stripped) is not None
        or stripped.startswith((MARKER_PREFIX, "{{", "{%"))
    )


def _looks_random(value: str) -> bool:
    """A value that reads like a token rather than a word: digits, symbols, mixed case or long."""
    if len(value) >= 16:
        return True
    has_digit = any(ch.isdigit() for ch in value)
    has_upper = any(ch.isupper() for ch in value[1:])
    has_symbol = any(not ch.isalnum() for ch in value)
    return has_digit or has_upper or has_symbol


def _aws_secret_shape(value: str) -> bool:
    return (
        len(value) == 40
        and _HEX.fullmatch(value) is None
        and any(ch.isupper() for ch in value)
        and any(ch.islower() for ch in value)
    )


def _basic_credentials(value: str) -> bool:
    """Whether base64 ``value`` decodes to printable ``user:password``."""
    padded = value + "=" * (-len(value) % 4)
    try:
        decoded = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return ":" in text and text.isprintable()


class Redactor:
    """Replaces secrets in text, JSON-like values and timeline events; counts them by kind.

    ``emails`` and ``phones`` add the optional kinds. One redactor is meant for one import:
    ``counts`` adds up across calls.
    """

    def __init__(self, *, emails: bool = False, phones: bool = False) -> None:
        self.emails = emails
        self.phones = phones
        self.counts: Counter[str] = Counter()
        # Strings seen before, with their redaction and the kinds it counted: an event's text
        # comes back in its raw payload, and payload keys and ids repeat a lot.
        self._clean: set[str] = set()
        self._memo: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
        # Every (kind, secret) replaced by the current text() call, for the memo.
        self._found: list[tuple[str, str]] = []
        # While event() runs: the secrets already counted for that event.
        self._seen: set[tuple[str, str]] | None = None
        # Clean payload keys, with the kind of secret their values hold ("" for none).
        self._keys: dict[str, str] = {}

    # --- text ----------------------------------------------------------------------------------

    def text(self, value: str) -> str:
        """``value`` with every secret replaced by its marker."""
        self._found.clear()
        if not value:
            return value
        if may_hold_secret(value):
            value = self._secrets(value)
        if self.emails and "@" in value:
            value = _EMAIL.sub(self._whole("email"), value)
        if self.phones:
            value = _PHONE.sub(self._phone, value)
        return value

    def _secrets(self, value: str) -> str:
        if "PRIVATE KEY" in value:
            value = self._private_keys(value)
        if "://" in value:
            if "@" in value:
                value = _URL_PASSWORD.sub(self._keep_head("password"), value)
            if "hooks.slack.com" in value:
                value = _SLACK_WEBHOOK.sub(self._keep_head("slack_webhook"), value)
        if (
            "_" in value
            or "IA" in value
            or "AIza" in value
            or "eyJ" in value
            or "xox" in value
            or "xapp" in value
            or "ACCA" in value
        ):
            value = _TOKENS.sub(self._token, value)
        value = redact_tokens(value, self._count)
        low = _lower(value)
        separated = "=" in value or ":" in value
        if separated and "authorization" in low:
            value = self._on_lower(value, low, _AUTHORIZATION, self._authorization)
            low = _lower(value)
        if "bearer" in low:
            value = self._on_lower(value, low, _BEARER, self._bearer)
            low = _lower(value)
        if "basic" in low:
            value = self._on_lower(value, low, _BASIC, self._basic)
            low = _lower(value)
        if separated and any(word in low for word in _KEYWORDS):
            value = self._on_lower(value, low, _ASSIGNMENT, self._assignment)
            low = _lower(value)
        if "aws" in low or "secret" in low:
            value = self._aws_secrets(value)
        return redact_more(value, self._count)

    @staticmethod
    def _on_lower(
        value: str,
        low: str,
        pattern: re.Pattern[str],
        replace: Callable[[str, re.Match[str]], str | None],
    ) -> str:
        """Like ``pattern.sub`` on ``value``, matching on its lower-case copy ``low``.

        ``replace(value, match)`` returns the text for the match's span, or None to keep it.
        """
        parts: list[str] = []
        pos = 0
        for match in pattern.finditer(low):
            new = replace(value, match)
            if new is None:
                continue
            parts.append(value[pos : match.start()])
            parts.append(new)
            pos = match.end()
        if not parts:
            return value
        parts.append(value[pos:])
        return "".join(parts)

    def _count(self, kind: str, secret: str) -> str:
        """Count ``secret`` (of ``kind``) and return its marker."""
        self._found.append((kind, secret))
        self._tally(kind, secret)
        return _MARKERS[kind]

    def _tally(self, kind: str, secret: str) -> None:
        seen = self._seen
        if seen is not None:
            if (kind, secret) in seen:
                return
            seen.add((kind, secret))
        self.counts[kind] += 1

    def _whole(self, kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            return self._count(kind, match.group(0))

        return replace

    def _keep_head(self, kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            return match.group(1) + self._count(kind, match.group(2))

        return replace

    def _token(self, match: re.Match[str]) -> str:
        return self._count(match.lastgroup or "secret", match.group(0))

    def _authorization(self, value: str, match: re.Match[str]) -> str | None:
        token = value[match.start(2) : match.end(2)]
        if MARKER_PREFIX in token:
            return None
        return value[match.start() : match.end(1)] + self._count("authorization", token)

    def _bearer(self, value: str, match: re.Match[str]) -> str | None:
        token = value[match.start(2) : match.end(2)]
        mixed = any(ch.isupper() for ch in token) and any(ch.islower() for ch in token)
        if not (any(ch.isdigit() for ch in token) or (mixed and len(token) >= 16)):
            return None
        return value[match.start() : match.end(1)] + self._count("authorization", token)

    def _basic(self, value: str, match: re.Match[str]) -> str | None:
        token = value[match.start(2) : match.end(2)]
        if not _basic_credentials(token):
            return None
        return value[match.start() : match.end(1)] + self._count("authorization", token)

    def _assignment(self, value: str, match: re.Match[str]) -> str | None:
        low = match.string
        sep = match.group("sep")
        prefix = _IDENTIFIER_TAIL.search(low, max(0, match.start() - 64), match.start())
        key = (prefix.group(0) if prefix else "") + low[match.start() : match.start("sep")]
        quote = match.group("quote")
        group = "quoted" if quote is not None else "bare"
        found = value[match.start(group) : match.end(group)]
        if (
            _is_placeholder(found)
            or MARKER_PREFIX in found
            or (quote is None and found.lower() in _SCHEMES)
        ):
            # A scheme word starts a header value ("secret=Bearer ..."): its token was
            # handled above, when it looked like one.
            return None
        is_password = "pass" in key or "pwd" in key
        if not is_password and quote is None and ":" in sep and not _looks_random(found):
            # "token: expired" is prose; "token: 9f8e7d6c" is a value.
            return None
        if ("aws" in key or "secret" in key) and _aws_secret_shape(found):
            kind = "aws_secret"
        elif key.endswith("cookie"):
            kind = "authorization"
        elif key.endswith(("private_key", "private-key", "privatekey")):
            kind = "private_key"
        else:
            kind = "password" if is_password else "secret"
        return value[match.start() : match.start(group)] + self._count(kind, found)

    def _phone(self, match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        if not 8 <= digits <= 15:
            return match.group(0)
        return self._count("phone", match.group(0))

    def _private_keys(self, value: str) -> str:
        parts: list[str] = []
        pos = 0
        end: re.Match[str] | None = None
        searched = -1  # where the END line search started (-1: not yet)
        while True:
            begin = _PEM_BEGIN.search(value, pos)
            if begin is None:
                break
            # One forward search for the next END line serves every BEGIN before it, so a
            # text full of BEGIN lines stays linear.
            if searched < 0 or (end is not None and end.start() < begin.end()):
                searched = begin.end()
                end = _PEM_END.search(value, searched)
            if end is not None and end.start() - begin.end() <= _PEM_SPAN:
                stop = end.end()
            else:
                body = _PEM_BODY.match(value, begin.end())
                stop = body.end() if body is not None else begin.end()
            parts.append(value[pos : begin.start()])
            parts.append(self._count("private_key", value[begin.start() : stop]))
            pos = stop
        if not parts:
            return value
        parts.append(value[pos:])
        return "".join(parts)

    def _aws_secrets(self, value: str) -> str:
        """40-character keys whose preceding text (as redacted so far) names aws or a secret."""
        parts: list[str] = []
        tail = ""
        pos = 0
        changed = False
        for match in _AWS_SECRET.finditer(value):
            window = (tail + value[pos : match.start()])[-_AWS_WINDOW:]
            parts.append(value[pos : match.start()])
            key = match.group(0)
            if _aws_secret_shape(key):
                low = window.lower()
                if "aws" in low or "secret" in low:
                    key = self._count("aws_secret", key)
                    changed = True
            parts.append(key)
            tail = (window + key)[-_AWS_WINDOW:]
            pos = match.end()
        if not changed:
            return value
        parts.append(value[pos:])
        return "".join(parts)

    # --- structures ----------------------------------------------------------------------------

    def value(self, obj: Any) -> Any:
        """A JSON-like value with every string redacted: dict keys and values, list items.

        A value stored under a key that names a secret ("password", "client_secret",
        "Authorization", ...) is replaced whole. Unchanged containers are returned as they are,
        changed ones as copies; the input is never modified. Nesting of any depth is handled.
        """
        return self._walk(obj, 0)

    def _string(self, value: str) -> str:
        """:meth:`text`, remembering the answer for strings up to ``_MEMO_LENGTH``."""
        if value in self._clean:
            return value
        if len(value) > _MEMO_LENGTH:
            return self.text(value)
        known = self._memo.get(value)
        if known is not None:
            for kind, secret in known[1]:
                self._tally(kind, secret)
            return known[0]
        new = self.text(value)
        found = self._found
        if new == value:
            if len(self._clean) >= _MEMO_SIZE:
                self._clean.clear()
            self._clean.add(value)
            return value
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        self._memo[value] = (new, tuple(found))
        return new

    def _key(self, key: str) -> tuple[str, str]:
        """A payload key redacted, and the kind of secret its value holds ("" for none)."""
        secret = self._keys.get(key)
        if secret is not None:
            return key, secret
        secret = _key_kind(key)
        new = self._string(key)
        if new is key:
            if len(self._keys) >= _MEMO_SIZE:
                self._keys.clear()
            self._keys[key] = secret
        return new, secret

    def _walk(self, obj: Any, depth: int) -> Any:
        # The hot loop of payload redaction: clean strings and keys seen before are looked up
        # inline, and a container is copied only when something in it changed.
        kind = type(obj)
        if kind is str:
            return self._string(obj)
        if kind in _SCALARS:
            return obj
        if depth >= _MAX_RECURSION:
            return self._walk_deep(obj)
        clean = self._clean
        if isinstance(obj, dict):
            keys = self._keys
            changes: dict[Any, tuple[Any, Any]] | None = None
            for key, item in obj.items():
                new_key = key
                if type(key) is str:
                    secret = keys.get(key)
                    if secret is None:
                        new_key, secret = self._key(key)
                    if secret and type(item) is str and not _is_placeholder(item):
                        if changes is None:
                            changes = {}
                        changes[key] = (new_key, self._count(secret, item))
                        continue
                kind = type(item)
                if kind is str:
                    new_item = item if item in clean else self._string(item)
                elif kind in _SCALARS:
                    new_item = item
                else:
                    new_item = self._walk(item, depth + 1)
                if new_key is not key or new_item is not item:
                    if changes is None:
                        changes = {}
                    changes[key] = (new_key, new_item)
            if changes is None:
                return obj
            rebuilt = {}
            for key, item in obj.items():
                change = changes.get(key)
                if change is None:
                    rebuilt[key] = item
                else:
                    rebuilt[change[0]] = change[1]
            return rebuilt
        if isinstance(obj, (list, tuple)):
            new_items: list[Any] | None = None
            for index, item in enumerate(obj):
                kind = type(item)
                if kind is str:
                    new_item = item if item in clean else self._string(item)
                elif kind in _SCALARS:
                    continue
                else:
                    new_item = self._walk(item, depth + 1)
                if new_item is not item:
                    if new_items is None:
                        new_items = list(obj)
                    new_items[index] = new_item
            if new_items is None:
                return obj
            return tuple(new_items) if isinstance(obj, tuple) else new_items
        if isinstance(obj, str):
            return self.text(obj)
        return obj

    def _walk_deep(self, obj: Any) -> Any:
        """:meth:`_walk` without recursion, for deeply nested values."""
        if isinstance(obj, str):
            return self.text(obj)
        if not isinstance(obj, (dict, list, tuple)):
            return obj
        root: list[Any] = []
        stack: list[_Frame] = [_Frame(obj)]
        while stack:
            frame = stack[-1]
            if frame.pos == len(frame.items):
                stack.pop()
                result = frame.result()
                if stack:
                    stack[-1].put(result, result is not frame.src)
                else:
                    root.append(result)
                continue
            key, item = frame.items[frame.pos]
            frame.pos += 1
            new_key = key
            if frame.is_dict and isinstance(key, str):
                new_key, secret = self._key(key)
                if secret and isinstance(item, str) and not _is_placeholder(item):
                    frame.add(new_key, self._count(secret, item), changed=True)
                    continue
            if isinstance(item, str):
                new_item = self._string(item)
                frame.add(new_key, new_item, changed=new_key is not key or new_item is not item)
            elif isinstance(item, (dict, list, tuple)):
                frame.key = new_key
                frame.pending_key_changed = new_key is not key
                stack.append(_Frame(item))
            else:
                frame.add(new_key, item, changed=new_key is not key)
        return root[0]

    # --- events --------------------------------------------------------------------------------

    def event(self, event: TimelineEvent) -> TimelineEvent:
        """A copy of ``event`` with its text, actor, evidence URL and raw payload redacted.

        An event without any secret is returned as it is (``event`` is never modified). A
        secret that appears several times in one event (in its text and again in its raw
        payload, say) is replaced everywhere and counted once.
        """
        self._seen = set()
        try:
            return self._event(event)
        finally:
            self._seen = None

    def _event(self, event: TimelineEvent) -> TimelineEvent:
        text = self._string(event.text)
        actor = self._string(event.actor) if event.actor else event.actor
        if actor is not event.actor and len(actor) > MAX_ACTOR:
            actor = actor[: MAX_ACTOR - 1] + "…"
        url = self.text(event.evidence_url) if event.evidence_url else event.evidence_url
        if url is not event.evidence_url and len(url) > MAX_URL:
            url = url[: MAX_URL - 1] + "…"
        raw = event.raw if event.raw is None else self.value(event.raw)
        if (
            text is event.text
            and actor is event.actor
            and url is event.evidence_url
            and raw is event.raw
        ):
            return event  # nothing to hide: no copy needed, the event is never modified
        return dataclasses.replace(event, text=text, actor=actor, evidence_url=url, raw=raw)


class _Frame:
    """One container being rebuilt by :meth:`Redactor.value`."""

    __slots__ = ("changed", "is_dict", "items", "key", "out", "pending_key_changed", "pos", "src")

    def __init__(self, src: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> None:
        self.src = src
        self.is_dict = isinstance(src, dict)
        self.items: list[tuple[Any, Any]] = (
            list(src.items()) if isinstance(src, dict) else [(None, item) for item in src]
        )
        self.out: list[tuple[Any, Any]] = []
        self.pos = 0
        self.changed = False
        self.key: Any = None
        self.pending_key_changed = False

    def add(self, key: Any, item: Any, *, changed: bool) -> None:
        self.out.append((key, item))
        self.changed = self.changed or changed

    def put(self, item: Any, changed: bool) -> None:
        """The rebuilt value of the child container that was pending."""
        self.add(self.key, item, changed=changed or self.pending_key_changed)

    def result(self) -> Any:
        if not self.changed:
            return self.src
        if self.is_dict:
            return dict(self.out)
        if isinstance(self.src, tuple):
            return tuple(item for _, item in self.out)
        return [item for _, item in self.out]
