"""The fast libyaml emitter and the pure-Python one write equivalent files.

They differ in one known way: one escapes characters outside the Basic
Multilingual Plane (emoji, say) as ``"\\U0001F525"`` where the other writes them
as they are. Both read back to the same record.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from secondstory.core.exchange import parse_postmortem, render
from secondstory.core.record import PostmortemRecord
from tests.core.strategies import postmortem_records

pytestmark = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml"
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(postmortem_records())
def test_both_emitters_write_the_same_text(record: PostmortemRecord) -> None:
    fast = render.render_postmortem(record)
    original = render._DUMPER
    render._DUMPER = yaml.SafeDumper
    try:
        slow = render.render_postmortem(record)
    finally:
        render._DUMPER = original
    assert parse_postmortem(fast) == parse_postmortem(slow) == record
    if all(ord(ch) <= 0xFFFF for ch in fast + slow):
        assert fast == slow
