from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from icalendar import Calendar

from secondstory.accounts.models import User
from secondstory.audit.models import AuditEvent
from secondstory.notify.models import Delivery
from secondstory.postmortems.models import Postmortem, PostmortemTransition
from secondstory.reviews import checks, services
from secondstory.reviews.models import ReviewMeeting
from secondstory.reviews.tasks import send_invites
from tests.apps.reviews.conftest import START, plan


def _sent_calendars() -> list[Calendar]:
    found = []
    for message in mail.outbox:
        for _name, content, mimetype in message.attachments:
            assert mimetype.startswith("text/calendar")
            found.append(Calendar.from_ical(content))
    return found


def test_schedule_queues_invites_that_the_worker_sends(meeting: ReviewMeeting) -> None:
    queued = Delivery.objects.filter(kind="review_invite")
    assert sorted(d.address for d in queued) == ["alice@example.com", "bob@example.com"]
    assert all(d.status == "pending" for d in queued)  # nothing is sent during the request
    assert mail.outbox == []
    result = send_invites.call([d.pk for d in queued])
    assert result == {"sent": 2, "failed": 0}
    first, _ = _sent_calendars()
    assert first["METHOD"] == "REQUEST"
    event = first.walk("VEVENT")[0]
    assert str(event["UID"]) == f"review-{meeting.uid}@secondstory"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START
    assert "PM-1" in mail.outbox[0].subject and "15:00" in mail.outbox[0].subject  # Paris time


def test_a_failing_mail_server_is_recorded_not_raised(meeting: ReviewMeeting, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.apps.reviews.test_services.BrokenBackend"
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert send_invites.call(ids) == {"sent": 0, "failed": 2}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"retrying"}


class BrokenBackend:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise OSError("connection refused")


def test_reschedule_bumps_sequence_and_cancels_dropped_people(
    meeting: ReviewMeeting, alice: User, bob: User, charlie: User
) -> None:
    services.reschedule(meeting, plan([alice, charlie], starts_at=START + timedelta(days=1)))
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    updates = Delivery.objects.filter(kind="review_update")
    assert sorted(d.address for d in updates) == ["alice@example.com", "charlie@example.com"]
    (cancel,) = Delivery.objects.filter(kind="review_cancel")
    assert cancel.address == "bob@example.com"
    calendar = Calendar.from_ical(cancel.calendar)
    assert calendar["METHOD"] == "CANCEL" and calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
    update = Calendar.from_ical(updates[0].calendar).walk("VEVENT")[0]
    assert update["SEQUENCE"] == 1 and str(update["UID"]) == f"review-{meeting.uid}@secondstory"


def test_cancel_sends_cancel_with_a_higher_sequence(meeting: ReviewMeeting) -> None:
    services.cancel(meeting)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    cancels = Delivery.objects.filter(kind="review_cancel")
    assert cancels.count() == 2
    assert Calendar.from_ical(cancels[0].calendar)["METHOD"] == "CANCEL"
    with pytest.raises(ValidationError, match="cancelled"):
        services.cancel(meeting)


def test_one_scheduled_review_at_a_time(meeting: ReviewMeeting, postmortem: Postmortem,
                                        alice: User) -> None:  # fmt: skip
    with pytest.raises(ValidationError, match="already has a review scheduled"):
        services.schedule(postmortem, plan([alice]), by=alice)


def test_the_database_keeps_one_scheduled_review(meeting: ReviewMeeting, alice: User) -> None:
    twin = ReviewMeeting(postmortem=meeting.postmortem, organizer=alice, starts_at=START,
                         time_zone="UTC")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    services.cancel(meeting)
    twin.save()  # once the first is cancelled, a new one may be scheduled


def test_people_who_cannot_read_a_restricted_postmortem_are_refused(
    restricted: Postmortem, alice: User, charlie: User, email: None
) -> None:
    with pytest.raises(ValidationError, match="Charlie Outsider"):
        services.schedule(restricted, plan([alice, charlie]), by=alice)
    assert not ReviewMeeting.objects.exists()


def test_decisions_go_into_the_postmortem_with_a_revision(
    meeting: ReviewMeeting, postmortem: Postmortem, alice: User
) -> None:
    before = postmortem.revisions.count()
    services.record_decision(meeting, "Pool sizes get a minimum of 10", by=alice)
    services.record_decision(meeting, "Alerts fire after 2 minutes", by=alice)
    postmortem.refresh_from_db()
    assert postmortem.decisions.splitlines() == [
        "- Pool sizes get a minimum of 10 (review of 12 Mar 2026)",
        "- Alerts fire after 2 minutes (review of 12 Mar 2026)",
    ]
    assert postmortem.revisions.count() == before + 2
    latest = postmortem.revisions.order_by("-number").first()
    assert latest is not None and latest.author == alice and "Decisions" in latest.summary
    with pytest.raises(ValidationError):
        services.record_decision(meeting, "   ", by=alice)


