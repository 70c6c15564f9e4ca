"""A game day's exercise never counts as a real incident, and is labelled "Exercise" wherever
a reader finds it (docs/game-days.md, "Kept apart from real incidents"): one test per place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.insights.periods import DateRange
from secondstory.feeds.services import create_token, feed_items, render_calendar
from secondstory.gamedays.models import GameDay
from secondstory.incidents.models import Milestone, MilestoneKind
from secondstory.insights import durations, health_data
from secondstory.insights.scope import Scope, date_range
from secondstory.learningcheck import reports, services
from secondstory.learningcheck.figures import health_rows
from secondstory.library.ask import ask
from secondstory.library.index import index_postmortem
from secondstory.library.search import search
from secondstory.library.similar import similar_postmortems
from secondstory.library.site.collect import publishable
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.sharing import services as sharing
from secondstory.sharing.atom import PostmortemFeed
from tests.apps.api.conftest import call as call  # the API tests' fixture, here too
from tests.apps.conftest import client_for
from tests.apps.learningcheck.conftest import scores

BADGE = '<span class="badge exercise"'
TITLE = "Drop the checkout connection pool to one"


def _publish(postmortem: Postmortem) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(
        status="published", published_at=timezone.now()
    )
    postmortem.refresh_from_db()
    index_postmortem(postmortem)


def _review(game_day: GameDay) -> Postmortem:
    review = game_day.postmortem
    index_postmortem(review)
    return review


# ---- found, and labelled -------------------------------------------------------------------


def test_search_finds_an_exercise_and_labels_it(
    game_day: GameDay, alice: User, call: Callable[..., Any]
) -> None:
    review = _review(game_day)
    hits = {h.postmortem.key: h for h in search("connection pool", user=alice).hits}
    assert review.key in hits
    page = (
        client_for(alice).get(reverse("library:search"), {"q": "connection pool"}).content.decode()
    )
    row = page.split(f"{review.key}: {TITLE}")[1].split("</h3>")[0]
    assert BADGE in row and "Exercise" in row
    items = call(alice, ("library:read",)).get("/api/search", q="connection pool").json()["items"]
    assert {i["key"]: i["exercise"] for i in items}[review.key] is True


def test_the_ask_box_labels_an_exercise(game_day: GameDay, alice: User) -> None:
    review = _review(game_day)
    answer = ask("checkout connection pool", user=alice)
    exercise = {s.key: s.exercise for s in answer.sources}
    assert exercise.get(review.key) is True
    page = (
        client_for(alice)
        .get(reverse("library:ask"), {"q": "checkout connection pool"})
        .content.decode()
    )
    assert BADGE in page.split(f'<span class="key">{review.key}</span>')[1].split("</h3>")[0]


def test_similar_incidents_label_an_exercise(
    game_day: GameDay, postmortem: Postmortem, alice: User, call: Callable[..., Any]
) -> None:
    review = _review(game_day)
    earlier = postmortem.created_at - timedelta(days=3)
    Postmortem.objects.filter(pk=review.pk).update(created_at=earlier)
    factor = postmortem.factors.first()
    assert factor is not None
    ContributingFactor.objects.create(
        postmortem=review, key="F1", category=factor.category, description="Pool size unchecked."
    )
    found = {s.key: s for s in similar_postmortems(postmortem, alice)}
    assert found[review.key].is_exercise
    body = call(alice, ("library:read",)).get(f"/api/postmortems/{postmortem.key}/similar").json()
    assert {s["key"]: s["exercise"] for s in body}[review.key] is True
    page = client_for(alice).get(reverse("library:similar", args=[postmortem.key]))
    row = page.content.decode().split(f'<span class="key">{review.key}</span>')[1]
    assert BADGE in row.split("</li>")[0]


def test_the_home_page_labels_an_exercise_waiting_for_its_owner(
    game_day: GameDay, alice: User
) -> None:
    review = game_day.postmortem
    ActionItem.objects.create(
        postmortem=review,
        key="A1",
        title="Alert on pool saturation",
        type="detect",
        priority="P2",
        owner=alice,
        due=timezone.localdate() + timedelta(days=5),
    )
    page = client_for(alice).get("/").content.decode()
    owned = page.split('id="owned"')[1].split("</section>")[0]
    row = owned.split(f'<span class="key">{review.key}</span>')[1].split("</li>")[0]
    assert BADGE in row
    mine = page.split('id="my-action-items"')[1].split("</section>")[0]
    assert BADGE in mine.split(f"{review.key} · A1")[1].split("</li>")[0]


def test_the_action_item_list_labels_an_exercise_item(game_day: GameDay, alice: User) -> None:
    review = game_day.postmortem
    ActionItem.objects.create(
        postmortem=review,
        key="A1",
        title="Alert on pool saturation",
        type="detect",
        priority="P2",
        owner=alice,
        due=timezone.localdate() + timedelta(days=5),
    )
    page = client_for(alice).get("/actions/").content.decode()
    row = page.split("Alert on pool saturation")[1].split("</tr>")[0]
    assert BADGE in row
    real_row = page.split('<span class="key">PM-1</span>')[1].split("</td>")[0]
    assert BADGE not in real_row


def test_feeds_label_an_exercise(game_day: GameDay, postmortem: Postmortem, alice: User) -> None:
    review = game_day.postmortem
    _publish(review)
    feed = sharing.create_feed(created_by=alice, scope=sharing.parse_scope("all"))
    atom = PostmortemFeed(feed.token)
    titles = {p.key: atom.item_title(p) for p in atom.items(feed.token)}
    assert titles[review.key] == f"Exercise: {review.key}: {TITLE}"
    assert not titles.get("PM-1", "").startswith("Exercise")
    ActionItem.objects.create(
        postmortem=review,
        key="A1",
        title="Alert on pool saturation",
        type="detect",
        priority="P2",
        owner=alice,
        due=timezone.localdate() + timedelta(days=5),
    )
    calendar = create_token(created_by=alice)
    text = render_calendar(calendar.token, list(feed_items(calendar.token)), timezone.now())
    assert f"({review.key}) [game day exercise]" in text.decode().replace("\r\n ", "")


# ---- left out ------------------------------------------------------------------------------


def test_on_this_day_and_the_static_site_leave_exercises_out(
    game_day: GameDay, postmortem: Postmortem, alice: User
) -> None:
    review = game_day.postmortem
    _publish(review)
    _publish(postmortem)
    zone = ZoneInfo("UTC")
    today = timezone.localdate()
    year_ago = datetime(today.year - 1, today.month, min(today.day, 28), 9, tzinfo=UTC)
    today = year_ago.date().replace(year=today.year)
    kind = MilestoneKind.objects.get(code="impact_started")
    for incident in (review.incidents.get(), postmortem.incidents.get()):
        Milestone.objects.filter(incident=incident, kind=kind).delete()
        Milestone.objects.create(incident=incident, kind=kind, at=year_ago)
    past = [entry.postmortem.key for entry in sharing.on_this_day(alice, today, zone)]
    assert past == [postmortem.key]
    assert set(publishable().values_list("key", flat=True)) == {postmortem.key}


def test_learning_check_figures_and_unsafe_reviews_leave_exercises_out(
    game_day: GameDay, postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    review = game_day.postmortem
    review.collaborators.add(charlie)
    survey = services.open_learning_check(review)
    for person in (alice, bob, charlie):
        services.answer(survey, person, scores(2))
    today = timezone.localdate()
    report = reports.scope_report(DateRange(today - timedelta(days=30), today))
    assert (report["reviews"], report["hidden_reviews"]) == (0, 0)
    now = timezone.now()
    assert health_rows(now - timedelta(days=1), now + timedelta(days=1)) == []
    assert services.results(survey).summary is not None  # its own page still shows them


def test_durations_leave_an_exercise_out(game_day: GameDay, postmortem: Postmortem) -> None:
    exercise = game_day.postmortem.incidents.get()
    real = postmortem.incidents.get()
    today = timezone.localdate()
    scope = Scope(date_range({"from": "2000-01-01"}, today), today)
    team_scope = Scope(scope.span, today, team=real.teams.first())
    before = (durations.counted_values(scope), durations.counted_values(team_scope))
    exercise.teams.set(real.teams.all())
    for milestone in real.milestones.all():
        Milestone.objects.create(incident=exercise, kind=milestone.kind, at=milestone.at)
    after = (durations.counted_values(scope), durations.counted_values(team_scope))
    assert after == before
    assert any(before[0].values())  # the real incident is counted


def test_follow_through_health_leaves_exercise_items_out(
    game_day: GameDay, postmortem: Postmortem, alice: User
) -> None:
    today = timezone.localdate()
    before = health_data.build(today).months
    ActionItem.objects.create(
        postmortem=game_day.postmortem,
        key="A1",
        title="Alert on pool saturation",
        type="detect",
        priority="P2",
        owner=alice,
        due=today - timedelta(days=5),
        status="done",
        completed_at=timezone.now() - timedelta(days=2),
    )
    assert health_data.build(today).months == before
