"""Search against a plain reference computation, on random data (both databases).

A random library of postmortems made of a few invented words, services, teams,
severities, statuses, years, restricted incidents and game day exercises; for each query,
reader and page size, the results and facet counts must be exactly what a plain computation
over the same records says: every visible match once across the pages, the exact
total, the exact count per facet value, and nothing restricted counted for a
reader who may not read it. The order is compared with the documented ranking computed
from the documents' text in plain Python, on both databases, after every kind of write
(``test_search_reference_order.py``).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from secondstory.accounts.models import Team, User
from secondstory.accounts.permissions import visible_postmortems
from secondstory.library.index import index_postmortems
from secondstory.library.search import FACET_SIZE, search
from secondstory.postmortems.bulk import bulk_insert
from secondstory.postmortems.models import Postmortem
from tests.apps.factories import incident_record, postmortem_record

WORDS = ("zephyr", "quokka", "marzipan", "obelisk", "tundra", "gazebo")
SERVICES = ("alpha-api", "beta-db", "gamma-queue")
TEAMS = ("payments", "storage")
SEVERITIES = ("SEV1", "SEV2", "SEV3")
STATUSES = ("draft", "published")
QUERIES = (
    "zephyr",
    "quokka marzipan",
    "obelisk -tundra",
    "gazebo service:alpha-api",
    "tundra team:storage",
    "zephyr -severity:SEV1",
    "marzipan status:published after:2024",
    "zephyr exercise:yes",
    "quokka -exercise:yes",
    "obelisk exercise:no service:beta-db",
)


@dataclass(frozen=True)
class Made:
    key: str
    text: tuple[str, ...]  # the invented words of title, summary and background, in order
    service: str
    team: str
    severity: str
    status: str
    year: int
    restricted: bool
    exercise: bool = False


def _sentence(rng: random.Random, length: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(length)]


@pytest.fixture
def made(alice: User, bob: User, charlie: User, payments: Team) -> list[Made]:
    return make_library(charlie)


def make_library(charlie: User) -> list[Made]:
    """The random library (alice, bob, charlie and the payments team must exist)."""
    storage = Team.objects.create(slug="storage", name="Storage")
    storage.members.set([charlie])
    rng = random.Random(20261207)
    made: list[Made] = []
    records = []
    for n in range(60):
        title, summary, background = (_sentence(rng, k) for k in (2, 4, 12))
        item = Made(
            key=f"PM-R{n:03d}",
            text=(*title, *summary, *background),
            service=rng.choice(SERVICES),
            team=rng.choice(TEAMS),
            severity=rng.choice(SEVERITIES),
            status=rng.choice(STATUSES),
            year=rng.choice((2023, 2024, 2025)),
            restricted=rng.random() < 0.3,
        )
        incident = replace(
            incident_record(
                f"INC-{item.key}",
                visibility="restricted" if item.restricted else "internal",
                team=item.team,
            ),
            services=[item.service],
            severity=item.severity,
        )
        base = postmortem_record(item.key, status=item.status, owner=rng.choice(("alice", "bob")))
        records.append(
            replace(
                base,
                title=" ".join(title).capitalize(),
                sections={"summary": " ".join(summary), "background": " ".join(background)},
                incidents=[incident],
                reviewers=[],
                created_at=datetime(item.year, rng.randint(1, 12), 3, tzinfo=UTC),
            )
        )
        made.append(item)
    assert bulk_insert(records) == (60, 0)
    # Every fifth postmortem a game day's review (restricted ones among them), flagged as
    # the game days flag them and indexed again.
    made = [replace(item, exercise=n % 5 == 0) for n, item in enumerate(made)]
    exercises = Postmortem.objects.filter(key__in=[i.key for i in made if i.exercise])
    exercises.update(is_exercise=True)
    index_postmortems(exercises.values_list("pk", flat=True))
    return made


def _matches(item: Made, text: str) -> bool:
    """The reference matcher for the queries above (words, exclusions and filters).

    Phrases are left to the ordering test: SQLite never matches one across two fields,
    PostgreSQL's vector joins the fields end to end."""
    words = set(item.text)
    for part in text.split():
        negated = part.startswith("-")
        part = part.lstrip("-")
        if ":" in part:
            name, value = part.split(":", 1)
            facet = {
                "service": item.service,
                "team": item.team,
                "severity": item.severity,
                "status": item.status,
                "exercise": "yes" if item.exercise else "no",
            }
            found = item.year >= int(value) if name == "after" else facet[name] == value
        else:
            found = part in words
        if found == negated:
            return False
    return True


def _visible(made: list[Made], user: User | None) -> set[str]:
    everything = {item.key for item in made}
    if user is None:
        return everything
    return set(visible_postmortems(user).filter(key__in=everything).values_list("key", flat=True))


def _all_pages(text: str, user: User | None, per_page: int) -> list[str]:
    first = search(text, user=user, per_page=per_page, with_facets=False)
    found = [hit.postmortem.key for hit in first.hits]
    for page in range(2, first.pages + 1):
        results = search(text, user=user, per_page=per_page, page=page, with_facets=False)
        found += [hit.postmortem.key for hit in results.hits]
    assert first.total == len(found)
    return found


def _reference_facets(items: list[Made]) -> dict[str, dict[str, int]]:
    counts = {
        "service": Counter(item.service for item in items),
        "team": Counter(item.team for item in items),
        "severity": Counter(item.severity for item in items),
        "status": Counter(item.status for item in items),
        "year": Counter(str(item.year) for item in items),
        "exercise": Counter("yes" if item.exercise else "no" for item in items),
    }
    return {name: dict(counter) for name, counter in counts.items()}


def _readers(alice: User, charlie: User) -> list[User | None]:
    outsider = User.objects.create_user("outsider")
    return [None, alice, charlie, outsider]


def test_results_and_facets_equal_the_reference(
    made: list[Made], alice: User, charlie: User
) -> None:
    for user in _readers(alice, charlie):
        visible = _visible(made, user)
        for text in QUERIES:
            expected = [i for i in made if i.key in visible and _matches(i, text)]
            found = _all_pages(text, user, per_page=7)
            assert sorted(found) == sorted(i.key for i in expected), (text, user)
            assert len(found) == len(set(found))
            assert found == _all_pages(text, user, per_page=100)
            facets = search(text, user=user, per_page=1).facets
            counted = {
                name: {value.value: value.count for value in values}
                for name, values in facets.items()
                if name != "factor"
            }
            reference = _reference_facets(expected)
            assert all(len(values) <= FACET_SIZE for values in reference.values())
            assert counted == {name: values for name, values in reference.items()}, (text, user)


def test_restricted_postmortems_are_never_counted_for_outsiders(
    made: list[Made], alice: User, charlie: User
) -> None:
    outsider = User.objects.create_user("outsider")
    hidden = [i for i in made if i.restricted]
    assert hidden
    for text in ("zephyr", "quokka", "obelisk", "gazebo", "tundra", "marzipan"):
        results = search(text, user=outsider, per_page=100)
        keys = {hit.postmortem.key for hit in results.hits}
        assert not keys & {i.key for i in hidden}
        total = sum(value.count for value in results.facets["severity"])
        assert total == results.total == len(keys)
        exercises = sum(value.count for value in results.facets["exercise"])
        assert exercises == results.total