def test_held_records_attendance_and_attendees_of(
    meeting: ReviewMeeting, postmortem: Postmortem, alice: User, bob: User
) -> None:
    assert services.attendees_of(postmortem) == []
    services.mark_held(meeting, [bob], held_at=START)
    assert services.attendees_of(postmortem) == [bob]
    # A later held review wins.
    second = services.schedule(
        postmortem, plan([alice, bob], starts_at=START + timedelta(days=7)), by=alice
    )
    services.mark_held(second, [alice, bob], held_at=START + timedelta(days=7))
    assert services.attendees_of(postmortem) == [alice, bob]


def test_audit_log_records_each_step(meeting: ReviewMeeting, alice: User, bob: User) -> None:
    services.reschedule(meeting, plan([alice, bob], starts_at=START + timedelta(hours=1)))
    services.mark_held(meeting, [alice])
    events = AuditEvent.objects.filter(object_type="reviews.reviewmeeting").order_by("id")
    assert [e.after["event"] for e in events] == ["scheduled", "rescheduled", "held"]
    assert events[2].after["attended"] == ["alice"]
    assert events[1].before["starts_at"] == START.isoformat()


def test_clock_follows_the_severity_policy(
    postmortem: Postmortem, alice: User, email: None
) -> None:
    # SEV2 resolved Thursday 5 March 2026: five business days -> Thursday 12 March.
    clock = checks.clock(postmortem, today=datetime(2026, 3, 9).date())
    assert clock is not None and clock.due == datetime(2026, 3, 12).date()
    assert clock.state == "due"
    assert checks.clock(postmortem, today=datetime(2026, 3, 16).date()).state == "overdue"  # type: ignore[union-attr]
    meeting = services.schedule(postmortem, plan([alice]), by=alice)
    services.mark_held(meeting, [alice], held_at=START)
    assert checks.clock(postmortem, today=datetime(2026, 4, 1).date()).state == "met"  # type: ignore[union-attr]


def test_policy_rows_override_the_default(postmortem: Postmortem) -> None:
    from secondstory.incidents.models import Severity
    from secondstory.reviews.models import ReviewPolicy

    ReviewPolicy.objects.create(severity=Severity.objects.get(code="SEV2"), business_days=1)
    clock = checks.clock(postmortem, today=datetime(2026, 3, 5).date())
    assert clock is not None and clock.due == datetime(2026, 3, 6).date()


def test_warnings_facilitator_responder_and_pre_read(
    postmortem: Postmortem, alice: User, bob: User, email: None
) -> None:
    # Alice paged herself on the timeline ("Alice Owner"); the draft was never shared.
    meeting = services.schedule(postmortem, plan([bob], facilitator=alice), by=alice)
    assert {w.code for w in checks.warnings(meeting)} == {"facilitator_responder", "pre_read"}
    PostmortemTransition.objects.create(
        postmortem=postmortem, from_status="draft", to_status="in_review", by=alice,
        at=START - timedelta(hours=30),
    )  # fmt: skip
    services.reschedule(meeting, plan([bob], facilitator=bob))
    meeting.refresh_from_db()
    assert checks.warnings(meeting) == []
    services.reschedule(
        meeting, plan([bob], facilitator=bob, starts_at=START - timedelta(hours=10))
    )
    meeting.refresh_from_db()
    assert [w.code for w in checks.warnings(meeting)] == ["pre_read"]


def test_agenda_from_the_fixture_postmortem(postmortem: Postmortem, bob: User) -> None:
    postmortem.open_questions = "- Why did the alert wait 10 minutes?\n- Who owns pool sizes?"
    postmortem.surprises = "Retries made the pool exhaustion worse."
    postmortem.save()
    item = postmortem.action_items.get()
    item.owner.is_active = False
    item.owner.save()
    agenda = checks.agenda(postmortem)
    assert agenda.open_questions == ["Why did the alert wait 10 minutes?", "Who owns pool sizes?"]
    assert agenda.surprises == ["Retries made the pool exhaustion worse."]
    assert [f.key for f in agenda.factors_without_evidence] == ["F2"]  # F1 has an event
    assert [i.key for i in agenda.items_without_owner] == ["A1"]


def test_a_held_review_opens_its_learning_check_for_the_attendees(
    meeting: ReviewMeeting, postmortem: Postmortem, alice: User, bob: User
) -> None:
    from secondstory.learningcheck import services as learning

    named = learning.respondents(postmortem)
    assert alice.pk in named  # before a meeting is held: the people named on it
    assert learning.survey_of(postmortem) is None
    services.mark_held(meeting, [bob], held_at=START)
    survey = learning.survey_of(postmortem)
    assert survey is not None and survey.opened_at == START
    assert learning.respondents(postmortem) == {bob.pk}
