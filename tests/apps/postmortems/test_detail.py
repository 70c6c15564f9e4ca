"""One postmortem's page: access, every part of the record, time zones and escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.incidents.models import EventReference, ExternalReference, Incident, TimelineEvent
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.postmortems.services import transition
from tests.apps.conftest import client_for


def url(key: str) -> str:
    return reverse("postmortems:detail", args=[key])


def page(user: User, key: str = "PM-1") -> str:
    response = client_for(user).get(url(key))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_owner_sees_the_postmortem(postmortem: Postmortem, alice: User) -> None:
    html = page(alice)
    assert "<h1>Checkout errors after a configuration change</h1>" in html
    assert '<span class="status status-draft">Draft</span>' in html
    assert "<dt>Owner</dt> <dd>Alice Owner</dd>" in html
    assert "<dt>Reviewers</dt> <dd>Bob Teammate</dd>" in html


def test_teammate_reads_the_restricted_postmortem(restricted: Postmortem, bob: User) -> None:
    html = page(bob, "PM-R")
    assert '<span class="badge restricted"' in html
    assert ">restricted</span>" in html


def test_it_checks_ownership(restricted: Postmortem, charlie: User) -> None:
    response = client_for(charlie).get(url("PM-R"))
    # 404, not 403: an outsider cannot even learn that the postmortem exists.
    assert response.status_code == 404


def test_outsider_reads_an_internal_postmortem(postmortem: Postmortem, charlie: User) -> None:
    assert "Checkout errors" in page(charlie)


def test_an_unknown_key_is_404(alice: User) -> None:
    assert client_for(alice).get(url("PM-NOPE")).status_code == 404


def test_anonymous_is_sent_to_log_in(restricted: Postmortem) -> None:
    response = Client().get(url("PM-R"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_incident(postmortem: Postmortem, alice: User) -> None:
    incident = postmortem.incidents.get()
    ExternalReference.objects.create(
        incident=incident, system="jira", identifier="OPS-12", url="https://jira.example.com/OPS-12"
    )
    ExternalReference.objects.create(incident=incident, system="slack", identifier="#inc-12")
    html = page(alice)
    assert '<span class="key">INC-PM-1</span>' in html
    assert '<span class="severity">SEV2</span> Major' in html
    assert '<dt>Services</dt> <dd>Checkout <a class="subscribe-link"' in html
    assert '<dt>Teams</dt> <dd>Payments <a class="subscribe-link"' in html
    assert "?subscribe=service:checkout" in html
    assert '<span class="tag">config</span>' in html
    assert (
        '<a href="https://jira.example.com/OPS-12" rel="noopener noreferrer">jira: OPS-12</a>'
        in html
    )
    assert "slack: #inc-12" in html
    assert "restricted</span>" not in html


def test_milestones_are_in_the_display_zone(postmortem: Postmortem, alice: User) -> None:
    html = page(alice)
    assert "Times in UTC" in html
    # Recorded as 13:40 at UTC+01:00.
    assert (
        '<th scope="row">impact started</th><td><time datetime="2026-03-04T12:40:00+00:00">' in html
    )
    with override_settings(DISPLAY_TIME_ZONE="Europe/Paris"):
        html = page(alice)
    assert "Times in Europe/Paris" in html
    assert '<time datetime="2026-03-04T13:40:00+01:00">4 Mar 2026 13:40</time>' in html


def test_every_duration_is_shown_with_its_definition(postmortem: Postmortem, alice: User) -> None:
    html = page(alice)
    for name, value, definition in [
        ("time to detect", "12 min", "detected − impact started"),
        ("time to acknowledge", "3 min", "acknowledged − detected"),
        ("time to mitigate", "50 min", "mitigated − impact started"),
        ("time to resolve", "1 d 2 h", "resolved − impact started"),
        ("impact duration", "50 min", "mitigated − impact started"),
    ]:
        row = (
            f'<th scope="row">{name}</th> <td class="value">{value}</td> '
            f'<td class="definition">{name} = {definition}</td>'
        )
        assert row in html


def test_a_missing_milestone_shows_an_unknown_duration(postmortem: Postmortem, alice: User) -> None:
    postmortem.incidents.get().milestones.filter(kind__code="acknowledged").delete()
    html = page(alice)
    assert '<th scope="row">time to acknowledge</th> <td class="value">—</td>' in html


def test_every_non_empty_section_is_rendered_in_order(postmortem: Postmortem, alice: User) -> None:
    postmortem.went_well = "The rollback took **two minutes**."
    postmortem.save()
    html = page(alice)
    summary = html.index('<h2 id="section-summary-heading">Summary</h2>')
    trigger = html.index('<h2 id="section-trigger-heading">Trigger</h2>')
    went_well = html.index('<h2 id="section-went_well-heading">What went well</h2>')
    assert summary < trigger < went_well
    assert "<p>Checkout failed for <strong>12%</strong> of requests for 50 minutes.</p>" in html
    assert "<strong>two minutes</strong>" in html
    assert "Background</h2>" not in html
    assert "Open questions</h2>" not in html


def test_the_timeline_is_chronological_and_complete(postmortem: Postmortem, alice: User) -> None:
    html = page(alice)
    texts = [
        "Deployed config change 881 to checkout",
        "CheckoutErrorRate firing",
        "Paged the payments on-call",
        "Connection pool limit found in logs",
    ]
    positions = [html.index(f'<p class="event-text">{text}</p>') for text in texts]
    assert positions == sorted(positions)
    assert (
        '<time datetime="2026-03-04T12:35:00+00:00">12:35</time> <span class="kind">change</span>'
        in html
    )
    assert '<span class="source">github</span> · <span class="actor">Deploy bot</span>' in html
    assert '<span class="actor">Alice Owner (on-call)</span>' in html
    assert '<time datetime="2026-03-04">Wednesday 4 March 2026</time>' in html


def test_starred_and_learned_later_events_are_marked(postmortem: Postmortem, alice: User) -> None:
    html = page(alice)
    assert '<li id="event-' in html
    starred = TimelineEvent.objects.get(source_ref="fp-1")
    later = TimelineEvent.objects.get(source_ref="m1")
    assert f'<li id="event-{starred.pk}" class="event kind-alert starred">' in html
    assert f'<li id="event-{later.pk}" class="event kind-observation learned-later">' in html
    later_item = html[html.index(f'<li id="event-{later.pk}"') :]
    assert later_item.index('<span class="badge learned-later-label">learned later</span>') < (
        later_item.index("</li>")
    )
    assert html.count('class="star"') == 1


def test_day_boundaries_are_shown(postmortem: Postmortem, alice: User) -> None:
    incident = postmortem.incidents.get()
    TimelineEvent.objects.create(
        incident=incident, at=datetime(2026, 3, 5, 14, 40, tzinfo=UTC), kind="status",
        source="manual", source_ref="m2", text="Incident resolved",
    )  # fmt: skip
    html = page(alice)
    first_day = html.index("Wednesday 4 March 2026</time></h3>")
    last_of_first = html.index("Connection pool limit found in logs")
    second_day = html.index("Thursday 5 March 2026</time></h3>")
    resolved = html.index("Incident resolved")
    assert first_day < last_of_first < second_day < resolved


def test_day_boundaries_follow_the_display_zone(postmortem: Postmortem, alice: User) -> None:
    TimelineEvent.objects.create(
        incident=postmortem.incidents.get(), at=datetime(2026, 3, 4, 23, 30, tzinfo=UTC),
        kind="chat", source="slack", source_ref="late", text="Still watching the graphs",
    )  # fmt: skip
    assert "Thursday 5 March 2026" not in page(alice)
    with override_settings(DISPLAY_TIME_ZONE="Europe/Paris"):
        html = page(alice)
    assert html.index("Thursday 5 March 2026") < html.index("Still watching the graphs")


def test_several_incidents_share_one_timeline(postmortem: Postmortem, alice: User) -> None:
    first = postmortem.incidents.get()
    second = Incident.objects.create(key="INC-9", title="Follow-on", severity=first.severity)
    postmortem.incidents.add(second)
    TimelineEvent.objects.create(
        incident=second, at=datetime(2026, 3, 4, 12, 53, tzinfo=UTC), kind="chat",
        source="slack", source_ref="s1", text="Second incident noticed",
    )  # fmt: skip
    html = page(alice)
    assert html.index("CheckoutErrorRate firing") < html.index("Second incident noticed")
    assert html.index("Second incident noticed") < html.index("Paged the payments on-call")
    assert '<span class="key">INC-9</span>' in html


def test_contributing_factors_are_shown(postmortem: Postmortem, alice: User) -> None:
    ContributingFactor.objects.filter(key="F2").update(
        evidence="The alert rule had `for: 10m`, see [rule](https://git.example.com/alerts)."
    )
    html = page(alice)
    deploy = TimelineEvent.objects.get(source_ref="deploy-881")
    assert '<span class="key">F1</span> <span class="category">Tooling</span>' in html
    assert "The config tool accepted a pool size of 1." in html
    assert (
        f'<a href="/postmortems/PM-1/?event={deploy.pk}#event-{deploy.pk}">'
        '<time datetime="2026-03-04T12:35:00+00:00">' in html
    )
    assert '<span class="key">F2</span> <span class="category">Detection</span>' in html
    assert "<code>for: 10m</code>" in html
    assert '<a href="https://git.example.com/alerts" rel="noopener noreferrer">rule</a>' in html


def action_items_part(html: str) -> str:
    """The page's action items section alone."""
    start = html.index('<section id="action-items"')
    return html[start : html.index("</section>", start)]


