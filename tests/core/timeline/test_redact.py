"""Redaction: every kind of secret in many settings, look-alikes kept, counts, idempotence.

Token-shaped values are built by concatenation so that this file holds no whole token.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.taxonomy import MAX_ACTOR, MAX_URL
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.redact import (
    KINDS,
    MARKER_PREFIX,
    OPTIONAL_KINDS,
    Redactor,
    marker,
    may_hold_secret,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "redact"

# --- fake secrets with the right shapes --------------------------------------------------------

AWS_ID = "AKIA" + "NORTHWIND0EXAMPL"
AWS_TEMP_ID = "ASIA" + "Z7NW4TEMPCRED0X1"
AWS_SECRET = "nW7rTk9Qx2" + "Lm4Vb8Zp1H/s6Df3Gj5K" + "0Ya7Ue2Ri+"
GITHUB = "ghp_" + "N0rthw1ndF4keT0ken" + "V4lue0123456789abc"
GITHUB_OAUTH = "gho_" + "16C7e42F292c6912E7" + "710c838347Ae178B4a"
GITHUB_APP = "ghs_" + "NwInstallati0nT0ken" + "0123456789abcdef"
GITHUB_PAT = "github_pat_" + "11ANWFAKE0" + "0NorthwindFa" + "_" + "b" * 20 + "C" * 20 + "d" * 19
SLACK_BOT = "xoxb-" + "1234567890-0987654321-" + "NorthwindFakeValue42"
SLACK_USER = "xoxp-" + "1234567890-1122334455-" + "5566778899-" + "abcdef0123456789abcdef0123456789"
SLACK_APP = "xapp-" + "1-A0NW1ND00-1234567890-" + "0123456789abcdef" * 4
SLACK_HOOK_PATH = "T0NW1ND00/B0NW1ND00/" + "n0rthw1ndF4keHookV4lu"
SLACK_HOOK = "https://hooks.slack.com/services/" + SLACK_HOOK_PATH
STRIPE_SECRET = "sk_" + "live_" + "51NwFakeNorthwind0123456789abcdef"
STRIPE_TEST = "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_RESTRICTED = "rk_" + "live_" + "51NwRestrictedFake0123456789"
STRIPE_WEBHOOK = "whsec_" + "NwFakeSigningSecret0123456789abcd"
STRIPE_PUBLISHABLE = "pk_" + "live_" + "51NwPublishableFake0123456789"
GOOGLE = "AIza" + "SyNorthwindFakeKey0123456789abcdEFG"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    + ".eyJzdWIiOiJkYW5hQG5vcnRod2luZCIsImlhdCI6MTc3MjYzMjkyMH0"
    + ".Nw-fake_signature0123456789abcdefABCDEF"
)
BEARER = "nw_live_" + "8f7e6d5c4b3a29180716"
BASIC = base64.b64encode(b"deploy-bot:" + b"Harb0ur-Lights-9").decode()
PEM_BODY = "\n".join(
    ["MIIEowIBAAKCAQEA7NorthwindFakeKeyMaterialOnlyForTests0123456789ab"] * 3
    + ["cdEFghIJklMNopQRstUVwxYZ0123456789+/NorthwindFake=="]
)
PEM_RSA = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA PRIVATE KEY-----"
PEM_PKCS8 = "-----BEGIN " + "PRIVATE KEY-----\n" + PEM_BODY + "\n-----END PRIVATE KEY-----"
PEM_OPENSSH = (
    "-----BEGIN " + "OPENSSH PRIVATE KEY-----\n" + PEM_BODY + "\n-----END OPENSSH PRIVATE KEY-----"
)

PLACEHOLDERS = {
    "aws_key_id": AWS_ID,
    "aws_secret": AWS_SECRET,
    "github_token": GITHUB,
    "slack_bot_token": SLACK_BOT,
    "slack_webhook_url": SLACK_HOOK,
    "stripe_secret": STRIPE_SECRET,
    "stripe_publishable": STRIPE_PUBLISHABLE,
    "google_api_key": GOOGLE,
    "jwt": JWT,
    "bearer_value": BEARER,
}

# Secrets that identify themselves by their shape alone.
SELF_EVIDENT = (
    AWS_ID,
    AWS_TEMP_ID,
    GITHUB,
    GITHUB_OAUTH,
    GITHUB_APP,
    GITHUB_PAT,
    SLACK_BOT,
    SLACK_USER,
    SLACK_APP,
    STRIPE_SECRET,
    STRIPE_TEST,
    STRIPE_RESTRICTED,
    STRIPE_WEBHOOK,
    GOOGLE,
    JWT,
)
# Secrets that need their context, given here as the text that comes before them.
IN_CONTEXT = {
    AWS_SECRET: "aws secret key ",
    SLACK_HOOK_PATH: "https://hooks.slack.com/services/",
    BEARER: "Bearer ",
    BASIC: "Basic ",
}
ALL_SECRETS = SELF_EVIDENT + tuple(IN_CONTEXT)


def in_context(secret: str) -> str:
    return IN_CONTEXT.get(secret, "") + secret


def test_the_fakes_have_the_real_shapes() -> None:
    assert len(AWS_ID) == len(AWS_TEMP_ID) == 20
    assert len(AWS_SECRET) == 40
    assert len(GITHUB) == len(GITHUB_OAUTH) == 40
    assert len(GITHUB_PAT) == 11 + 22 + 1 + 59
    assert len(GOOGLE) == 39
    assert JWT.count(".") == 2
    assert base64.b64decode(BASIC).count(b":") == 1


def fill(template: str) -> str:
    return re.sub(r"<<(\w+)>>", lambda m: PLACEHOLDERS[m.group(1)], template)


def redact(text: str, **options: bool) -> tuple[str, dict[str, int]]:
    redactor = Redactor(**options)
    return redactor.text(text), dict(redactor.counts)


# --- each kind, in several settings ------------------------------------------------------------

CASES: list[tuple[str, str, dict[str, int]]] = [
    # AWS access key ids and secret keys
    (f"key id {AWS_ID} leaked", "key id [REDACTED:aws_key_id] leaked", {"aws_key_id": 1}),
    (f"temp creds {AWS_TEMP_ID}", "temp creds [REDACTED:aws_key_id]", {"aws_key_id": 1}),
    (
        f"aws_access_key_id={AWS_ID}\naws_secret_access_key={AWS_SECRET}\n",
        "aws_access_key_id=[REDACTED:aws_key_id]\naws_secret_access_key=[REDACTED:aws_secret]\n",
        {"aws_key_id": 1, "aws_secret": 1},
    ),
    (
        f'{{"AccessKeyId": "{AWS_TEMP_ID}", "SecretAccessKey": "{AWS_SECRET}"}}',
        '{"AccessKeyId": "[REDACTED:aws_key_id]", "SecretAccessKey": "[REDACTED:aws_secret]"}',
        {"aws_key_id": 1, "aws_secret": 1},
    ),
    (
        f"the AWS secret for the backup job is {AWS_SECRET} (rotated since)",
        "the AWS secret for the backup job is [REDACTED:aws_secret] (rotated since)",
        {"aws_secret": 1},
    ),
    (
        f"export AWS_SECRET_ACCESS_KEY='{AWS_SECRET}'",
        "export AWS_SECRET_ACCESS_KEY='[REDACTED:aws_secret]'",
        {"aws_secret": 1},
    ),
    # GitHub
    (f"GITHUB_TOKEN={GITHUB}", "GITHUB_TOKEN=[REDACTED:github_token]", {"github_token": 1}),
    (
        f"git clone https://{GITHUB}@github.com/northwind/checkout.git",
        "git clone https://[REDACTED:github_token]@github.com/northwind/checkout.git",
        {"github_token": 1},
    ),
    (
        f"```\ncurl -H 'Authorization: token {GITHUB_OAUTH}' https://api.github.com/user\n```",
        "```\ncurl -H 'Authorization: token [REDACTED:github_token]' https://api.github.com/user"
        "\n```",
        {"github_token": 1},
    ),
    (f"app token {GITHUB_APP}.", "app token [REDACTED:github_token].", {"github_token": 1}),
    (f"pat: {GITHUB_PAT}", "pat: [REDACTED:github_token]", {"github_token": 1}),
    # Slack
    (f"SLACK_BOT_TOKEN={SLACK_BOT}", "SLACK_BOT_TOKEN=[REDACTED:slack_token]", {"slack_token": 1}),
    (
        f"user token {SLACK_USER} and app token {SLACK_APP}",
        "user token [REDACTED:slack_token] and app token [REDACTED:slack_token]",
        {"slack_token": 2},
    ),
    (
        f"posting to {SLACK_HOOK} from the deploy job",
        "posting to https://hooks.slack.com/services/[REDACTED:slack_webhook] from the deploy job",
        {"slack_webhook": 1},
    ),
    (
        f'{{"webhook_url": "{SLACK_HOOK}"}}',
        '{"webhook_url": "https://hooks.slack.com/services/[REDACTED:slack_webhook]"}',
        {"slack_webhook": 1},
    ),
    # Stripe
    (f"STRIPE_KEY={STRIPE_SECRET}", "STRIPE_KEY=[REDACTED:stripe_key]", {"stripe_key": 1}),
    (
        f"test {STRIPE_TEST}, restricted {STRIPE_RESTRICTED}, webhook {STRIPE_WEBHOOK}",
        "test [REDACTED:stripe_key], restricted [REDACTED:stripe_key], webhook "
        "[REDACTED:stripe_key]",
        {"stripe_key": 3},
    ),
    # Google
    (
        f"https://maps.googleapis.com/maps/api/geocode/json?address=Lisbon&key={GOOGLE}",
        "https://maps.googleapis.com/maps/api/geocode/json?address=Lisbon&key="
        "[REDACTED:google_api_key]",
        {"google_api_key": 1},
    ),
    # JWT
    (f"session cookie was {JWT}", "session cookie was [REDACTED:jwt]", {"jwt": 1}),
    (
        f'{{"id_token": "{JWT}", "expires_in": 3600}}',
        '{"id_token": "[REDACTED:jwt]", "expires_in": 3600}',
        {"jwt": 1},
    ),
    (f"Authorization: Bearer {JWT}", "Authorization: Bearer [REDACTED:jwt]", {"jwt": 1}),
    # PEM private keys
    (
        f"key:\n{PEM_RSA}\nend of paste",
        "key:\n[REDACTED:private_key]\nend of paste",
        {"private_key": 1},
    ),
    (
        f"{PEM_PKCS8}{PEM_OPENSSH}",
        "[REDACTED:private_key][REDACTED:private_key]",
        {"private_key": 2},
    ),
    (
        json.dumps({"key": PEM_RSA})[1:-1],
        '"key": "[REDACTED:private_key]"',
        {"private_key": 1},
    ),
    (
        "-----BEGIN " + "RSA PRIVATE KEY-----\n" + PEM_BODY + "\n\nthe paste was cut off there",
        "[REDACTED:private_key]\n\nthe paste was cut off there",
        {"private_key": 1},
    ),
    # Passwords in URLs and connection strings
    (
        "postgres://app:Wint3r-Harb0ur@db:5432/x",
        "postgres://app:[REDACTED:password]@db:5432/x",
        {"password": 1},
    ),
    (
        "redis://:s3cr3t-Redis@cache.northwind.internal:6379/0 and amqp://guest:guest@mq//",
        "redis://:[REDACTED:password]@cache.northwind.internal:6379/0 and "
        "amqp://guest:[REDACTED:password]@mq//",
        {"password": 2},
    ),
    (
        "mongodb+srv://reporting:R3p0rts%40Q1@cluster0.northwind.example/analytics?retryWrites=true",
        "mongodb+srv://reporting:[REDACTED:password]@cluster0.northwind.example/analytics"
        "?retryWrites=true",
        {"password": 1},
    ),
    (
        "Server=orders-db;User Id=app;Password=c0ff33-Br3ak;Database=orders",
        "Server=orders-db;User Id=app;Password=[REDACTED:password];Database=orders",
        {"password": 1},
    ),
    (
        "Host=db;Username=app;Pwd=Lamp-Post-31;",
        "Host=db;Username=app;Pwd=[REDACTED:password];",
        {"password": 1},
    ),
    # Assignments
    ("password: hunter2", "password: [REDACTED:password]", {"password": 1}),
    ("DB_PASSWORD=Harb0ur!Lights", "DB_PASSWORD=[REDACTED:password]", {"password": 1}),
    ("passwd=abc123", "passwd=[REDACTED:password]", {"password": 1}),
    (
        "mysql --user=app --password='correct horse battery' orders",
        "mysql --user=app --password='[REDACTED:password]' orders",
        {"password": 1},
    ),
    (
        '{"user": "app", "password": "Sm0ke-Signal-77"}',
        '{"user": "app", "password": "[REDACTED:password]"}',
        {"password": 1},
    ),
    (
        r"{\"password\": \"Sm0ke-Signal-77\"}",
        r"{\"password\": \"[REDACTED:password]\"}",
        {"password": 1},
    ),
    ("api_key=4c3b2a1908f7e6d5", "api_key=[REDACTED:secret]", {"secret": 1}),
    ("X-Api-Key: 4c3b2a1908f7e6d5", "X-Api-Key: [REDACTED:secret]", {"secret": 1}),
    ("client_secret = 'nw-Cl13nt-S3cret'", "client_secret = '[REDACTED:secret]'", {"secret": 1}),
    ("secret=abc", "secret=[REDACTED:secret]", {"secret": 1}),
    ("token: 9f8e7d6c5b", "token: [REDACTED:secret]", {"secret": 1}),
    (
        "GET /export?token=Zx81kPq2&format=csv",
        "GET /export?token=[REDACTED:secret]&format=csv",
        {"secret": 1},
    ),
    (
        "private_key => 'k3y-mat3rial'",
        "private_key => '[REDACTED:private_key]'",
        {"private_key": 1},
    ),
    ("access_key := Nw0Acc3ss", "access_key := [REDACTED:secret]", {"secret": 1}),
    # Authorization headers
    (
        f'curl -H "Authorization: Bearer {BEARER}" https://api.northwind.example/v2/orders',
        'curl -H "Authorization: Bearer [REDACTED:authorization]" '
        "https://api.northwind.example/v2/orders",
        {"authorization": 1},
    ),
    (
        f"Authorization: Basic {BASIC}",
        "Authorization: Basic [REDACTED:authorization]",
        {"authorization": 1},
    ),
    (
        f"the proxy sent basic {BASIC} upstream",
        "the proxy sent basic [REDACTED:authorization] upstream",
        {"authorization": 1},
    ),
    (
        f"retry with bearer {BEARER}",
        "retry with bearer [REDACTED:authorization]",
        {"authorization": 1},
    ),
    (
        "curl -H 'Cookie: nw_session=5f4e3d2c1b0a; theme=dark' https://shop.northwind.example",
        "curl -H 'Cookie: [REDACTED:authorization]; theme=dark' https://shop.northwind.example",
        {"authorization": 1},
    ),
    (
        "Set-Cookie: sid=Zx81kPq2; Path=/; HttpOnly",
        "Set-Cookie: [REDACTED:authorization]; Path=/; HttpOnly",
        {"authorization": 1},
    ),
    (
        '{"headers": {"authorization": "Digest username=app"}}',
        '{"headers": {"authorization": "Digest [REDACTED:authorization]"}}',
        {"authorization": 1},
    ),
]


@pytest.mark.parametrize(("text", "expected", "counts"), CASES)
def test_each_kind_is_redacted(text: str, expected: str, counts: dict[str, int]) -> None:
    assert redact(text) == (expected, counts)


@pytest.mark.parametrize(("text", "expected", "counts"), CASES)
def test_redaction_is_idempotent(text: str, expected: str, counts: dict[str, int]) -> None:
    redactor = Redactor()
    once = redactor.text(text)
    assert redactor.text(once) == once
    assert dict(redactor.counts) == counts


@pytest.mark.parametrize("secret", ALL_SECRETS)
@pytest.mark.parametrize(
    "template",
    [
        "{}",
        "we saw {} in the logs",
        "```\nexport NW_VALUE={}\n```",
        '{{"value": "{}"}}',
        "({}).",
        "token: {}",
        "secret={}",
        "Authorization: {}",
    ],
)
def test_no_secret_survives_any_setting(secret: str, template: str) -> None:
    out = Redactor().text(template.format(in_context(secret)))
    assert secret not in out
    assert MARKER_PREFIX in out


# --- look-alikes stay --------------------------------------------------------------------------

LOOK_ALIKES = [
    "reverted 3f2a9c1 and cherry-picked 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "request 123e4567-e89b-12d3-a456-426614174000 failed",
    "trace id 4bf92f3577b34da6a3ce929d0e0e4736, span 00f067aa0ba902b7",
    "job 01HV6ZK3Q8R5T2W9X4Y7Z0A1B2 and base32 id MFRGGZDFMZTWQ2LKNNWG23TPOBYXE",
    "pod checkout-7d9f8b6c5-x2x9z in namespace payments restarted",
    "image registry.northwind.example/checkout@sha256:"
    "9b2c8f1e7d6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c",
    "hosts 10.20.30.40, 192.168.1.254 and fe80::1ff:fe23:4567:890a and [2001:db8::1]:8443",
    "at 2026-03-04T14:02:07.123456+05:30 and 1772632927.000200 and 14:02:07Z",
    "upgraded to v2.14.3, then 2.15.0-rc.1+build.7",
    "role arn:aws:iam::123456789012:role/northwind-deploy in account 123456789012",
    "bucket arn:aws:s3:::northwind-backups/2026/03/04 and AWS account 210987654321",
    "see https://grafana.northwind.example/d/abc?orgId=1&var-pod=checkout-7d9f8b6c5-x2x9z",
    "clone from https://github.com/northwind/checkout.git or git@github.com:northwind/checkout",
    "the password reset emails are delayed",
    "a token was rotated yesterday and the secret store is fine",
    "tokens issued: 3, keys rotated: 2",
    'max_tokens: 4096, "token_type": "Bearer", token_url=https://auth.northwind.example/t',
    "cookies are disabled; the cookie banner is back",
    "token: expired",
    "password: [REDACTED:password]",
    "postgres://app:[REDACTED:password]@db:5432/x",
    "the Authorization header was missing; basic checks passed; bearer auth is next",
    "Authorization: Bearer [REDACTED:jwt]",
    "publishable key " + STRIPE_PUBLISHABLE,
    "password=${DB_PASSWORD} and token: $API_TOKEN and secret=****",
    'token: {{ secrets.NW_TOKEN }} and password: "{{ vault.orders_db }}"',
    "password_reset_url=https://northwind.example/reset and token_url=https://auth.example/t",
    "unique ids AIDA" + "NORTHWIND0EXAMPL and AROA" + "NORTHWIND0EXAMPL",
    "the PRIVATE KEY line is missing from the paste",
    "ghp_ tokens start with ghp_ and Slack ones with xoxb-",
    "eyJ is how base64 JSON starts",
    "call +1 555 123 4567 or dana@northwind.example",
    "commit " + "a" * 40 + " near the aws secret rotation",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_stay(text: str) -> None:
    assert redact(text) == (text, {})


# --- optional kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail dana.okafor@northwind.example", "mail [REDACTED:email]"),
        ("<mailto:rui+oncall@ops.northwind.co.uk|rui>", "<mailto:[REDACTED:email]|rui>"),
        ('{"email": "ines@northwind.example"}', '{"email": "[REDACTED:email]"}'),
    ],
)
def test_emails_when_asked(text: str, expected: str) -> None:
    assert redact(text) == (text, {})
    assert redact(text, emails=True) == (expected, {"email": 1})


@pytest.mark.parametrize(
    "phone",
    [
        "+1 555 123 4567",
        "+1 (555) 123-4567",
        "+44 20 7946 0958",
        "+49 30 12345678",
        "+91-98765-43210",
        "+33 1 23 45 67 89",
        "+14155550123",
        "(555) 123-4567",
        "555-123-4567",
        "555.123.4567",
        "020 7946 0958",
        "07700 900123",
        "030 12345678",
    ],
)
def test_phones_when_asked(phone: str) -> None:
    text = f"call {phone} now"
    assert redact(text) == (text, {})
    assert redact(text, phones=True) == ("call [REDACTED:phone] now", {"phone": 1})


@pytest.mark.parametrize(
    "text",
    [
        "on 2026-03-04 at 14:02:07 and 04/03/2026",
        "version 1.2.3 and 10.2.14.3 and v2026.03.04",
        "hosts 10.20.30.40 and 192.168.100.200",
        "order 1234567890 and ticket OPS-4812 and epoch 1772632927123",
        "offset +05:30 and +0530 and -08:00",
        "build 2026.03.04-17 and port 5432 and 1 555 grams",
        "request 123e4567-e89b-12d3-a456-426614174000",
        "up 99.95% over 30 days, p95 120 ms",
    ],
)
def test_phone_look_alikes_stay(text: str) -> None:
    assert redact(text, phones=True, emails=True) == (text, {})


def test_kinds_are_documented_and_optional_ones_are_off_by_default() -> None:
    assert set(KINDS) >= OPTIONAL_KINDS
    assert marker("jwt") == "[REDACTED:jwt]"
    docs = (Path(__file__).resolve().parents[3] / "docs" / "redaction.md").read_text()
    for kind in KINDS:
        assert f"`{kind}`" in docs, kind


# --- sample files ------------------------------------------------------------------------------


TEXT_SAMPLES = sorted(
    path.stem for path in FIXTURES.glob("*.txt") if not path.stem.endswith(".expected")
)


def test_there_are_text_samples() -> None:
    assert set(TEXT_SAMPLES) >= {"incident_chat", "runbook_paste"}


@pytest.mark.parametrize("name", TEXT_SAMPLES)
def test_text_sample(name: str) -> None:
    source = fill((FIXTURES / f"{name}.txt").read_text())
    expected = fill((FIXTURES / f"{name}.expected.txt").read_text())
    redactor = Redactor()
    got = redactor.text(source)
    assert got.splitlines() == expected.splitlines()
    counts = json.loads((FIXTURES / f"{name}.counts.json").read_text())
    assert dict(redactor.counts) == counts
    for secret in PLACEHOLDERS.values():
        if secret != STRIPE_PUBLISHABLE:
            assert secret not in got
    assert redactor.text(got) == got
    assert dict(redactor.counts) == counts


def test_chat_sample_message_by_message() -> None:
    """Each line of the chat sample is one message: redacting them one by one is the same."""
    source = fill((FIXTURES / "incident_chat.txt").read_text())
    expected = fill((FIXTURES / "incident_chat.expected.txt").read_text())
    redactor = Redactor()
    assert [redactor.text(line) for line in source.splitlines()] == expected.splitlines()
    counts = json.loads((FIXTURES / "incident_chat.counts.json").read_text())
    assert dict(redactor.counts) == counts


def test_payload_sample() -> None:
    payload = json.loads(fill((FIXTURES / "alert_payload.json").read_text()))
    expected = json.loads(fill((FIXTURES / "alert_payload.expected.json").read_text()))
    original = copy.deepcopy(payload)
    redactor = Redactor()
    got = redactor.value(payload)
    assert got == expected
    assert payload == original, "the input must not be modified"
    counts = json.loads((FIXTURES / "alert_payload.counts.json").read_text())
    assert dict(redactor.counts) == counts
    assert got["alerts"][0]["labels"] is payload["alerts"][0]["labels"], "unchanged parts shared"
    assert redactor.value(got) == got
    assert dict(redactor.counts) == counts


# --- structures and events ---------------------------------------------------------------------


def test_value_redacts_keys_values_lists_and_tuples() -> None:
    redactor = Redactor()
    obj = {
        "items": [f"token {GITHUB}", ("plain", f"key={GOOGLE}"), 3, None, True, 2.5],
        GITHUB: {"nested": {"Password": "Lamp-Post-31", "password_hint": "a lamp"}},
        7: "seven",
    }
    got = redactor.value(obj)
    assert got == {
        "items": [
            "token [REDACTED:github_token]",
            ("plain", "key=[REDACTED:google_api_key]"),
            3,
            None,
            True,
            2.5,
        ],
        "[REDACTED:github_token]": {
            "nested": {"Password": "[REDACTED:password]", "password_hint": "a lamp"}
        },
        7: "seven",
    }
    assert redactor.counts == Counter(github_token=2, google_api_key=1, password=1)


def test_secret_named_keys_keep_placeholders_and_non_strings() -> None:
    redactor = Redactor()
    obj = {
        "password": "",
        "token": None,
        "api_key": "${NW_API_KEY}",
        "secret": "****",
        "credentials": {"user": "app", "pwd": "Lamp-Post-31"},
        "cookie": "session=abc123",
        "Set-Cookie": "sid=Zx81; HttpOnly",
        "refresh_token": "[REDACTED:secret]",
    }
    got = redactor.value(obj)
    assert got["password"] == ""
    assert got["token"] is None
    assert got["api_key"] == "${NW_API_KEY}"
    assert got["secret"] == "****"
    assert got["credentials"] == {"user": "app", "pwd": "[REDACTED:password]"}
    assert got["cookie"] == got["Set-Cookie"] == "[REDACTED:authorization]"
    assert got["refresh_token"] == "[REDACTED:secret]"
    assert redactor.counts == Counter(password=1, authorization=2)


def test_clean_values_come_back_as_the_same_objects() -> None:
    obj = {"a": [{"b": "text"}, ("c", 1)], "d": {"e": None}}
    assert Redactor().value(obj) is obj
    assert Redactor().value("plain") == "plain"
    assert Redactor().value(12) == 12


def test_repeated_strings_count_every_time() -> None:
    redactor = Redactor()
    line = f"token {GITHUB}"
    assert redactor.value([line, line, {"k": line}]) == ["token [REDACTED:github_token]"] * 2 + [
        {"k": "token [REDACTED:github_token]"}
    ]
    assert redactor.counts == Counter(github_token=3)


def test_deep_nesting_needs_no_recursion() -> None:
    depth = 5000
    obj: Any = {"password": "Lamp-Post-31", "note": f"bot {SLACK_BOT}"}
    for level in range(depth):
        obj = [obj] if level % 2 else {"level": obj}
    redactor = Redactor()
    got = redactor.value(obj)
    for level in reversed(range(depth)):
        got = got[0] if level % 2 else got["level"]
    assert got == {"password": "[REDACTED:password]", "note": "bot [REDACTED:slack_token]"}
    assert redactor.counts == Counter(password=1, slack_token=1)
    same = {"x": 1}
    for _ in range(depth):
        same = {"x": same}
    assert Redactor().value(same) is same


def test_event_is_a_redacted_copy() -> None:
    at = datetime(2026, 3, 4, 14, 2, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    event = TimelineEvent(
        at=at,
        kind="chat",
        source="slack",
        source_ref="C0NW1ND00/1772632920.000100",
        text=f"use {GITHUB} for now",
        actor="deploy-bot",
        evidence_url="https://ci:Wint3r-Harb0ur@ci.northwind.example/job/42",
        raw={"text": f"use {GITHUB} for now", "user": "U0NW00001"},
        signal="checkout-errors",
        state="firing",
    )
    redactor = Redactor()
    got = redactor.event(event)
    assert got is not event
    assert got.text == "use [REDACTED:github_token] for now"
    assert got.evidence_url == "https://ci:[REDACTED:password]@ci.northwind.example/job/42"
    assert got.raw == {"text": "use [REDACTED:github_token] for now", "user": "U0NW00001"}
    assert (got.at, got.kind, got.source, got.source_ref, got.actor) == (
        at,
        "chat",
        "slack",
        "C0NW1ND00/1772632920.000100",
        "deploy-bot",
    )
    assert (got.signal, got.state) == ("checkout-errors", "firing")
    assert event.text == f"use {GITHUB} for now", "the original event is unchanged"
    # The token in the text and again in the raw payload is one secret.
    assert redactor.counts == Counter(github_token=1, password=1)
    assert redactor.event(got) == got
    assert redactor.counts == Counter(github_token=1, password=1)
    again = redactor.event(event)
    assert again == got
    assert redactor.counts == Counter(github_token=2, password=2), "each event counts"


def test_an_event_counts_each_distinct_secret() -> None:
    at = datetime(2026, 3, 4, 14, 2, tzinfo=UTC)
    raw = {"text": f"{GITHUB} {GITHUB_APP}", "blocks": [{"text": f"{GITHUB} {GITHUB_APP}"}]}
    event = TimelineEvent(at, "chat", "slack", "r", f"{GITHUB} and {GITHUB}", raw=raw)
    redactor = Redactor()
    got = redactor.event(event)
    assert got.text == "[REDACTED:github_token] and [REDACTED:github_token]"
    assert got.raw == {
        "text": "[REDACTED:github_token] [REDACTED:github_token]",
        "blocks": [{"text": "[REDACTED:github_token] [REDACTED:github_token]"}],
    }
    assert redactor.counts == Counter(github_token=2)
    assert redactor.text(f"{GITHUB} and {GITHUB}") == got.text
    assert redactor.counts == Counter(github_token=4), "text() counts every replacement"


def test_event_fields_stay_within_their_limits() -> None:
    at = datetime(2026, 3, 4, 14, 2, tzinfo=UTC)
    actor = "x" * (MAX_ACTOR - 12) + " pwd=ab"
    url = "https://ci:pw@" + "h" * (MAX_URL - 20) + ".example/"
    event = TimelineEvent(at, "chat", "slack", "r", "text", actor=actor, evidence_url=url)
    got = Redactor().event(event)
    assert len(got.actor) <= MAX_ACTOR
    assert len(got.evidence_url) <= MAX_URL
    assert "ab" not in got.actor[-20:]
    clean = TimelineEvent(at, "chat", "slack", "r", "t", raw={"text": "t", "n": [1, 2]})
    assert Redactor().event(clean) is clean
    assert Redactor().event(TimelineEvent(at, "chat", "slack", "r", "t")).raw is None


# --- the prefilter -----------------------------------------------------------------------------

CLEAN_CHAT = [
    "seeing 502s from checkout-api in eu-west since about 14:02",
    "ack, I'm looking at the dashboards now",
    "pod checkout-7d9f8b6c5-x2x9z restarted 4 times in the last ten minutes",
    "rolling back to 3f2a9c1 now, deploy #4812 was the only change today",
    "connection pool on orders-db is at 100/100, new connections are queueing",
    "error rate is dropping, 0.4% and falling",
    "ok",
    "",
]


@pytest.mark.parametrize("line", CLEAN_CHAT)
def test_ordinary_chat_lines_skip_the_detailed_patterns(line: str) -> None:
    assert not may_hold_secret(line)


@pytest.mark.parametrize(("text", "expected", "counts"), CASES)
def test_every_case_passes_the_prefilter(text: str, expected: str, counts: dict[str, int]) -> None:
    assert may_hold_secret(text)


@pytest.mark.parametrize(
    "text",
    [
        "a_" * 50000,
        "token=" * 20000,
        "eyJ" + "a" * 100000,
        "eyJaaaaaaaaaaa." * 7000,
        "-----BEGIN PRIVATE KEY-----\n" * 4000,
        "a://b:" * 20000,
        "ab://" + "c:" * 50000,
        "+1 " * 35000,
        "a@" * 50000,
        "a@" + "b." * 50000 + "1",
        ("aws " + "A" * 39 + "a ") * 2000,
        "authorization: " * 7000,
        'token="' * 15000,
        "a.b-c_" * 16000 + "token=x",
        "0 " * 50000,
    ],
)
def test_pathological_input_finishes_quickly(text: str) -> None:
    start = time.perf_counter()
    redactor = Redactor(emails=True, phones=True)
    redactor.text(text)
    assert time.perf_counter() - start < 3.0


# --- properties --------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        *ALL_SECRETS,
        PEM_RSA,
        "-----BEGIN " + "EC PRIVATE KEY-----",
        "-----END EC PRIVATE KEY-----",
        "password",
        "Password",
        "token",
        "secret",
        "api_key",
        "aws",
        "Authorization",
        "Bearer",
        "basic",
        "=",
        ": ",
        ":",
        "@",
        "://",
        "postgres://",
        "app:",
        "\\n",
        "\n",
        " ",
        "'",
        '"',
        "\\",
        ";",
        "[REDACTED:",
        "]",
        "[REDACTED:password]",
        "dana@northwind.example",
        "+44 20 7946 0958",
        "555-123-4567",
        "x",
        "9",
        "_",
        "-",
        "/",
        "+",
        "A" * 16,
        "eyJ",
        "AKIA",
        "ghp_",
        "xoxb-",
        "AIza",
    ]
)
COMPOSED = st.lists(FRAGMENTS, max_size=12).map("".join)
TEXTS = st.one_of(st.text(max_size=200), COMPOSED)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.booleans(), st.booleans())
def test_redaction_never_raises_and_is_idempotent(text: str, emails: bool, phones: bool) -> None:
    redactor = Redactor(emails=emails, phones=phones)
    once = redactor.text(text)
    counted = sum(redactor.counts.values())
    assert redactor.text(once) == once
    assert sum(redactor.counts.values()) == counted
    assert once.count(MARKER_PREFIX) >= counted


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_text_without_a_trigger_is_kept(text: str) -> None:
    redactor = Redactor()
    out = redactor.text(text)
    if not may_hold_secret(text):
        assert out == text
        assert not redactor.counts
    else:
        assert out == text or redactor.counts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ALL_SECRETS), min_size=1, max_size=4), st.text(max_size=40))
def test_inserted_secrets_never_survive(secrets: list[str], filler: str) -> None:
    text = " ".join(f"{in_context(secret)} {filler}" for secret in secrets)
    out = Redactor().text(text)
    for secret in secrets:
        assert secret not in out


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXTS),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(TEXTS, st.sampled_from(["password", "token", "x"])), children),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSONISH)
def test_values_never_raise_are_idempotent_and_not_modified(obj: Any) -> None:
    original = copy.deepcopy(obj)
    redactor = Redactor(emails=True, phones=True)
    once = redactor.value(obj)
    assert obj == original
    counted = sum(redactor.counts.values())
    assert redactor.value(once) == once
    assert sum(redactor.counts.values()) == counted
    json.dumps(once)


SAMPLE_TEXTS = [fill((FIXTURES / f"{name}.txt").read_text()) for name in TEXT_SAMPLES]


@st.composite
def mutated_samples(draw: st.DrawFn) -> str:
    """A sample with a few slices cut out, moved or replaced by arbitrary text."""
    text = draw(st.sampled_from(SAMPLE_TEXTS))
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text)))
        stop = draw(st.integers(start, min(len(text), start + 80)))
        insert = draw(st.one_of(st.text(max_size=10), FRAGMENTS, st.just(text[start:stop])))
        text = text[:start] + insert + text[stop:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_samples(), st.booleans())
def test_mutated_samples_redact_idempotently(text: str, phones: bool) -> None:
    redactor = Redactor(emails=True, phones=phones)
    once = redactor.text(text)
    counted = sum(redactor.counts.values())
    assert redactor.text(once) == once
    assert sum(redactor.counts.values()) == counted
