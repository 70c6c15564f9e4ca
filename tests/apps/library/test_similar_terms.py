"""Similar incidents compare word counts kept when a postmortem is indexed: the same results as
counting the text on every request, kept up to date by every path that writes the search
index, and never a way round what a reader may read."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import replace

import pytest
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.core.record import FactorRecord, PostmortemRecord
from secondstory.incidents.event_views import event_fingerprint
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.concurrency import fingerprint
from secondstory.library import index, similar
from secondstory.library.models import SimilarTerms
from secondstory.library.similar_terms import TEXT_CHARS, first_events, stale_terms, tokens
from secondstory.operations.integrity import search_index
from secondstory.postmortems.bulk import bulk_insert
from secondstory.postmortems.factor_views import _state
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.library.test_similar import load, record

HTMX = {"HTTP_HX_REQUEST": "true"}
VOCABULARY = """
    failover replica promotion cache queue resolver certificate expired rollback deploy
    latency pool timeout kafka partition disk throttle morgana standby region checkout
"""
WORDS = VOCABULARY.split()
ACTORS = ("Morgana Vale", "Ops Bot", "Kafka Lee", "", "Dana Pool")


def reference_texts(ids: list[int]) -> tuple[dict[int, Counter[str]], dict[int, set[str]]]:
    """What the ranking compared before the counts were kept: every postmortem's text counted
    on the spot (title twice, summary, factors, first events), people's names removed."""
    words: dict[int, Counter[str]] = defaultdict(Counter)
    timeline: dict[int, set[str]] = defaultdict(set)
    for pk, title, summary in Postmortem.objects.filter(pk__in=ids).values_list(
        "pk", "title", "summary"
    ):
        words[pk].update(tokens(title) * 2)
        words[pk].update(tokens(summary[:TEXT_CHARS]))
    for pk, description in ContributingFactor.objects.filter(postmortem_id__in=ids).values_list(
        "postmortem_id", "description"
    ):
        words[pk].update(tokens(description[:TEXT_CHARS]))
    lines: dict[int, list[str]] = defaultdict(list)
    actors: set[str] = set()
    for pk, text, actor in first_events(ids):
        lines[pk].append(text[:TEXT_CHARS])
        actors.add(actor)
    people = set(tokens(" ".join(actors)))
    for pk, texts in lines.items():
        found = tokens("\n".join(texts))
        words[pk].update(found)
        timeline[pk].update(found)
    for counts in words.values():
        for name in people & counts.keys():
            del counts[name]
    return words, timeline


def assert_kept_up_to_date() -> None:
    """Every postmortem has kept counts, and they are what counting its text now gives, in
    the same order (the order the vectors' sums are taken in)."""
    pks = list(Postmortem.objects.order_by("pk").values_list("pk", flat=True))
    assert SimilarTerms.objects.count() == len(pks)
    assert stale_terms(pks) == (0, 0)
    kept_words, kept_timeline = similar._texts(pks)
    words, timeline = reference_texts(pks)
    assert {pk: list(c.items()) for pk, c in kept_words.items()} == {
        pk: list(c.items()) for pk, c in words.items()
    }
    assert {pk: s for pk, s in kept_timeline.items() if s} == {
        pk: s for pk, s in timeline.items() if s
    }


def kept_words(key: str) -> Counter[str]:
    pk = Postmortem.objects.get(key=key).pk
    return similar._texts([pk])[0][pk]


def phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def random_record(rng: random.Random, n: int) -> PostmortemRecord:
    base = record(
        f"PM-{n:02}",
        days=n - 30,
        category=rng.choice(["tooling", "process", "detection"]),
        service=rng.choice(["checkout", "search"]),
        tags=tuple(rng.sample(["config", "dns", "database", "tls", "network"], rng.randint(0, 3))),
        visibility=rng.choice(["internal", "internal", "restricted"]),
        title=phrase(rng, rng.randint(2, 6)).capitalize(),
        events=tuple(phrase(rng, rng.randint(1, 8)) for _ in range(rng.randint(0, 7))),
    )
    incident = base.incidents[0]
    incident.timeline = [replace(e, actor=rng.choice(ACTORS)) for e in incident.timeline]
    factors = [
        FactorRecord(f"F{i}", rng.choice(["tooling", "process", "detection"]), phrase(rng, 6))
        for i in range(1, rng.randint(1, 3) + 1)
    ]
    sections = {**base.sections, "summary": phrase(rng, rng.randint(0, 30))}
    return replace(base, factors=factors, sections=sections)


