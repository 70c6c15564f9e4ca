"""The account rules of the permission table, without a database."""

from __future__ import annotations

from itertools import product

from secondstory.core import permissions as table


def test_reading_an_account_never_depends_on_the_organisation_role() -> None:
    # The function takes no role at all: an admin is a reader like any other.
    for roles, shared in product(
        (frozenset(), frozenset({table.COLLABORATOR}), frozenset({table.REVIEWER})), (False, True)
    ):
        answer = table.may_read_account(roles, reads_postmortem=True, author=False, shared=shared)
        assert answer is shared


def test_nobody_reads_an_account_of_a_postmortem_they_cannot_read() -> None:
    for roles in (frozenset({table.OWNER}), frozenset()):
        assert not table.may_read_account(
            roles, reads_postmortem=False, author=True, shared=True, interviewee=True
        )


def test_interview_notes_shared_only_with_agreement() -> None:
    nobody = frozenset[str]()
    assert not table.may_read_account(
        nobody, reads_postmortem=True, author=False, shared=True, interviewee_agrees=False
    )
    assert table.may_read_account(
        nobody,
        reads_postmortem=True,
        author=False,
        shared=False,
        interviewee=True,
        interviewee_agrees=False,
    )


def test_viewers_never_write_interview_notes() -> None:
    assert not table.may_write_interview_notes(table.VIEWER, frozenset({table.FACILITATOR}))
    assert table.may_write_interview_notes(table.RESPONDER, frozenset({table.FACILITATOR}))
    assert not table.may_write_interview_notes(table.ADMIN, frozenset())