@time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=UTC), tick=False)
def test_action_items_are_shown(postmortem: Postmortem, alice: User) -> None:
    ActionItem.objects.filter(key="A1").update(
        done_criterion="The tool rejects a pool size below 5.",
        tracker_url="https://tracker.example.com/T-42",
    )
    html = page(alice)
    assert '<span class="key">A1</span> Validate pool sizes in the config tool' in html
    assert "<dt>Type</dt><dd>Prevent</dd>" in html
    assert '<span class="priority priority-P1">P1</span>' in html
    assert "<dt>Owner</dt><dd>Alice Owner</dd>" in html
    assert '<time datetime="2026-04-04">4 Apr 2026</time>' in html
    assert '<span class="status status-open">Open</span>' in html
    assert "<dt>Done when</dt><dd>The tool rejects a pool size below 5.</dd>" in html
    assert '<a href="https://tracker.example.com/T-42" rel="noopener noreferrer">' in html
    assert '<dt>Addresses</dt> <dd><a href="#factor-F1">F1</a></dd>' in html
    assert "overdue" not in action_items_part(html)  # (the review clock has its own part)


@time_machine.travel(datetime(2026, 4, 10, 12, tzinfo=UTC), tick=False)
def test_overdue_action_items_say_by_how_many_days(postmortem: Postmortem, alice: User) -> None:
    html = page(alice)
    assert 'class="action-item status-open overdue"' in html
    assert '<strong class="overdue-marker">overdue by 6 days</strong>' in html


