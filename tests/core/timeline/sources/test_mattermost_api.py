"""Mattermost REST API posts responses: fixture against expected events, names, errors, fuzz."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline import sources
from secondstory.core.timeline.sources import mattermost, mattermost_api
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FOLDER = support.FIXTURES / "mattermost_api"
POSTS = FOLDER / "posts-inc-orders.json"
KEYS = ("order", "posts", "id", "create_at", "user_id", "channel_id", "root_id", "message",
        "delete_at", "edit_at", "props", "metadata", "files")  # fmt: skip


def test_posts_give_the_expected_events() -> None:
    source = Source(POSTS, name=POSTS.name)
    assert sources.detect(source) == "mattermost_api"
    support.assert_fixture(mattermost_api, POSTS)
    list(mattermost_api.parse(source, ParseOptions()))
    assert source.warnings == ["posts-inc-orders.json: skipped 1 deleted post in this file"]


def test_a_post_has_the_reference_a_bulk_export_gives_it(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    lines: list[dict[str, Any]] = [
        {"type": "version", "version": 1},
        {"type": "user", "user": {"username": "dara", "first_name": "Dara"}},
        {"type": "user", "user": {"username": "kofi", "nickname": "Kofi M."}},
        {
            "type": "post",
            "post": {
                "team": "northwind",
                "channel": "inc-orders-db",
                "user": "dara",
                "message": "orders-db primary refusing connections, replica lag 40s @kofi",
                "create_at": 1714658591123,
                "replies": [
                    {"user": "kofi", "message": "seeing the same", "create_at": 1714658620123}
                ],
            },
        },
    ]
    export.write_text("\n".join(json.dumps(line) for line in lines))
    from_export = {e.source_ref for e in mattermost.parse(Source(export), ParseOptions())}
    from_api = {e.source_ref for e in mattermost_api.parse(Source(POSTS), ParseOptions())}
    assert len(from_export) == 2 and from_export <= from_api


def test_without_the_files_beside_it_ids_are_shown_and_warned(tmp_path: Path) -> None:
    path = tmp_path / POSTS.name
    shutil.copy(POSTS, path)
    source = Source(path, name=POSTS.name)
    events = list(mattermost_api.parse(source, ParseOptions()))
    assert {e.source_ref for e in events} == {
        "post/p1root9x7c3v5b8n2m4k6j1h0a",
        "post/p2join4k8d2w6q1z9x5c3v7b0n",
        "post/p3repl2h6j9k1l4z7x3c8v5b0m",
        "post/p4hook8q2w5e1r7t3y9u4i6o0p",
        "post/p5fix3a7s1d9f5g2h8j4k6l0zx",
    }
    assert "user u1dara7k3m9qx5bz4w8n2cjt6e is not in a users file beside it" in " ".join(
        source.warnings
    )


def test_channel_selection_by_name_display_name_or_id() -> None:
    for wanted in ("inc-orders-db", "INC orders-db", "c7hq3xw5nfbdjm1kz8y4pa2rgo"):
        options = ParseOptions(channels=(wanted,))
        assert len(list(mattermost_api.parse(Source(POSTS), options))) == 5
    assert list(mattermost_api.parse(Source(POSTS), ParseOptions(channels=("town-square",)))) == []


def test_the_files_beside_the_posts_are_companions() -> None:
    for name, kind in (
        ("users.json", "users"),
        ("channel.json", "channels"),
        ("team.json", "teams"),
    ):
        source = Source(FOLDER / name)
        assert (
            mattermost_api.companion(source)
            == f"Mattermost {kind}, read with the posts beside them"
        )
        assert not mattermost_api.sniff(source)
    assert mattermost_api.companion(Source(POSTS)) == ""


def test_only_this_importer_claims_the_posts() -> None:
    assert support.claimed_elsewhere(mattermost_api.sniff, ("mattermost_api",)) == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"order": [], "posts": []}, "$: posts: expected an object of posts by id"),
        ({"order": ["x"], "posts": {}}, "$: order: names a post the response does not hold"),
        ({"order": [], "posts": {"a": 3}}, "$.posts.a: expected a post object"),
        ({"order": [], "posts": {"a": {"id": "a"}}}, "$.posts.a: create_at: is missing"),
        ([{"order": [], "posts": {}}, 7], "$[1]: expected a posts response object"),
    ],
)
def test_bad_responses_name_the_path_and_field(tmp_path: Path, document: Any, message: str) -> None:
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SourceError) as caught:
        list(mattermost_api.parse(Source(path, name="posts.json"), ParseOptions()))
    assert str(caught.value).startswith("posts.json: " + message)


# --- fuzzing -----------------------------------------------------------------------------------

DOCUMENTS = support.fixture_documents([POSTS])
VALUES = support.json_values(
    keys=KEYS, leaves=(1714658591123, "p1root9x7c3v5b8n2m4k6j1h0a", "true")
)


@support.FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_raise_source_error(data: bytes) -> None:
    support.parses_or_fails_cleanly(
        mattermost_api, data, name="posts.json", errors_name_the_file=True, kinds={"chat"}
    )


@support.FUZZ
@given(st.data())
def test_mutated_responses_parse_or_raise_source_error(data: st.DataObject) -> None:
    changed, _ = data.draw(support.mutated_documents(DOCUMENTS, VALUES))
    support.parses_or_fails_cleanly(
        mattermost_api,
        json.dumps(changed).encode(),
        name="posts.json",
        errors_name_the_file=True,
        unique_refs=True,
        kinds={"chat"},
        printable=True,
    )


def test_a_response_saved_with_its_keys_in_another_order_is_detected(tmp_path: Path) -> None:
    response = json.loads(POSTS.read_text())
    posts = {
        f"{key}{n}": dict(post, id=f"{key}{n}")
        for n in range(30)
        for key, post in response["posts"].items()
    }
    path = tmp_path / "posts.json"
    path.write_text(json.dumps({"posts": posts, "order": list(posts)}, indent=2))
    assert '"order"' not in path.read_text()[:16384]
    assert sources.detect(Source(path)) == "mattermost_api"
