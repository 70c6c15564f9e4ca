"""The insights pages: organisation, team and service, CSV per chart, restricted as numbers."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from secondstory.accounts.models import Team, User
from secondstory.insights import services
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record

RANGE = "from=2026-01-01&to=2026-06-30"


def _charts(response: object) -> dict[str, object]:
    sections = response.context["sections"]  # type: ignore[attr-defined]
    return {chart.id: chart for _, _, charts, _ in sections for chart in charts}


def _more(*keys: str, visibility: str = "internal") -> None:
    for key in keys:
        load_record(postmortem_record(key, visibility=visibility))


def test_the_organisation_page_shows_every_section_with_charts_and_tables(
    postmortem: Postmortem, alice: User
) -> None:
    response = client_for(alice).get(f"/insights/?{RANGE}")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Incidents", "Durations", "Review pipeline", "Follow-through", "Contributing"):
        assert heading in html
    assert html.count("<svg") == html.count('<table class="figures"') - html.count(
        'id="recurring-pairs"'
    )
    assert "<title id=" in html and "<desc id=" in html
    charts = _charts(response)
    assert charts["incidents-by-severity"].rows[2] == ["2026-03", 0, 1, 0, 0, 1]


def test_durations_use_the_metric_definitions_and_the_milestones(
    postmortem: Postmortem, alice: User
) -> None:
    response = client_for(alice).get(f"/insights/?{RANGE}")
    chart = _charts(response)["duration-time_to_detect"]
    assert "time to detect = detected − impact started" in chart.definition
    q1 = chart.rows[0]
    assert q1[0] == "2026-Q1"
    assert q1[1:3] == [1, 0.2]  # one incident, detected 12 minutes (0.2 h) after impact
    resolve = _charts(response)["duration-time_to_resolve"]
    assert resolve.rows[0][4] == 26.0  # the median of one incident, resolved after 26 h


def test_the_review_pipeline_counts_days_from_resolution(
    postmortem: Postmortem, alice: User
) -> None:
    response = client_for(alice).get(f"/insights/?{RANGE}")
    chart = _charts(response)["review-delays"]
    draft = chart.rows[0]
    assert draft[0] == "resolution → draft" and draft[1] == 1
    # resolved 2026-03-05 14:40 (+01:00) = 13:40 UTC; the draft was opened 09:00 UTC that day,
    # before resolution, so it took no time
    assert draft[4] == 0.0


def test_team_and_service_pages_render_and_filter(
    postmortem: Postmortem, alice: User, payments: Team
) -> None:
    client = client_for(alice)
    other = Team.objects.create(slug="search", name="Search")
    team = client.get(f"/insights/teams/payments/?{RANGE}")
    assert team.status_code == 200 and b"team Payments" in team.content
    assert _charts(team)["incidents-by-severity"].rows[2][-1] == 1
    empty = client.get(f"/insights/teams/{other.slug}/?{RANGE}")
    assert _charts(empty)["incidents-by-severity"].rows[2][-1] == 0
    service = client.get(f"/insights/services/checkout/?{RANGE}")
    assert service.status_code == 200 and b"service" in service.content
    assert _charts(service)["incidents-by-severity"].rows[2][-1] == 1
    assert client.get("/insights/teams/nobody/").status_code == 404


@pytest.mark.parametrize("chart_id", ["incidents-by-severity", "follow-through", "review-delays"])
def test_the_csv_holds_the_numbers_of_the_table(
    postmortem: Postmortem, alice: User, chart_id: str
) -> None:
    client = client_for(alice)
    chart = _charts(client.get(f"/insights/?{RANGE}"))[chart_id]
    response = client.get(f"/insights/?{RANGE}&format=csv&chart={chart_id}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == chart.header
    expected = [["" if cell is None else str(cell) for cell in row] for row in chart.rows]
    assert rows[1:] == expected


def test_an_unknown_chart_or_a_bad_date_gets_a_clear_message(alice: User) -> None:
    client = client_for(alice)
    missing = client.get("/insights/?format=csv&chart=nope")
    assert missing.status_code == 404 and b"no chart called" in missing.content
    bad = client.get("/insights/?from=2026-13-01")
    assert bad.status_code == 400 and b"from: expected a date as YYYY-MM-DD" in bad.content
    backwards = client.get("/insights/?from=2026-05-01&to=2026-04-01")
    assert backwards.status_code == 400 and b"before it starts" in backwards.content


def test_signing_in_is_required(db: None) -> None:
    response = Client().get("/insights/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_an_outsider_sees_restricted_postmortems_only_as_counts(
    postmortem: Postmortem, restricted: Postmortem, alice: User, charlie: User
) -> None:
    _more("PM-2", "PM-3")
    outsider = client_for(charlie).get(f"/insights/?{RANGE}")
    insider = client_for(alice).get(f"/insights/?{RANGE}")
    for response in (outsider, insider):  # the restricted incident counts for everyone
        assert _charts(response)["incidents-by-severity"].rows[2][-1] == 4
    assert b"PM-R" not in outsider.content
    assert b"PM-R" in insider.content
    pairs = {(p.service, p.category): p for p in outsider.context["sections"][4][3]["recurring"]}
    tooling = pairs[("checkout", "tooling")]
    assert tooling.postmortems == 4 and tooling.keys == ("PM-1", "PM-2", "PM-3")
    assert tooling.hidden == 1
    drafts = outsider.context["sections"][2][3]["drafts"]
    assert drafts.count == 4 and "PM-R" not in drafts.keys


def test_items_aimed_at_people_are_counted_with_the_reviewer_predicate(
    postmortem: Postmortem, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_record(postmortem_record("PM-2"))
    Postmortem.objects.get(key="PM-2").action_items.update(title="Remind people to be careful")
    monkeypatch.setattr(services, "people_predicate", lambda: lambda t: t.startswith("Remind"))
    chart = _charts(client_for(alice).get(f"/insights/?{RANGE}"))["follow-through"]
    assert chart.rows[-1] == ["aimed at people", 1, "50 %"]


def test_the_people_predicate_flags_person_aimed_wording() -> None:
    targets_people = services.people_predicate()
    assert targets_people("Remind the on-call engineer to check the dashboard before deploying")
    assert not targets_people("Validate pool sizes in the config tool")


@pytest.mark.parametrize("extra", [0, 6])
def test_the_page_runs_a_bounded_number_of_queries(
    postmortem: Postmortem, alice: User, extra: int, django_assert_max_num_queries: object
) -> None:
    _more(*[f"PM-X{n}" for n in range(extra)])
    client = client_for(alice)
    # 34 for the page: 31 for the learning sections (one of them compares the kept
    # durations' copy of the metric definitions with the definitions), 2 for the near misses
    # (the total and the teams), 1 for the learning checks' answers once a review opened one;
    # and at most 15 for each whole month of the range computed afresh (kept months: none).
    with django_assert_max_num_queries(34 + 15 * 6):  # type: ignore[operator]
        assert client.get(f"/insights/?{RANGE}").status_code == 200
    with django_assert_max_num_queries(34):  # type: ignore[operator]
        assert client.get(f"/insights/?{RANGE}").status_code == 200  # every month kept


def test_blameless_writing_reads_the_stored_findings_per_thousand_words(
    postmortem: Postmortem, alice: User
) -> None:
    from secondstory.postmortems.blameless import postmortem_findings
    from secondstory.postmortems.models import ReviewCache

    client = client_for(alice)
    before = _charts(client.get(f"/insights/?{RANGE}"))["review-findings-rate"]
    assert before.rows == []  # nothing reviewed yet: no rate made up from nothing
    Postmortem.objects.filter(pk=postmortem.pk).update(
        summary="The engineer should have checked the dashboard."
    )
    postmortem.refresh_from_db()
    postmortem_findings(postmortem)  # what opening the editor does: review and store
    stored = sum(len(entry.findings) for entry in ReviewCache.objects.all())
    assert stored >= 1
    chart = _charts(client.get(f"/insights/?{RANGE}"))["review-findings-rate"]
    # 7 words of summary + 8 of trigger; every other section is empty
    assert chart.rows == [["payments", "2026-Q1", 1, 15, stored, round(stored * 1000 / 15, 2)]]
    assert "1 of 1 postmortems" in chart.notes[0]


def test_follow_through_counts_on_time_by_the_due_day_and_ages_open_items(
    postmortem: Postmortem, alice: User
) -> None:
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from secondstory.actions.models import ActionItem

    _more("PM-2", "PM-3")
    due_day_evening = datetime(2026, 4, 4, 23, 30, tzinfo=UTC)  # due 2026-04-04: on time
    ActionItem.objects.filter(postmortem__key="PM-1").update(
        status="done", completed_at=due_day_evening
    )
    ActionItem.objects.filter(postmortem__key="PM-2").update(
        status="done",
        completed_at=due_day_evening + timedelta(hours=1),  # the next day: late
    )
    ActionItem.objects.filter(postmortem__key="PM-3").update(
        created_at=timezone.now() - timedelta(days=20)
    )
    charts = _charts(client_for(alice).get(f"/insights/?{RANGE}"))
    rows = {row[0]: row for row in charts["follow-through"].rows}
    assert rows["done"][1] == 2
    assert rows["done by the due date"][1:] == [1, "50 %"]
    assert rows["open or in progress"][1] == 1
    ages = {row[0]: row[1] for row in charts["open-item-age"].rows}
    assert ages["14–30"] == 1 and sum(ages.values()) == 1
