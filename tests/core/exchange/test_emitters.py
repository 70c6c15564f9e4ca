"""The fast libyaml emitter and the pure-Python one write equivalent files.

They differ in small ways of spelling (one escapes characters outside the Basic
Multilingual Plane, they quote empty mapping keys differently), so the bytes are
stable for one installation, and both read back to the same record.
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
def test_both_emitters_write_the_same_record(record: PostmortemRecord) -> None:
    fast = render.render_postmortem(record)
    original = render._DUMPER
    render._DUMPER = yaml.SafeDumper
    try:
        slow = render.render_postmortem(record)
    finally:
        render._DUMPER = original
    assert parse_postmortem(fast) == parse_postmortem(slow) == record
