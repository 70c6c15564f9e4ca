"""After an anonymous report, no table holds the reporter: not the report, not its links,
not the audit log, not the session, not the search index."""

from __future__ import annotations

import pytest

from secondstory.accounts.models import Team, User
from secondstory.audit.models import AuditEvent
from secondstory.nearmiss.models import NearMiss
from tests.apps.conftest import client_for
from tests.apps.nearmiss.traces import Row, dump, holding_user_id, new_or_changed, traces

pytestmark = pytest.mark.django_db

#: An id no other value of the test data comes near, so that finding it means finding them.
USER_ID = 73409127


@pytest.fixture
def quinn(payments: Team) -> User:
    user = User.objects.create(
        pk=USER_ID,
        username="quinn.reporter",
        display_name="Quinn Xanthe Reporter",
        email="quinn.x@example.org",
    )
    payments.members.add(user)
    return user


def _needles(user: User) -> list[str]:
    return [user.username, user.display_name, user.email, str(user.pk)]


def _report(user: User, anonymous: bool) -> dict[str, set[Row]]:
    client = client_for(user)
    client.get("/near-misses/new")  # the form page first, as a person would
    before = dump()
    data = {
        "what_happened": "The deploy tool picked the wrong region.",
        "what_almost_happened": "Every customer in the EU would have lost checkout.",
        "teams": ["payments"],
        "factor_categories": ["tooling"],
    }
    if anonymous:
        data["anonymous"] = "on"
    assert client.post("/near-misses/new", data).status_code == 302
    client.get("/near-misses/thanks")
    return new_or_changed(before, dump())


def test_an_anonymous_report_leaves_no_trace_of_its_reporter(quinn: User) -> None:
    written = _report(quinn, anonymous=True)
    # The report and its links, and nothing else: no audit event, no session change.
    assert set(written) == {
        "nearmiss_nearmiss",
        "nearmiss_nearmiss_teams",
        "nearmiss_nearmiss_factor_categories",
    }
    assert traces(written, _needles(quinn)) == []
    # Nor anywhere in the report's own tables, and no audit event is about the report.
    own = {t: rows for t, rows in dump().items() if t.startswith("nearmiss_")}
    assert own and traces(own, _needles(quinn)) == []
    assert holding_user_id(written, quinn.pk) == []
    assert not AuditEvent.objects.filter(object_type="nearmiss.nearmiss").exists()
    assert AuditEvent.objects.filter(actor_user_id=quinn.pk).exclude(action="login").count() == 0


def test_the_search_finds_the_same_traces_of_a_named_report(quinn: User) -> None:
    """The check above can fail: the same search finds a named report's reporter."""
    written = _report(quinn, anonymous=False)
    found = {table for table, _, _ in traces(written, _needles(quinn))}
    assert {"nearmiss_nearmiss", "audit_auditevent"} <= found
    assert {table for table, _ in holding_user_id(written, quinn.pk)} == {
        "nearmiss_nearmiss",
        "audit_auditevent",
    }
    assert NearMiss.objects.get().reporter == quinn
