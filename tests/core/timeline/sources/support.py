"""What the importer tests share: fixture pairs, detection, fuzz strategies and event checks."""

from __future__ import annotations

import atexit
import copy
import functools
import importlib
import json
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.taxonomy import (
    MAX_ACTOR,
    MAX_ROLE,
    MAX_SOURCE,
    MAX_SOURCE_REF,
    MAX_URL,
    TIMELINE_KINDS,
)
from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import FORMATS
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources"
ALERT_FORMATS = ("pagerduty", "opsgenie", "alertmanager", "grafana", "statuspage")
ALERT_STATES = ("", "firing", "acknowledged", "resolved")
# Values the alerting payloads hold: times at the edges, epochs in milliseconds and
# nanoseconds, states and numbers written as text.
ALERT_LEAVES = (
    "2026-03-04T14:02:11.123456789Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-18:00",
    "yesterday",
    "firing",
    "resolved",
    "4",
    1772632931512,
    1772632931544000000,
)
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- fixtures ----------------------------------------------------------------------------------


def run(
    importer: ModuleType, path: Path, options: ParseOptions | None = None
) -> tuple[list[TimelineEvent], Source]:
    """The events of a file (named by its file name) and its source, for the warnings."""
    source = Source(path, name=path.name)
    return list(importer.parse(source, options or ParseOptions())), source


def read_expected(path: Path) -> list[dict[str, Any]]:
    """The events of an ``.expected.jsonl`` file, one ``event_json`` object a line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def assert_expected(events: Iterable[TimelineEvent], path: Path) -> None:
    """The events, printed with ``event_json``, are those of the expected file."""
    assert [event_json(event) for event in events] == read_expected(path)


def expected_path(fixture: Path) -> Path:
    """The expected events of a fixture: ``name.expected.jsonl`` beside ``name.ext``."""
    return fixture.with_name(fixture.name.rsplit(".", 1)[0] + ".expected.jsonl")


def assert_fixture(
    importer: ModuleType, fixture: Path, options: ParseOptions | None = None
) -> list[TimelineEvent]:
    """The events of a fixture, after checking they are its expected events."""
    events, _ = run(importer, fixture, options)
    assert_expected(events, expected_path(fixture))
    return events


def fixture_documents(paths: Iterable[Path]) -> list[Any]:
    """Every JSON document of the files: one a line of ``.jsonl``, else the whole file."""
    found: list[Any] = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            found.extend(json.loads(line) for line in text.splitlines() if line.strip())
        else:
            found.append(json.loads(text))
    return found


def scratch_writer(prefix: str) -> Callable[[str, str | bytes], Path]:
    """A function writing named files into a folder of their own, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix=f"secondstory-{prefix}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)

    def write(name: str, content: str | bytes) -> Path:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


# --- detection ---------------------------------------------------------------------------------


def detect(source: Source) -> str:
    """The registry's detection, over the importers present in this tree."""
    for name in FORMATS:
        try:
            importer = importlib.import_module(f"secondstory.core.timeline.sources.{name}")
        except ModuleNotFoundError:
            continue
        if importer.sniff(source):
            return name
    return ""


def claimed_by(path: Path, formats: Sequence[str] = ALERT_FORMATS) -> list[str]:
    """Every format among ``formats`` whose importer claims the file."""
    source = Source(path)
    return [
        fmt
        for fmt in formats
        if importlib.import_module(f"secondstory.core.timeline.sources.{fmt}").sniff(source)
    ]


def claimed_elsewhere(
    sniff: Callable[[Source], bool], own: Collection[str], *, files_only: bool = False
) -> list[str]:
    """The fixtures of other formats (no folder named in ``own`` on their path) ``sniff``
    claims: for an importer that must leave every other format alone."""
    others = [
        path
        for path in FIXTURES.rglob("*")
        if not set(own) & set(path.parts) and (path.is_file() or not files_only)
    ]
    return [str(path) for path in others if sniff(Source(path))]


# --- checks ------------------------------------------------------------------------------------


