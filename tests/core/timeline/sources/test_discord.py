"""Discord (DiscordChatExporter JSON): fixture pairs, streaming, errors and fuzzing."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.event import event_json
from secondstory.core.timeline.sources import discord
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES
EXPORT = FIXTURES / "discord" / "inc-2291-payments.json"
EXPECTED = FIXTURES / "discord" / "inc-2291-payments.expected.jsonl"


run = partial(support.run, discord)


def write(tmp: Path, document: Any, name: str = "export.json") -> Path:
    path = tmp / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def export() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(EXPORT.read_text(encoding="utf-8"))
    return loaded


def test_the_export_gives_the_expected_events() -> None:
    events, source = run(EXPORT)
    assert [event_json(e) for e in events] == support.read_expected(EXPECTED)
    assert source.warnings == [
        "inc-2291-payments.json: $.messages[9]: message has no text, attachment or embed; skipped",
        "inc-2291-payments.json: $.messages[10]: message type 'StageStart' is not known; "
        "kept as chat",
    ]


def test_events_keep_the_offsets_the_exporter_wrote() -> None:
    events, _ = run(EXPORT)
    offsets = [e.at.utcoffset() for e in events]
    # The export spans the night the clocks went forward.
    assert offsets[:3] == [timedelta(hours=1)] * 3
    assert set(offsets[3:]) == {timedelta(hours=2)}
    assert events[0].at == datetime(2024, 3, 31, 0, 52, 10, 120000, tzinfo=UTC)


def test_bot_alerts_carry_signal_and_state() -> None:
    events, _ = run(EXPORT)
    alerts = [(e.kind, e.signal, e.state, e.actor_role) for e in events if e.signal]
    assert alerts == [
        ("alert", "paymentslatencyhigh", "firing", "bot"),
        ("alert", "paymentslatencyhigh", "resolved", "bot"),
    ]
    humans = [e for e in events if e.actor_role != "bot"]
    assert all(e.kind == "chat" and not e.signal and not e.state for e in humans)


def test_raw_is_the_original_message_and_serialisable() -> None:
    events, _ = run(EXPORT)
    by_id = {m["id"]: m for m in export()["messages"]}
    for event in events:
        assert event.raw is not None
        assert event.raw == by_id[event.source_ref.split("/")[1]]
        json.dumps(event.raw)


def test_pinned_messages_are_starred_and_link_back() -> None:
    events, _ = run(EXPORT)
    starred = [e.source_ref for e in events if e.starred]
    assert starred == ["620000000000000042/700000000000000004"]
    assert events[1].evidence_url == (
        "https://discord.com/channels/600000000000000007/620000000000000042/700000000000000002"
    )


def test_direct_message_exports_link_without_a_guild(tmp_path: Path) -> None:
    document = export()
    document["guild"] = {"id": "0", "name": "Direct Messages", "iconUrl": ""}
    events, _ = run(write(tmp_path, document))
    assert events[0].evidence_url.startswith("https://discord.com/channels/@me/")


def test_mentions_are_resolved_even_when_unknown(tmp_path: Path) -> None:
    document = export()
    message = document["messages"][1]
    message["content"] = "<@!410000000000000102> and <@999> see <:ok:1> <a:spin:2>"
    events, _ = run(write(tmp_path, document))
    assert events[1].text == "@Tomás and @999 see :ok: :spin:"


@pytest.mark.parametrize(
    ("channels", "count"),
    [
        ((), 11),
        (("inc-2291-payments",), 11),
        (("#INC-2291-payments",), 11),
        (("620000000000000042",), 11),
        (("general",), 0),
    ],
)
def test_channel_selection(channels: tuple[str, ...], count: int) -> None:
    events, _ = run(EXPORT, ParseOptions(channels=channels))
    assert len(events) == count


def test_the_window_is_respected() -> None:
    since = datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
    until = datetime(2024, 3, 31, 1, 7, tzinfo=UTC)
    events, _ = run(EXPORT, ParseOptions(since=since, until=until))
    assert [e.at.astimezone(UTC).strftime("%H:%M") for e in events] == [
        "01:01",
        "01:02",
        "01:05",
        "01:06",
        "01:07",
    ]


def test_messages_before_the_channel_are_kept(tmp_path: Path) -> None:
    document = export()
    reordered = {
        "messages": document["messages"],
        "guild": document["guild"],
        "channel": document["channel"],
    }
    events, _ = run(write(tmp_path, reordered))
    assert [event_json(e) for e in events] == support.read_expected(EXPECTED)


def test_an_export_without_messages_is_empty(tmp_path: Path) -> None:
    document = export()
    document["messages"] = []
    events, source = run(write(tmp_path, document))
    assert events == []
    assert source.warnings == []


def test_tiny_read_chunks_give_the_same_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord, "CHUNK", 7)
    monkeypatch.setattr(discord, "COMPACT_AT", 50)
    events, _ = run(EXPORT)
    assert [event_json(e) for e in events] == support.read_expected(EXPECTED)


def big_export(path: Path, count: int) -> int:
    """A large export written message by message; returns its size in bytes."""
    template = export()
    message = template["messages"][1]
    with path.open("w", encoding="utf-8") as handle:
        head = {k: template[k] for k in ("guild", "channel", "dateRange", "exportedAt")}
        handle.write(json.dumps(head, indent=2)[:-2] + ',\n  "messages": [\n')
        for number in range(count):
            message["id"] = str(800000000000000000 + number)
            message["content"] = f"status check {number}: " + "queue depth nominal " * 20
            handle.write(("    " if number == 0 else ",\n    ") + json.dumps(message))
        handle.write(f'\n  ],\n  "messageCount": {count}\n}}\n')
    return path.stat().st_size


def test_large_exports_are_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord, "COMPACT_AT", 1 << 18)
    path = tmp_path / "big.json"
    size = big_export(path, 6000)
    source = Source(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in discord.parse(source, ParseOptions()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 6000
    assert size > 5_000_000
    assert peak < size / 4, (peak, size)


def test_sniff_claims_the_export_only() -> None:
    assert discord.sniff(Source(EXPORT))
    assert support.claimed_elsewhere(discord.sniff, {"discord"}) == []


def test_a_folder_of_exports_is_read_file_by_file(tmp_path: Path) -> None:
    document = export()
    write(tmp_path, document, "Northwind Platform - Incidents - inc-2291-payments [620].json")
    document["channel"] = dict(document["channel"], id="620000000000000050", name="inc-comms")
    document["messages"] = document["messages"][:2]
    write(tmp_path, document, "Northwind Platform - Incidents - inc-comms [650].json")
    (tmp_path / "inc-2291-payments_Files").mkdir()
    folder = Source(tmp_path, name="server")
    assert discord.sniff(folder)
    events = list(discord.parse(folder, ParseOptions()))
    assert len(events) == 13
    assert len({e.source_ref for e in events}) == 13
    assert folder.warning_count == 2
    assert folder.warnings[0].startswith("server/Northwind Platform - Incidents - inc-2291")
    only = list(discord.parse(Source(tmp_path), ParseOptions(channels=("inc-comms",))))
    assert len(only) == 2


def test_a_folder_with_other_json_is_not_an_export(tmp_path: Path) -> None:
    write(tmp_path, export(), "inc.json")
    write(tmp_path, [{"id": "C1", "name": "ops"}], "channels.json")
    assert not discord.sniff(Source(tmp_path))
    with pytest.raises(SourceError) as caught:
        list(discord.parse(Source(tmp_path, name="mixed"), ParseOptions()))
    assert caught.value.file == "mixed/channels.json"
    assert not discord.sniff(Source(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match=r"no \.json export files"):
        list(discord.parse(Source(tmp_path / "empty"), ParseOptions()))


@pytest.mark.parametrize(
    ("change", "location", "field"),
    [
        (lambda d: d["messages"][0].pop("timestamp"), "$.messages[0]", "timestamp"),
        (lambda d: d["messages"][2].update(timestamp="yesterday"), "$.messages[2]", "timestamp"),
        (lambda d: d["messages"][3].update(author="ana"), "$.messages[3].author", "author"),
        (lambda d: d["messages"][4].pop("id"), "$.messages[4]", "id"),
        (lambda d: d["messages"][5].update(content=["x"]), "$.messages[5]", "content"),
        (lambda d: d["messages"][1].update(mentions={}), "$.messages[1]", "mentions"),
        (lambda d: d["messages"][0]["embeds"].append(3), "$.messages[0].embeds[1]", "embeds"),
        (lambda d: d["messages"].append("hello"), "$.messages[12]", "message"),
        (lambda d: d.update(messages={"a": 1}), "$.messages", "messages"),
        (lambda d: d.pop("channel"), "$.channel", "channel"),
        (lambda d: d["channel"].pop("id"), "$.channel", "id"),
        (lambda d: d.pop("messages"), "$.messages", "messages"),
    ],
)
def test_bad_documents_name_the_place_and_field(
    tmp_path: Path, change: Any, location: str, field: str
) -> None:
    document = export()
    change(document)
    with pytest.raises(SourceError) as caught:
        run(write(tmp_path, document))
    assert caught.value.file == "export.json"
    assert caught.value.path == location
    assert caught.value.field == field


def test_a_timestamp_without_offset_asks_for_the_zone(tmp_path: Path) -> None:
    document = export()
    document["messages"][0]["timestamp"] = "2024-03-31T01:52:10"
    with pytest.raises(SourceError, match="--tz"):
        run(write(tmp_path, document))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{\n  "guild": {},\n  "channel": {"id": "1"},\n  "messages": [\n    {"id": 1,,}', 5),
        ('{\n  "guild": {},\n  "channel": {"id": "1"},\n  "messages": [', 4),
        ('{"guild": {}, "channel": {"id": "1"}, "messages": []}\n\n trailing', 3),
        ("[]", 1),
        ("", 1),
        ('{"guild": {}, "channel": {"id": "1"}, "messages": [], "messageCount": 1' + "0" * 5000, 1),
    ],
)
def test_broken_json_names_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        run(path)
    assert caught.value.line == line
    assert caught.value.field == "json"


def test_deep_nesting_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"messages": [' + "[" * 100_000 + "]" * 100_000 + "]}", encoding="utf-8")
    with pytest.raises(SourceError, match="nested too deeply"):
        run(path)


# --- fuzzing -----------------------------------------------------------------------------------


json_values = support.json_values(
    keys=[
        "id",
        "type",
        "timestamp",
        "content",
        "author",
        "name",
        "nickname",
        "isBot",
        "mentions",
        "embeds",
        "fields",
        "attachments",
        "stickers",
        "title",
        "value",
        "fileName",
        "isPinned",
    ],
    leaves=["2024-03-31T01:52:10+01:00", "<@1>", "Default", "0001-01-01T00:00:00Z"],
    key_size=5,
    max_leaves=20,
    nan=False,
)


def parse_bytes(data: bytes) -> None:
    support.parses_or_fails_cleanly(discord, data, name="fuzz.json", source="discord")


@support.FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_fail_cleanly(data: bytes) -> None:
    parse_bytes(data)


@support.FUZZ
@given(json_values)
def test_arbitrary_json_parses_or_fails_cleanly(value: Any) -> None:
    parse_bytes(json.dumps(value).encode())


@support.FUZZ
@given(st.lists(json_values, max_size=5), json_values, json_values)
def test_arbitrary_messages_parse_or_fail_cleanly(
    messages: list[Any], guild: Any, channel: Any
) -> None:
    document = {"guild": guild, "channel": channel, "messages": messages}
    parse_bytes(json.dumps(document).encode())
    document["channel"] = {"id": "1", "name": "ops"}
    parse_bytes(json.dumps(document).encode())


@support.FUZZ
@given(support.mutated_bytes(EXPORT.read_bytes()))
def test_mutated_exports_parse_or_fail_cleanly(data: bytes) -> None:
    parse_bytes(data)
