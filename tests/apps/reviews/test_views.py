from __future__ import annotations

from datetime import UTC, datetime

from django.core import mail
from icalendar import Calendar

from secondstory.accounts.models import User
from secondstory.feeds.services import create_token
from secondstory.notify.models import Delivery
from secondstory.postmortems.models import Postmortem
from secondstory.reviews import services
from secondstory.reviews.models import ReviewMeeting
from tests.apps.conftest import client_for
from tests.apps.reviews.conftest import plan


def _form(*people: User, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "date": "2026-03-12", "time": "15:00", "time_zone": "Europe/Paris",
        "duration_minutes": "60", "location": "Room 4", "facilitator": "",
        "attendees": [str(p.pk) for p in people],
    }  # fmt: skip
    data.update(changes)
    return data


def test_owner_schedules_a_review(postmortem: Postmortem, alice: User, bob: User,
                                  email: None) -> None:  # fmt: skip
    client = client_for(alice)
    page = client.get("/postmortems/PM-1/")
    # Resolved in March 2026 and never reviewed: the clock shows overdue.
    assert b"Schedule a review" in page.content and b"review overdue by" in page.content
    response = client.post("/postmortems/PM-1/meetings/schedule/", _form(alice, bob))
    meeting = ReviewMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/postmortems/PM-1/meetings/{meeting.pk}/"
    assert meeting.starts_at == datetime(2026, 3, 12, 14, 0, tzinfo=UTC)  # 15:00 in Paris
    assert Delivery.objects.filter(kind="review_invite").count() == 2
    page = client.get(response["Location"])
    assert b"Agenda" in page.content and b"Contributing factors without evidence" in page.content
    assert "Thursday 12 March 2026, 15:00 (Europe/Paris)" in page.content.decode()


def test_bad_input_names_the_field(postmortem: Postmortem, alice: User, email: None) -> None:
    client = client_for(alice)
    # 02:30 does not exist in Paris on 29 March 2026 (clocks go forward).
    response = client.post(
        "/postmortems/PM-1/meetings/schedule/", _form(alice, date="2026-03-29", time="02:30")
    )
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.content.decode()
    response = client.post(
        "/postmortems/PM-1/meetings/schedule/", _form(alice, time_zone="Mars/Base")
    )
    assert response.status_code == 400 and not ReviewMeeting.objects.exists()


def test_reviewer_reads_but_may_not_run_the_review(meeting: ReviewMeeting, bob: User) -> None:
    # Bob is a reviewer of PM-1, not a writer.
    client = client_for(bob)
    page = client.get(f"/postmortems/PM-1/meetings/{meeting.pk}/")
    assert page.status_code == 200 and b"Record the decision" not in page.content
    assert client.post(f"/postmortems/PM-1/meetings/{meeting.pk}/cancel/").status_code == 403
    assert client.post("/postmortems/PM-1/meetings/schedule/", {}).status_code == 403


def test_outsider_is_refused_on_a_restricted_postmortem(
    restricted: Postmortem, alice: User, charlie: User, email: None
) -> None:
    meeting = services.schedule(restricted, plan([alice]), by=alice)
    client = client_for(charlie)
    for url in ("", "agenda/", "invite.ics"):
        assert client.get(f"/postmortems/PM-R/meetings/{meeting.pk}/{url}").status_code == 404
    assert (
        client.post(f"/postmortems/PM-R/meetings/{meeting.pk}/notes/", {"notes": "x"}).status_code
        == 404
    )


def test_notes_decision_held_and_the_decision_on_the_postmortem(
    meeting: ReviewMeeting, alice: User, bob: User
) -> None:
    client = client_for(alice)
    base = f"/postmortems/PM-1/meetings/{meeting.pk}/"
    autosave = client.post(base + "notes/", {"notes": "Discussed the pool"}, HTTP_HX_REQUEST="true")
    assert autosave.status_code == 200 and b"Saved at" in autosave.content
    client.post(base + "decisions/", {"text": "Pool sizes get a minimum of 10"})
    client.post(base + "held/", {"attended": [str(bob.pk)]})
    meeting.refresh_from_db()
    assert meeting.notes == "Discussed the pool" and meeting.status == "held"
    assert list(meeting.attended.all()) == [bob]
    page = client.get("/postmortems/PM-1/").content.decode()
    assert "Pool sizes get a minimum of 10" in page and "reviewed" in page


def test_a_refused_decision_says_what_is_wrong(meeting: ReviewMeeting, alice: User) -> None:
    client = client_for(alice)
    base = f"/postmortems/PM-1/meetings/{meeting.pk}/"
    page = client.post(base + "decisions/", {"text": ""}, follow=True).content.decode()
    assert "Decision not recorded: This field is required." in page
    page = client.post(base + "decisions/", {"text": "x" * 2001}, follow=True).content.decode()
    assert "Decision not recorded: Ensure this value has at most 2000 characters" in page


def test_invite_download_is_valid_ics(meeting: ReviewMeeting, bob: User) -> None:
    response = client_for(bob).get(f"/postmortems/PM-1/meetings/{meeting.pk}/invite.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "REQUEST"


def test_meetings_in_calendar_feeds_respect_permissions(
    restricted: Postmortem, postmortem: Postmortem, alice: User, bob: User, charlie: User,
    email: None,
) -> None:  # fmt: skip
    services.schedule(postmortem, plan([bob, charlie]), by=alice)
    services.schedule(restricted, plan([alice, bob]), by=alice)
    # Charlie invited to the restricted review behind the service's back (e.g. before the
    # incident was restricted): his feed still leaves it out, since he may not read it.
    ReviewMeeting.objects.get(postmortem=restricted).attendees.add(charlie)
    mail.outbox.clear()

    def feed(user: User) -> list[str]:
        token = create_token(created_by=user)
        body = client_for(user).get(f"/feeds/{token.raw}.ics").content
        events = Calendar.from_ical(body).walk("VEVENT")
        return sorted(str(e["SUMMARY"]) for e in events if "review" in str(e["SUMMARY"]))

    assert [s.split(":")[1].split()[0] for s in feed(bob)] == ["PM-1", "PM-R"]
    assert [s.split(":")[1].split()[0] for s in feed(charlie)] == ["PM-1"]


def test_reschedule_and_held_need_valid_input(meeting: ReviewMeeting, alice: User,
                                              bob: User) -> None:  # fmt: skip
    client = client_for(alice)
    base = f"/postmortems/PM-1/meetings/{meeting.pk}/"
    form = client.get(base + "edit/").content.decode()
    assert 'value="15:00"' in form  # the time as scheduled, in its own zone
    response = client.post(base + "edit/", _form(alice, time="16:30"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at.hour, meeting.sequence) == (15, 1)  # 16:30 Paris is 15:30 UTC
    page = client.post(base + "held/", {}, follow=True).content.decode()
    assert "tick at least one person who attended" in page
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    client.post(base + "cancel/")
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert client.get(base + "edit/").status_code == 302  # nothing left to reschedule
