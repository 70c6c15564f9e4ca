"""SLO clocks on action items, the priority policy and the action policy on the checklist."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as global_apps
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.actions.apps import seed_priority_policy
from secondstory.actions.models import ActionItem, PriorityPolicy
from secondstory.actions.services import (
    annotate_clocks,
    clock,
    create_action_item,
    default_due_date,
    set_status,
    status_fingerprint,
)
from secondstory.core.followup import Clock
from secondstory.incidents.models import Incident, Severity
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import submission_checklist
from tests.apps.conftest import client_for

TODAY = date(2026, 3, 10)
RULE = (
    "A SEV1 or SEV2 postmortem has at least one P0 or P1 action item of type prevent, "
    "mitigate or detect (items marked “Not doing” do not count)"
)


def set_severity(postmortem: Postmortem, code: str) -> None:
    Incident.objects.filter(postmortems=postmortem).update(severity=Severity.objects.get(code=code))


def add_item(postmortem: Postmortem, owner: User, **fields: object) -> ActionItem:
    values: dict[str, object] = {
        "title": "Add a canary stage",
        "type": "prevent",
        "priority": "P1",
        "owner": owner,
        "due": date(2026, 4, 20),
    }
    values.update(fields)
    return create_action_item(postmortem, **values)  # type: ignore[arg-type]


# The priority policy and default due dates


@pytest.mark.django_db
def test_the_default_priority_policy_is_seeded() -> None:
    rows = dict(PriorityPolicy.objects.values_list("priority", "slo_days"))
    assert rows == {"P0": 15, "P1": 30}


@pytest.mark.django_db
def test_seeding_never_changes_existing_rows() -> None:
    PriorityPolicy.objects.filter(priority="P0").update(slo_days=10)
    PriorityPolicy.objects.filter(priority="P1").delete()
    seed_priority_policy(global_apps)
    assert dict(PriorityPolicy.objects.values_list("priority", "slo_days")) == {"P0": 10}


@pytest.mark.django_db
def test_seeding_an_empty_table_installs_the_defaults() -> None:
    PriorityPolicy.objects.all().delete()
    seed_priority_policy(global_apps)
    seed_priority_policy(global_apps)
    assert dict(PriorityPolicy.objects.values_list("priority", "slo_days")) == {"P0": 15, "P1": 30}


@pytest.mark.parametrize(
    ("severity", "priority", "days"),
    [
        ("SEV1", "P2", 15),
        ("SEV1", "P1", 15),
        ("SEV2", "P2", 30),
        ("SEV2", "P0", 15),
        ("SEV3", "P2", 60),
        ("SEV3", "P1", 30),
        ("SEV4", "P0", 15),
    ],
)
def test_default_due_dates_with_the_seeded_policy(
    postmortem: Postmortem, severity: str, priority: str, days: int
) -> None:
    set_severity(postmortem, severity)
    assert (default_due_date(postmortem, priority, today=TODAY) - TODAY).days == days


def test_without_policy_rows_the_severity_alone_decides(postmortem: Postmortem) -> None:
    PriorityPolicy.objects.all().delete()
    set_severity(postmortem, "SEV3")
    assert [
        (default_due_date(postmortem, p, today=TODAY) - TODAY).days for p in ("P0", "P1", "P2")
    ] == [60, 60, 60]
    set_severity(postmortem, "SEV1")
    assert (default_due_date(postmortem, "P2", today=TODAY) - TODAY).days == 15


def test_admins_change_both_policies(postmortem: Postmortem) -> None:
    PriorityPolicy.objects.create(priority="P2", slo_days=45)
    PriorityPolicy.objects.filter(priority="P1").update(slo_days=20)
    Severity.objects.filter(code="SEV3").update(slo_days=90)
    set_severity(postmortem, "SEV3")
    days = {
        p: (default_due_date(postmortem, p, today=TODAY) - TODAY).days for p in ["P0", "P1", "P2"]
    }
    assert days == {"P0": 15, "P1": 20, "P2": 45}
    Severity.objects.filter(code="SEV3").update(slo_days=10)
    assert (default_due_date(postmortem, "P2", today=TODAY) - TODAY).days == 10


def test_a_postmortem_without_incidents_defaults_to_sixty_days(postmortem: Postmortem) -> None:
    postmortem.incidents.clear()
    assert (default_due_date(postmortem, "P2", today=TODAY) - TODAY).days == 60
    assert (default_due_date(postmortem, "P0", today=TODAY) - TODAY).days == 15


@time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False)
def test_the_add_form_prefills_due_dates_from_the_policy_rows(
    postmortem: Postmortem, alice: User
) -> None:
    PriorityPolicy.objects.filter(priority="P1").update(slo_days=21)
    PriorityPolicy.objects.create(priority="P2", slo_days=25)
    url = reverse("postmortems:action_add", args=[postmortem.key])
    html = client_for(alice).get(url).content.decode()
    assert 'P0 by <time datetime="2026-03-25">' in html  # SEV2, P0: 15 days
    assert 'P1 by <time datetime="2026-03-31">' in html  # P1 row: 21 days
    assert 'P2 by <time datetime="2026-04-04">' in html  # P2 row: 25 days


# The clock of one item


def test_the_clock_of_an_item(postmortem: Postmortem, settings: object) -> None:
    item = postmortem.action_items.get()  # due 4 April 2026
    assert clock(item, date(2026, 3, 20)) == Clock("open", 15)
    assert clock(item, date(2026, 3, 28)) == Clock("due_soon", 7)
    assert clock(item, date(2026, 4, 4)) == Clock("due_soon", 0)
    assert clock(item, date(2026, 4, 10)) == Clock("overdue", 6)
    settings.SECONDSTORY_DUE_SOON_DAYS = 3  # type: ignore[attr-defined]
    assert clock(item, date(2026, 3, 28)) == Clock("open", 7)
    assert clock(item, date(2026, 4, 1)) == Clock("due_soon", 3)


@time_machine.travel(datetime(2026, 4, 1, 12, tzinfo=UTC), tick=False)
def test_the_clock_counts_from_today_by_default(postmortem: Postmortem) -> None:
    assert clock(postmortem.action_items.get()) == Clock("due_soon", 3)


def test_done_late_follows_the_date_in_the_chosen_zone(postmortem: Postmortem) -> None:
    item = set_status(
        postmortem.action_items.get(), "done", at=datetime(2026, 4, 4, 20, 30, tzinfo=UTC)
    )
    assert clock(item, date(2026, 5, 1), zone=ZoneInfo("UTC")) == Clock("done_on_time")
    assert clock(item, date(2026, 5, 1), zone=ZoneInfo("America/New_York")) == Clock("done_on_time")
    # Already 5 April in Auckland: one day late there.
    assert clock(item, date(2026, 5, 1), zone=ZoneInfo("Pacific/Auckland")) == Clock("done_late", 1)


def test_not_doing_has_its_own_clock(postmortem: Postmortem) -> None:
    item = set_status(postmortem.action_items.get(), "not_doing", reason="Tool is retired.")
    assert clock(item, date(2026, 9, 1)) == Clock("not_doing")


# The action policy on the submission checklist


def policy_line(postmortem: Postmortem) -> tuple[str, bool] | None:
    lines = [(i.label, i.done) for i in submission_checklist(postmortem) if "P0 or P1" in i.label]
    assert len(lines) <= 1
    return lines[0] if lines else None


@pytest.mark.parametrize("severity", ["SEV1", "SEV2"])
def test_a_qualifying_item_meets_the_policy(postmortem: Postmortem, severity: str) -> None:
    set_severity(postmortem, severity)
    assert policy_line(postmortem) == (RULE, True)  # A1: prevent, P1, open


@pytest.mark.parametrize(
    ("type", "priority"),
    [("mitigate", "P0"), ("detect", "P1"), ("prevent", "P0")],
)
def test_each_qualifying_type_and_priority_counts(
    postmortem: Postmortem, alice: User, type: str, priority: str
) -> None:
    set_severity(postmortem, "SEV1")
    postmortem.action_items.all().delete()
    assert policy_line(postmortem) == (RULE, False)
    add_item(postmortem, alice, type=type, priority=priority)
    assert policy_line(postmortem) == (RULE, True)


@pytest.mark.parametrize(
    ("type", "priority", "status"),
    [
        ("prevent", "P2", "open"),
        ("repair", "P0", "open"),
        ("investigate", "P1", "open"),
        ("process", "P0", "open"),
        ("prevent", "P1", "not_doing"),
    ],
)
@pytest.mark.parametrize("severity", ["SEV1", "SEV2"])
def test_items_that_do_not_count(
    postmortem: Postmortem, alice: User, severity: str, type: str, priority: str, status: str
) -> None:
    set_severity(postmortem, severity)
    postmortem.action_items.all().delete()
    item = add_item(postmortem, alice, type=type, priority=priority)
    if status == "not_doing":
        set_status(item, "not_doing", reason="Covered by another team's work.")
    assert policy_line(postmortem) == (RULE, False)


def test_a_done_item_still_counts(postmortem: Postmortem) -> None:
    set_status(postmortem.action_items.get(), "done")
    assert policy_line(postmortem) == (RULE, True)


def test_the_most_severe_incident_decides(postmortem: Postmortem, alice: User) -> None:
    postmortem.action_items.all().delete()
    set_severity(postmortem, "SEV3")
    assert policy_line(postmortem) == (
        f"{RULE}; this one is SEV3, so the rule does not apply",
        True,
    )
    other = Incident.objects.get(postmortems=postmortem)
    other.pk = None
    other.key = "INC-2"
    other.severity = Severity.objects.get(code="SEV1")
    other.save()
    postmortem.incidents.add(other)
    assert policy_line(postmortem) == (RULE, False)


@pytest.mark.parametrize("severity", ["SEV3", "SEV4"])
def test_lower_severities_are_not_covered(postmortem: Postmortem, severity: str) -> None:
    postmortem.action_items.all().delete()
    set_severity(postmortem, severity)
    assert policy_line(postmortem) == (
        f"{RULE}; this one is {severity}, so the rule does not apply",
        True,
    )


def test_a_postmortem_without_incidents_is_not_covered(postmortem: Postmortem) -> None:
    postmortem.action_items.all().delete()
    postmortem.incidents.clear()
    assert policy_line(postmortem) == (
        f"{RULE}; it has no incident, so the rule does not apply",
        True,
    )


def test_the_rule_uses_the_configured_severity_codes(postmortem: Postmortem) -> None:
    Severity.objects.filter(code="SEV1").update(code="CRIT")
    line = policy_line(postmortem)
    assert line is not None and line[0].startswith("A CRIT or SEV2 postmortem")


def test_with_the_policy_off_the_item_is_not_shown(
    postmortem: Postmortem, settings: object
) -> None:
    settings.SECONDSTORY_ACTION_POLICY = False  # type: ignore[attr-defined]
    set_severity(postmortem, "SEV1")
    postmortem.action_items.all().delete()
    assert policy_line(postmortem) is None
    assert all(item.done for item in submission_checklist(postmortem)[:3])


def submit_url(postmortem: Postmortem) -> str:
    return reverse("postmortems:lifecycle_submit", args=[postmortem.key])


def test_submitting_is_refused_while_the_policy_is_unmet(
    postmortem: Postmortem, alice: User
) -> None:
    set_severity(postmortem, "SEV1")
    ActionItem.objects.filter(postmortem=postmortem).update(priority="P2")
    response = client_for(alice).post(submit_url(postmortem), {"note": "Ready."})
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Complete everything on the checklist before submitting." in html
    assert f'<li class="missing"><span class="check-state">Missing</span> {RULE}</li>' in html
    assert ">Submit for review</button>" not in html
    assert Postmortem.objects.get(pk=postmortem.pk).status == "draft"


def test_submitting_works_once_the_policy_is_met(postmortem: Postmortem, alice: User) -> None:
    set_severity(postmortem, "SEV1")
    html = " ".join(client_for(alice).get(submit_url(postmortem)).content.decode().split())
    assert f'<li class="done"><span class="check-state">Done</span> {RULE}</li>' in html
    response = client_for(alice).post(submit_url(postmortem), {"note": "Ready."})
    assert response.status_code == 302
    assert Postmortem.objects.get(pk=postmortem.pk).status == "in_review"


def test_with_the_policy_off_submitting_ignores_it(
    postmortem: Postmortem, alice: User, settings: object
) -> None:
    settings.SECONDSTORY_ACTION_POLICY = False  # type: ignore[attr-defined]
    set_severity(postmortem, "SEV1")
    ActionItem.objects.filter(postmortem=postmortem).update(type="repair")
    html = client_for(alice).get(submit_url(postmortem)).content.decode()
    assert "P0 or P1" not in html
    response = client_for(alice).post(submit_url(postmortem))
    assert response.status_code == 302


# The clock labels in the action items section


def render_section(postmortem: Postmortem, user: User, today: date) -> str:
    request = RequestFactory().get(reverse("postmortems:detail", args=[postmortem.key]))
    request.user = user
    items = annotate_clocks(postmortem.action_items.select_related("owner"), today)
    context = {"postmortem": postmortem, "action_items": items, "today": today}
    html = render_to_string("postmortems/_action_items.html", context, request=request)
    return " ".join(html.split())


def clock_of(html: str, key: str) -> str:
    item = re.search(rf'<li id="action-{key}".*?</li>', html)
    assert item is not None
    found = re.search(r'<span class="clock ([\w-]+)">(.*?)</span>(?= </dd>)', item.group(0))
    assert found is not None, item.group(0)
    label = re.sub(r"<[^>]+>", "", found.group(2)).replace("SLO clock: ", "")
    return f"{found.group(1)}: {label}"


def test_every_item_shows_its_clock(postmortem: Postmortem, alice: User, bob: User) -> None:
    add_item(postmortem, bob, title="Alert on pool exhaustion", due=date(2026, 4, 20))
    done = add_item(postmortem, bob, title="Raise the pool size", due=date(2026, 4, 2))
    set_status(done, "done", at=datetime(2026, 4, 1, 9, tzinfo=UTC))
    late = add_item(postmortem, bob, title="Document the pool size", due=date(2026, 3, 30))
    set_status(late, "done", at=datetime(2026, 4, 2, 9, tzinfo=UTC))
    dropped = add_item(postmortem, bob, title="Rewrite the tool", due=date(2026, 3, 1))
    set_status(dropped, "not_doing", reason="The tool is retired in May.")
    soon = add_item(postmortem, bob, title="Review pool sizes", due=date(2026, 4, 10))

    html = render_section(postmortem, alice, date(2026, 4, 10))
    assert clock_of(html, "A1") == "clock-overdue: overdue by 6 days"
    assert '<strong class="overdue-marker">overdue by 6 days</strong>' in html
    assert clock_of(html, "A2") == "clock-open: 10 days left"
    assert clock_of(html, done.key) == "clock-done-on-time: done on time"
    assert clock_of(html, late.key) == "clock-done-late: done 3 days late"
    assert clock_of(html, dropped.key) == "clock-not-doing: not doing"
    assert clock_of(html, soon.key) == "clock-due-soon: due today"
    assert "(after the due date)" not in html

    html = render_section(postmortem, alice, date(2026, 4, 3))
    assert clock_of(html, "A1") == "clock-due-soon: due tomorrow"
    assert clock_of(html, soon.key) == "clock-due-soon: due in 7 days"
    assert clock_of(html, "A2") == "clock-open: 17 days left"
    assert "overdue" not in html


def test_the_section_still_marks_overdue_items_without_clocks(
    postmortem: Postmortem, alice: User
) -> None:
    request = RequestFactory().get("/")
    request.user = alice
    item = postmortem.action_items.get()
    item.overdue_days = 6  # type: ignore[attr-defined]
    context = {"postmortem": postmortem, "action_items": [item], "today": date(2026, 4, 10)}
    html = render_to_string("postmortems/_action_items.html", context, request=request)
    assert '<strong class="overdue-marker">overdue by 6 days</strong>' in html
    assert 'class="clock ' not in html


# The clock labels on the postmortem page (needs the views to call annotate_clocks)


def detail_page(user: User) -> str:
    response = client_for(user).get(reverse("postmortems:detail", args=["PM-1"]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@time_machine.travel(datetime(2026, 4, 10, 12, tzinfo=UTC), tick=False)
def test_the_postmortem_page_shows_every_clock(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    soon = add_item(postmortem, bob, title="Review pool sizes", due=date(2026, 4, 13))
    late = add_item(postmortem, bob, title="Document the pool size", due=date(2026, 3, 30))
    set_status(late, "done", at=datetime(2026, 4, 2, 9, tzinfo=UTC))
    html = detail_page(alice)
    assert clock_of(html, "A1") == "clock-overdue: overdue by 6 days"
    assert clock_of(html, soon.key) == "clock-due-soon: due in 3 days"
    assert clock_of(html, late.key) == "clock-done-late: done 3 days late"


@time_machine.travel(datetime(2026, 4, 4, 12, tzinfo=UTC), tick=False)
def test_the_page_counts_days_in_the_viewers_zone(postmortem: Postmortem, alice: User) -> None:
    assert clock_of(detail_page(alice), "A1") == "clock-due-soon: due today"
    User.objects.filter(pk=alice.pk).update(time_zone="Pacific/Kiritimati")  # UTC+14
    assert clock_of(detail_page(alice), "A1") == "clock-overdue: overdue by 1 day"


@time_machine.travel(datetime(2026, 4, 1, 12, tzinfo=UTC), tick=False)
def test_changing_a_status_shows_the_new_clock(postmortem: Postmortem, alice: User) -> None:
    url = reverse("postmortems:action_status", args=["PM-1", "A1"])
    base = status_fingerprint(ActionItem.objects.get(postmortem__key="PM-1", key="A1"))
    data = {"status": "done", "base": base}
    response = client_for(alice).post(url, data, headers={"HX-Request": "true"})
    html = " ".join(response.content.decode().split())
    assert clock_of(html, "A1") == "clock-done-on-time: done on time"