@time_machine.travel(datetime(2026, 4, 10, 12, tzinfo=UTC), tick=False)
def test_not_doing_shows_the_reason_and_is_never_overdue(
    postmortem: Postmortem, alice: User
) -> None:
    ActionItem.objects.filter(key="A1").update(
        status="not_doing", reason="The config tool is being retired in May."
    )
    html = page(alice)
    assert '<span class="status status-not_doing">Not doing</span>' in html
    assert (
        '<dt>Reason for not doing</dt><dd class="reason">'
        "The config tool is being retired in May.</dd>" in html
    )
    assert "overdue by" not in action_items_part(html)


def test_a_tracker_link_must_be_a_web_link(postmortem: Postmortem, alice: User) -> None:
    ActionItem.objects.filter(key="A1").update(tracker_url="javascript:alert(1)")
    ExternalReference.objects.create(
        incident=postmortem.incidents.get(), system="x", identifier="y", url="javascript:alert(2)"
    )
    html = page(alice)
    assert "javascript:" not in html
    assert "x: y" in html


def test_lifecycle_and_transitions_are_shown(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    submitted = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    transition(postmortem, "in_review", by=alice, note="Ready for a look", at=submitted)
    transition(postmortem, "approved", by=bob, at=submitted + timedelta(days=1))
    transition(postmortem, "published", by=alice, at=submitted + timedelta(days=2))
    html = page(alice)
    assert '<span class="status status-published">Published</span>' in html
    assert (
        '<dt>Submitted for review</dt> <dd><time datetime="2026-03-06T10:00:00+00:00">'
        "6 Mar 2026 10:00</time></dd>" in html
    )
    assert '<dt>Approved</dt> <dd><time datetime="2026-03-07T10:00:00+00:00">' in html
    assert '<dt>Published</dt> <dd><time datetime="2026-03-08T10:00:00+00:00">' in html
    assert "<td>Draft → In review</td> <td>Alice Owner</td> <td>Ready for a look</td>" in html
    assert "<td>In review → Approved</td> <td>Bob Teammate</td> <td>—</td>" in html
    assert "Still needed before publication" not in html


def test_not_required_shows_the_reason(postmortem: Postmortem, alice: User) -> None:
    transition(postmortem, "not_required", by=alice, note="A duplicate of PM-0.")
    html = page(alice)
    assert "<dt>Marked not required</dt>" in html
    assert '<dt>Why it is not required</dt> <dd class="reason">A duplicate of PM-0.</dd>' in html


def test_a_draft_lists_what_publication_still_needs(postmortem: Postmortem, alice: User) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(summary="")
    postmortem.factors.all().delete()
    html = page(alice)
    assert "Still needed before publication" in html
    assert "A published postmortem needs a summary" in html
    assert "A published postmortem needs at least one contributing factor" in html
    assert "No contributing factors recorded yet." in html


def test_a_drafts_checklist_asks_for_an_event_of_any_of_its_incidents(
    postmortem: Postmortem, alice: User
) -> None:
    needs_event = "A published postmortem needs at least one timeline event"
    first = postmortem.incidents.get()
    second = Incident.objects.create(key="INC-2", title="Second", severity=first.severity)
    postmortem.incidents.add(second)
    other = Incident.objects.create(key="INC-9", title="Elsewhere", severity=first.severity)
    first.timeline.update(incident=second)  # only the second incident has events
    assert needs_event not in page(alice)
    second.timeline.update(incident=other)  # events of an incident of no postmortem of its own
    html = page(alice)
    assert needs_event in html
    assert "A published postmortem needs a summary" not in html
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=" \n ")
    assert "A published postmortem needs a summary" in page(alice)


