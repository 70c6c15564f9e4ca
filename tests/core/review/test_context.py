from __future__ import annotations

from secondstory.core.review.context import context_of
from secondstory.core.review.segment import sentences


def _contexts(text: str) -> list[tuple[str, bool, bool]]:
    return [
        (s.text.strip(), context_of(s).is_quote, context_of(s).is_recommendation)
        for s in sentences(text)
    ]


def test_block_quotes_and_chat_lines_are_quotes() -> None:
    text = "> Bob forgot.\n\n14:02 <dana> we are down\n\n[14:03] bob: rolling back\n"
    assert [q for _, q, _ in _contexts(text)] == [True, True, True]


def test_a_timestamped_narrative_line_is_not_a_quote() -> None:
    assert _contexts("14:02 Alice restarted the primary.\n") == [
        ("14:02 Alice restarted the primary.", False, False)
    ]


def test_action_item_sections_and_task_items_are_recommendations() -> None:
    text = (
        "## Action items\n\nThe console should ask twice.\n\n"
        "## Summary\n\n- [ ] Add a guard.\n\nThe pool was full.\n"
    )
    assert [(t, r) for t, _, r in _contexts(text)] == [
        ("Action items", True),
        ("The console should ask twice.", True),
        ("Summary", False),
        ("Add a guard.", True),
        ("The pool was full.", False),
    ]


def test_the_section_heading_is_known() -> None:
    found = sentences("# Timeline\n\nAlice restarted it.\n")
    assert context_of(found[-1]).is_timeline
    assert context_of(found[-1]).heading == "Timeline"


def test_headings_and_emphasised_labels_are_structure() -> None:
    text = (
        "## What could have gone better?\n\n**Root causes:**\n\n__Trigger__\n\n"
        "**Root causes:** the pool was too small.\n\nThe pool was too small.\n"
    )
    assert [context_of(s).is_heading for s in sentences(text)] == [
        True,
        True,
        True,
        False,
        False,
    ]