def check_event(
    event: TimelineEvent,
    *,
    source: str = "",
    kinds: Collection[str] = TIMELINE_KINDS,
    states: Collection[str] | None = None,
    finite_raw: bool = False,
    printable: bool = False,
) -> None:
    """An event the store takes: a known kind, an aware time, text, fields within their limits
    and a payload that is JSON (without NaN or infinities when ``finite_raw``); with
    ``printable``, ``event_json`` (which needs the instant in UTC) gives JSON too."""
    assert event.kind in TIMELINE_KINDS and event.kind in kinds
    assert event.at.utcoffset() is not None
    assert event.text.strip()
    assert 0 < len(event.source) <= MAX_SOURCE
    assert not source or event.source == source
    assert 0 < len(event.source_ref) <= MAX_SOURCE_REF
    assert len(event.actor) <= MAX_ACTOR
    assert len(event.actor_role) <= MAX_ROLE
    assert len(event.evidence_url) <= MAX_URL
    assert states is None or event.state in states
    json.dumps(event.raw, allow_nan=not finite_raw)
    if printable:
        json.dumps(event_json(event))


def parses_or_fails_cleanly(
    importer: ModuleType,
    data: bytes,
    options: ParseOptions | None = None,
    *,
    name: str = "fuzz.bin",
    errors_name_the_file: bool = False,
    unique_refs: bool = False,
    **checks: Any,
) -> None:
    """``sniff`` never raises and ``parse`` either gives events that pass :func:`check_event`
    (``checks`` are its options) or raises :class:`SourceError`, nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        source = Source(path, name=name)
        importer.sniff(source)
        try:
            events = list(importer.parse(source, options or ParseOptions()))
        except SourceError as exc:
            assert not errors_name_the_file or str(exc).startswith(name)
            return
    for event in events:
        check_event(event, **checks)
    if unique_refs:
        refs = [event.source_ref for event in events]
        assert len(refs) == len(set(refs))


def alert_parses_or_fails_cleanly(importer: ModuleType, data: bytes, name: str) -> None:
    """:func:`parses_or_fails_cleanly` for the alerting importers: errors name the file,
    references are unique, states are known, payloads are standard JSON and events print."""
    parses_or_fails_cleanly(
        importer,
        data,
        name=name,
        errors_name_the_file=True,
        unique_refs=True,
        source=importer.NAME,
        states=ALERT_STATES,
        finite_raw=True,
        printable=True,
    )


# --- strategies --------------------------------------------------------------------------------


def json_values(
    *,
    keys: Sequence[str] = (),
    leaves: Sequence[Any] = (),
    key_size: int = 6,
    dict_size: int = 6,
    max_leaves: int = 30,
    nan: bool = True,
) -> st.SearchStrategy[Any]:
    """JSON-like values: scalars (and the sample ``leaves``) in lists and objects whose keys
    are drawn from ``keys`` or are short arbitrary text."""
    leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=nan)
    leaf |= st.text(max_size=20)
    if leaves:
        leaf |= st.sampled_from(list(leaves))
    names = st.text(max_size=key_size)
    if keys:
        names = st.sampled_from(list(keys)) | names
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=dict_size)
        ),
        max_leaves=max_leaves,
    )


def places(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every node of a JSON document, the root first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from places(item, (*prefix, index))


def mutated(document: Any, place: tuple[Any, ...], new: Any, delete: bool) -> Any:
    """A copy of ``document`` with the node at ``place`` replaced by ``new`` (or deleted
    from its object when ``delete``)."""
    if not place:
        return new
    copied = copy.deepcopy(document)
    parent = copied
    for step in place[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent[place[-1]] = new
    return copied


@st.composite
def mutated_documents(
    draw: st.DrawFn, documents: Sequence[Any], values: st.SearchStrategy[Any]
) -> tuple[Any, Any]:
    """``(changed, original)``: a document with one node replaced by a value or deleted."""
    document = draw(st.sampled_from(documents))
    place = draw(st.sampled_from(list(places(document))))
    return mutated(document, place, draw(values), draw(st.booleans())), document


def replaced_at(value: Any, path: list[int], replacement: Any) -> Any:
    """``value`` with the node reached by following ``path`` (indexes into keys) replaced."""
    if not path or not isinstance(value, (dict, list)) or not value:
        return replacement
    keys = list(value.keys()) if isinstance(value, dict) else list(range(len(value)))
    key = keys[path[0] % len(keys)]
    changed = dict(value) if isinstance(value, dict) else list(value)
    changed[key] = replaced_at(value[key], path[1:], replacement)  # type: ignore[index]
    return changed


def json_objects(
    keys: Sequence[str], values: st.SearchStrategy[Any], max_size: int
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects keyed by ``keys`` holding ``values`` or objects of them, one level down."""
    names = st.sampled_from(list(keys))
    return st.dictionaries(
        names, values | st.dictionaries(names, values, max_size=6), max_size=max_size
    )


