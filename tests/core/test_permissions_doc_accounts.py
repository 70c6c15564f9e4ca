"""docs/permissions.md prints the account rules that secondstory.core.permissions enforces."""

from __future__ import annotations

from collections.abc import Callable

from secondstory.core import permissions as table
from tests.core.test_permissions_doc import documented_rows

HEADER = "| Accounts and interview notes |"

# Each column of the table: the organisation role, the roles on the postmortem, and whether
# the person is the author or the person interviewed.
PEOPLE = {
    "Author": (table.RESPONDER, frozenset[str](), True, False),
    "Owner": (table.RESPONDER, frozenset({table.OWNER}), False, False),
    "Facilitator": (table.RESPONDER, frozenset({table.FACILITATOR}), False, False),
    "Person interviewed": (table.RESPONDER, frozenset[str](), False, True),
    "Other reader": (table.RESPONDER, frozenset({table.COLLABORATOR}), False, False),
    "Admin": (table.ADMIN, frozenset[str](), False, False),
}
Person = tuple[str, frozenset[str], bool, bool]


def _reads(shared: bool, agrees: bool) -> Callable[[Person], bool]:
    def answer(person: Person) -> bool:
        _, roles, author, interviewee = person
        return table.may_read_account(
            roles,
            reads_postmortem=True,
            author=author,
            shared=shared,
            interviewee=interviewee,
            interviewee_agrees=agrees,
        )

    return answer


ACTIONS: dict[str, Callable[[Person], bool]] = {
    "read_private": _reads(shared=False, agrees=False),
    "read_shared": _reads(shared=True, agrees=True),
    "read_unagreed": _reads(shared=True, agrees=False),
    "change": lambda p: table.may_change_account(author=p[2]),
    "agree": lambda p: table.may_agree_to_interview_notes(interviewee=p[3]),
    "invite": lambda p: table.may_invite_to_accounts(p[0], p[1]),
    "interview": lambda p: table.may_write_interview_notes(p[0], p[1]),
}


def test_the_account_table_is_the_one_the_code_enforces() -> None:
    expected = {
        action: {column: rule(person) for column, person in PEOPLE.items()}
        for action, rule in ACTIONS.items()
    }
    assert documented_rows(HEADER) == expected