def test_queries_do_not_grow_with_the_record(
    postmortem: Postmortem, alice: User, django_assert_max_num_queries: object
) -> None:
    incident = postmortem.incidents.get()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident, at=datetime(2026, 3, 4, 14, n, tzinfo=UTC), kind="chat",
            source="slack", source_ref=f"c{n}", text=f"message {n}",
        )
        for n in range(30)
    )  # fmt: skip
    first = TimelineEvent.objects.get(source_ref="c0")
    EventReference.objects.bulk_create(
        EventReference(
            incident=incident, event=first, source="mattermost", source_ref=f"m{n}",
            at=first.at, text="the same message, bridged",
        )
        for n in range(5)
    )  # fmt: skip
    client = client_for(alice)
    # The page, its timeline and grouped sightings, recurrence evidence, tracker links and
    # similar past incidents; the stored blameless review (read, and written on this first view).
    # The timeline adds a fixed few: sources, count and one window; the publication checklist
    # one (whether there is a factor and an event; 42 when it read the whole record). The
    # review meeting panel adds two (the meetings, and the incidents' resolution with their
    # severity's review policy); the accounts panel one, and the learning check box one;
    # one for the game days that verified its items.
    with django_assert_max_num_queries(38):  # type: ignore[operator]
        response = client.get(url("PM-1"))
    html = response.content.decode()
    assert html.count('class="event kind-chat"') == 30
    assert html.count('<span class="source">mattermost</span>') == 5


XSS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">raw link</a>',
    "<svg/onload=alert(1)>",
]


class ActiveContent(HTMLParser):
    """Collects what a browser would execute: script elements, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        # Only the project's own static scripts (no inline script, no user-written one).
        if tag == "script" and not (names.get("src") or "").startswith("/static/secondstory/"):
            self.found.append(f"<script> {attrs}")
        if tag in ("iframe", "object", "embed", "svg"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            scheme = (value or "").strip().lower().replace("\t", "")
            if name in ("href", "src", "action") and scheme.startswith(("javascript:", "data:")):
                self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS)
def test_nothing_user_written_becomes_executable(
    postmortem: Postmortem, alice: User, payload: str
) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=payload, went_poorly=payload)
    TimelineEvent.objects.filter(source_ref="fp-1").update(text=payload, actor=payload)
    ContributingFactor.objects.filter(key="F1").update(description=payload, evidence=payload)
    ActionItem.objects.filter(key="A1").update(title=payload, done_criterion=payload)
    html = client_for(alice).get(url("PM-1")).content.decode()
    assert active_content(html) == []
    assert "<script>alert" not in html


def test_the_xss_check_can_fail() -> None:
    assert active_content('<img src=x onerror="alert(1)"><a href="javascript:x">a</a>')
    assert active_content("<script>alert(1)</script>")
    assert active_content('<script src="/static/secondstory/htmx.min.js"></script>') == []
