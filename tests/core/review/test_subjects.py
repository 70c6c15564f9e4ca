from __future__ import annotations

import pytest

from secondstory.core.review.subjects import People, is_human_phrase, is_human_subject


@pytest.mark.parametrize(
    "phrase",
    [
        "Bob",
        "she",
        "the on-call engineer",
        "our DBA",
        "a new hire",
        "the payments team",
        "ops",
        "the incident commander",
        "nobody",
        "Kwame",
    ],
)
def test_people(phrase: str) -> None:
    assert is_human_phrase(phrase, People())


@pytest.mark.parametrize(
    "phrase",
    [
        "the health check",
        "the service",
        "the lock",
        "Replication",
        "the Scheduler",
        "Postgres",
        "the deploy pipeline",
        "Monitoring",
    ],
)
def test_systems(phrase: str) -> None:
    assert not is_human_phrase(phrase, People())


def test_names_and_teams_passed_in_count_as_people() -> None:
    people = People.of(names=["Sterling Archer"], teams=["core platform"])
    assert not is_human_phrase("Sterling", People())
    assert is_human_phrase("Sterling", people)
    assert is_human_phrase("the core platform", people)


def test_the_subject_of_a_coordinated_verb_is_the_sentence_subject() -> None:
    text = "Alice restarted the pod and failed to check the lag"
    assert is_human_subject(text, text.index("failed"), People())
    text = "The worker restarted and failed to reconnect"
    assert not is_human_subject(text, text.index("failed"), People())


@pytest.mark.parametrize(
    "phrase",
    ["a team member", "the release captain", "the night shift", "Grzegorz", "Aleksander"],
)
def test_more_role_nouns_and_names_are_people(phrase: str) -> None:
    assert is_human_phrase(phrase, People())


@pytest.mark.parametrize(
    "phrase",
    [
        "the cluster members",
        "the Kubernetes operator",
        "the database user",
        "Influx of requests",
        "Use of different rulers",
        "Successive",
        "Transaction ID Wraparound",
        "the community site Supermarket",
    ],
)
def test_software_roles_and_title_case_things_are_not_people(phrase: str) -> None:
    assert not is_human_phrase(phrase, People())


def test_who_after_a_comma_stands_for_a_person() -> None:
    text = "a misunderstanding within the team, who incorrectly believed it"
    assert is_human_subject(text, text.index("incorrectly"), People())


def test_a_lead_in_before_the_subject_is_skipped() -> None:
    text = "First, a new streaming feature caused contention"
    assert not is_human_subject(text, text.index("caused"), People())
    text = "In 2013, the on-call engineer failed to escalate"
    assert is_human_subject(text, text.index("failed"), People())