@st.composite
def replaced_documents(
    draw: st.DrawFn, documents: Sequence[Any], values: st.SearchStrategy[Any], depth: int
) -> Any:
    """A document with the node at a drawn path, at most ``depth`` steps down, replaced."""
    which = draw(st.integers(min_value=0, max_value=len(documents) - 1))
    path = draw(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=depth))
    return replaced_at(documents[which], path, draw(values))


@st.composite
def mutated_bytes(
    draw: st.DrawFn,
    original: bytes,
    *,
    alphabet: bytes = b"",
    actions: Sequence[str] = ("flip", "cut", "insert"),
) -> bytes:
    """``original`` changed in one to six places: a byte overwritten (from ``alphabet`` when
    given), a stretch cut out or a few bytes inserted."""
    changed = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        if not changed:
            break
        position = draw(st.integers(0, len(changed) - 1))
        action = draw(st.sampled_from(list(actions)))
        if action == "flip":
            changed[position] = draw(
                st.sampled_from(list(alphabet)) if alphabet else st.integers(0, 255)
            )
        elif action == "cut":
            del changed[position : position + draw(st.integers(1, 400))]
        else:
            changed[position:position] = draw(st.binary(min_size=1, max_size=8))
    return bytes(changed)


# --- the alerting importers --------------------------------------------------------------------


class AlertImporterChecks:
    """The checks every alerting importer passes. A test module subclasses this with its
    importer, its fixture inputs (each beside a ``.expected.jsonl``) and the keys of its
    payloads, and overrides :meth:`group` to nest a value the way its payloads do."""

    importer: ModuleType
    inputs: Sequence[str] = ()
    keys: Sequence[str] = ()

    # Each subclass runs the same test functions; the examples Hypothesis keeps for one
    # importer are then tried on the others too, which does no harm.
    fuzz_settings = settings(
        FUZZ, suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.differing_executors]
    )

    @staticmethod
    def group(value: Any) -> Any:
        """``value`` inside a payload of this format, where any JSON value may stand."""
        return value

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "name" in metafunc.fixturenames:
            metafunc.parametrize("name", self.inputs)

    @property
    def fixtures(self) -> Path:
        return FIXTURES / self.importer.NAME

    @functools.cached_property
    def documents(self) -> list[Any]:
        return fixture_documents(self.fixtures / name for name in self.inputs)

    def values(self) -> st.SearchStrategy[Any]:
        return json_values(keys=self.keys, leaves=ALERT_LEAVES)

    def test_fixture_gives_the_expected_events(self, name: str) -> None:
        assert_fixture(self.importer, self.fixtures / name)

    def test_only_this_importer_claims_the_fixture(self, name: str) -> None:
        assert claimed_by(self.fixtures / name) == [self.importer.NAME]

    @fuzz_settings
    @given(st.binary(max_size=400))
    def test_arbitrary_bytes_parse_or_raise_source_error(self, data: bytes) -> None:
        alert_parses_or_fails_cleanly(self.importer, data, "fuzz.bin")

    @fuzz_settings
    @given(st.data(), st.booleans())
    def test_arbitrary_json_parses_or_raises_source_error(
        self, data: st.DataObject, as_group: bool
    ) -> None:
        value = data.draw(self.values())
        if as_group:
            value = self.group(value)
        alert_parses_or_fails_cleanly(self.importer, json.dumps(value).encode(), "fuzz.json")

    @fuzz_settings
    @given(st.data())
    def test_mutated_fixtures_parse_or_raise_source_error(self, data: st.DataObject) -> None:
        changed, document = data.draw(mutated_documents(self.documents, self.values()))
        text = json.dumps(changed) + "\n" + json.dumps(document)
        alert_parses_or_fails_cleanly(self.importer, text.encode(), "fuzz.jsonl")