@pytest.fixture
def people(alice: User, bob: User, charlie: User, payments: Team) -> None:
    return None


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_same_results_as_counting_the_text_on_every_request(
    seed: int, alice: User, bob: User, charlie: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    postmortems = load(*(random_record(rng, n) for n in range(16)))
    assert_kept_up_to_date()
    readers = (alice, bob, charlie)
    kept = {(p.pk, u.pk): similar.similar_postmortems(p, u) for p in postmortems for u in readers}
    # Some postmortems are listed, with shared words: the comparison below compares something.
    assert sum(len(found) for found in kept.values()) > len(kept)
    assert any(s.terms for found in kept.values() for s in found)
    restricted = set(
        Postmortem.objects.filter(incidents__visibility="restricted").values_list("key", flat=True)
    )
    assert restricted
    for p in postmortems:  # charlie is on no team: restricted postmortems never reach him
        assert not {s.key for s in kept[(p.pk, charlie.pk)]} & restricted
    monkeypatch.setattr(similar, "_texts", reference_texts)
    for p in postmortems:
        for u in readers:
            assert similar.similar_postmortems(p, u) == kept[(p.pk, u.pk)], (p.key, u.username)


@pytest.mark.usefixtures("people")
def test_a_postmortem_without_kept_counts_is_counted_on_the_spot(alice: User) -> None:
    rng = random.Random(7)
    *_, subject = load(*(random_record(rng, n) for n in range(10)))
    before = similar.similar_postmortems(subject, alice)
    assert before
    SimilarTerms.objects.filter(postmortem_id__in=[subject.pk]).delete()
    SimilarTerms.objects.filter(postmortem__key__in=[s.key for s in before[:2]]).delete()
    assert similar.similar_postmortems(subject, alice) == before


# --- Kept up to date by every path that writes ---------------------------------------------------


def test_section_saves_keep_the_title_and_summary_counts(
    postmortem: Postmortem, alice: User
) -> None:
    url = reverse("postmortems:section_edit", args=["PM-1", "summary"])
    data = {
        "text": "Checkout failed after a resolver rollback.",
        "base": fingerprint(postmortem.summary),
    }
    assert client_for(alice).post(url, data, **HTMX).status_code == 200
    assert {"resolver", "rollback"} <= kept_words("PM-1").keys()
    assert_kept_up_to_date()


def test_factor_edits_keep_the_factor_counts(postmortem: Postmortem, alice: User) -> None:
    client = client_for(alice)
    add = reverse("postmortems:factor_add", args=["PM-1"])
    new = {
        "category": FactorCategory.objects.get(code="process").pk,
        "description": "Reviews skipped the kafka partition map.",
    }
    assert client.post(add, new, **HTMX).status_code == 200
    assert "kafka" in kept_words("PM-1")
    assert_kept_up_to_date()
    factor = ContributingFactor.objects.get(postmortem=postmortem, description=new["description"])
    remove = reverse("postmortems:factor_remove", args=["PM-1", factor.key])
    assert client.post(remove, {"base": fingerprint(*_state(factor))}, **HTMX).status_code == 200
    assert "kafka" not in kept_words("PM-1")
    assert_kept_up_to_date()


def test_timeline_capture_and_delete_keep_the_timeline_counts(
    postmortem: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    url = reverse("postmortems:timeline_capture", args=["PM-1"])
    lines = {
        "incident": "INC-PM-1",
        "text": "14:02 paged the zookeeper on-call",
        "default_date": "2026-03-04",
        "default_zone": "Europe/Berlin",
        "action": "add",
    }
    assert client.post(url, lines, **HTMX).status_code == 200
    assert "zookeeper" in kept_words("PM-1")
    assert_kept_up_to_date()
    paged = TimelineEvent.objects.get(text__contains="zookeeper")
    delete = reverse("postmortems:timeline_event_delete", args=["PM-1", paged.pk])
    assert client.post(delete, {"base": event_fingerprint(paged)}, **HTMX).status_code == 200
    assert "zookeeper" not in kept_words("PM-1")
    assert_kept_up_to_date()


@pytest.mark.usefixtures("people")
def test_loads_bulk_inserts_rebuilds_and_deletes_keep_the_counts() -> None:
    rng = random.Random(3)
    load(*(random_record(rng, n) for n in range(4)))
    # Loading a postmortem again (an import of a changed file) rewrites its counts.
    changed = replace(random_record(rng, 0), title="Zeppelin partition stalled")
    load_record(changed)
    assert {"zeppelin", "partition"} <= kept_words("PM-00").keys()
    assert_kept_up_to_date()
    inserted, _ = bulk_insert([random_record(rng, n) for n in range(4, 9)])
    assert inserted == 5
    assert_kept_up_to_date()
    # A rebuild recreates every kept row, including lost ones and ones that drifted.
    SimilarTerms.objects.filter(postmortem__key="PM-05").delete()
    SimilarTerms.objects.filter(postmortem__key="PM-06").update(text='{"drifted":1}')
    assert index.rebuild(batch=3) == 9
    assert_kept_up_to_date()
    Postmortem.objects.filter(key="PM-07").delete()
    assert not SimilarTerms.objects.filter(postmortem__key="PM-07").exists()
    assert_kept_up_to_date()


@pytest.mark.usefixtures("people")
def test_check_reports_missing_and_outdated_counts() -> None:
    rng = random.Random(5)
    load(*(random_record(rng, n) for n in range(5)))
    assert [level for level, _ in search_index()] == ["ok"]
    SimilarTerms.objects.filter(postmortem__key="PM-01").delete()
    SimilarTerms.objects.filter(postmortem__key__in=["PM-02", "PM-03"]).update(text='{"drifted":1}')
    [(level, line)] = list(search_index())
    assert (level, line) == (
        "fail",
        "search index: 1 of 5 postmortems have no word counts for similar incidents; "
        "2 postmortems' word counts for similar incidents are out of date; "
        "run `secondstory reindex`",
    )
    [(level, line)] = list(search_index(compare_content=False))
    assert level == "fail" and "1 of 5 postmortems have no word counts" in line
    index.rebuild()
    assert [level for level, _ in search_index()] == ["ok"]
