"""Forms of the reviewing workspace: factors, action items, the lifecycle and comments."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.item_review import live_review_attrs
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.services import timeline_events
from secondstory.postmortems.templatetags.secondstory import display_zone

_TEXTAREA = {"rows": 4, "cols": 60}


class EventChoiceField(forms.ModelMultipleChoiceField):
    """Timeline events as checkboxes labelled with their time (display zone) and text."""

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, TimelineEvent)
        at = obj.at.astimezone(display_zone())
        text = obj.text if len(obj.text) <= 100 else obj.text[:99] + "…"
        return f"{at:%d %b %H:%M} · {obj.get_kind_display()} · {text}"


class FactorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, ContributingFactor)
        text = obj.description if len(obj.description) <= 80 else obj.description[:79] + "…"
        return f"{obj.key} · {text}"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.name} ({obj.username})" if obj.name != obj.username else obj.username


class FactorForm(forms.Form):
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    category = forms.ModelChoiceField(
        queryset=FactorCategory.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose the category of this condition."},
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="A condition of the system, process or organisation — never a person.",
        error_messages={"required": "Describe the condition that contributed."},
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs=_TEXTAREA),
        required=False,
        help_text="Markdown: what shows this condition was there (logs, graphs, links).",
    )
    events = EventChoiceField(
        queryset=TimelineEvent.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Timeline events",
        help_text="The moments of the timeline where this condition shows.",
    )
    event_q = forms.CharField(
        required=False,
        max_length=200,
        label="Find events",
        help_text="Words of the event's text or who it was; the starred events are suggested.",
    )

    def __init__(self, *args: Any, postmortem: Postmortem, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "factor-%s")  # ids unique on the postmortem's page
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs.update(live_review_attrs(postmortem, "factor"))
        events = self.fields["events"]
        events.queryset = timeline_events(postmortem)  # type: ignore[attr-defined]
        # Any event of the timeline is accepted; the form lists the linked ones and what a
        # search found (the starred ones before any search), never the whole timeline.
        linked = self._linked()
        query = self.event_query()
        linked_events = picked_events(postmortem, linked)
        self.events_found = found_events(postmortem, query, exclude=linked)
        events.widget.choices = [
            (ModelChoiceIteratorValue(e.pk, e), events.label_from_instance(e))  # type: ignore[attr-defined]
            for e in [*linked_events, *self.events_found]
        ]
        self.events_searched = query
        self.events_more = len(self.events_found) == FOUND_EVENTS  # maybe more than listed
        self.events_total = events.queryset.count()  # type: ignore[attr-defined]

    def event_query(self) -> str:
        """What was typed in "Find events" (in the submitted form)."""
        if not self.is_bound:
            return ""
        return str(self.data.get(self.add_prefix("event_q")) or "").strip()[:200]

    def _linked(self) -> list[int]:
        """The events ticked in the submitted form, or linked in the initial values."""
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("events"))  # type: ignore[attr-defined]
        else:
            values = self.initial.get("events") or []
        linked = []
        for value in values[:OFFERED_EVENTS]:
            pk = getattr(value, "pk", value)
            if str(pk).isdigit():
                linked.append(int(pk))
        return linked


#: At most how many events a factor's form keeps linked from one submission (docs/timeline.md).
OFFERED_EVENTS = 200
#: How many events one search of the event picker lists (docs/timeline.md).
FOUND_EVENTS = 20


def picked_events(postmortem: Postmortem, linked: list[int]) -> list[TimelineEvent]:
    """The events of the postmortem's timeline among ``linked``, in time order."""
    everything = timeline_events(postmortem).defer("raw")
    return list(everything.filter(pk__in=linked).order_by("at", "source", "source_ref", "pk"))


def found_events(postmortem: Postmortem, query: str, *, exclude: list[int]) -> list[TimelineEvent]:
    """Up to ``FOUND_EVENTS`` events whose text or actor holds ``query`` (every word of it),
    or the starred ones when nothing is asked, in time order."""
    events = timeline_events(postmortem).defer("raw").exclude(pk__in=exclude)
    words = query.split()
    if not words:
        events = events.filter(starred=True)
    for word in words[:8]:
        events = events.filter(Q(text__icontains=word) | Q(actor__icontains=word))
    return list(events.order_by("at", "source", "source_ref", "pk")[:FOUND_EVENTS])


class ActionItemForm(forms.Form):
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        max_length=taxonomy.MAX_TITLE,
        help_text="Verb first: what will change (“Validate pool sizes in the config tool”).",
        error_messages={"required": "Say what will change, verb first."},
    )
    type = forms.ChoiceField(choices=ActionItem.TYPE_CHOICES)
    priority = forms.ChoiceField(choices=ActionItem.PRIORITY_CHOICES, initial="P2")
    owner = OwnerChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        empty_label="— choose one owner —",
        help_text="Exactly one person answers for it.",
        error_messages={"required": "An action item needs exactly one owner: choose one."},
    )
    due = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Due date",
        error_messages={
            "required": "An action item needs a due date.",
            "invalid": "Enter the due date as YYYY-MM-DD.",
        },
    )
    done_criterion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        required=False,
        label="Done when",
        help_text="How anyone can tell it is done.",
    )
    tracker_url = forms.URLField(
        max_length=taxonomy.MAX_URL,
        required=False,
        assume_scheme="https",
        label="Tracker link",
        error_messages={"invalid": "Enter a web address (https://…)."},
    )
    factors = FactorChoiceField(
        queryset=ContributingFactor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Factors addressed",
    )
    past_due = forms.BooleanField(
        required=False, label="Yes, the due date is in the past on purpose"
    )

    def __init__(
        self,
        *args: Any,
        postmortem: Postmortem,
        new: bool = False,
        current_due: date | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "action-%s")  # ids unique on the postmortem's page
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update(live_review_attrs(postmortem, "action-title"))
        done = self.fields["done_criterion"].widget
        done.attrs.update(live_review_attrs(postmortem, "action-done"))
        self.fields["factors"].queryset = postmortem.factors.all()  # type: ignore[attr-defined]
        if new:
            # Left empty, the due date follows the severity's SLO and the priority.
            self.fields["due"].required = False
        self.current_due = current_due
        self.asks_past_due = False

    def clean(self) -> dict[str, Any]:
        """A new due date in the past is kept only once confirmed: it is overdue at once."""
        data = super().clean() or {}
        due = data.get("due")
        if (
            isinstance(due, date)
            and due < timezone.localdate()
            and due != self.current_due
            and not data.get("past_due")
        ):
            self.asks_past_due = True
            self.add_error(
                "due",
                f"{due:%-d %b %Y} is in the past, so the item would be overdue as soon as it "
                "is saved. Tick the box below to keep it, or choose a later date.",
            )
        return data


class ActionStatusForm(forms.Form):
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(choices=ActionItem.STATUS_CHOICES)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        required=False,
        label="Reason for not doing",
        help_text="Required when the status is “Not doing”.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == "not_doing" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why this action item is not being done.")
        return data


class ReviewForm(forms.Form):
    DECISIONS = [("approve", "Approve"), ("request_changes", "Request changes")]

    decision = forms.ChoiceField(choices=DECISIONS)
    comment = forms.CharField(
        widget=forms.Textarea(attrs=_TEXTAREA),
        required=False,
        help_text="Required when you request changes: say what needs to change.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "request_changes" and not data.get("comment", "").strip():
            self.add_error("comment", "Say what needs to change before it can be approved.")
        return data


class NotRequiredForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why this incident needs no postmortem (a duplicate, no impact, …).",
        error_messages={"required": "Say why this postmortem is not required."},
    )


class CommentForm(forms.Form):
    section = forms.ChoiceField(
        choices=[("", "The whole postmortem"), *taxonomy.SECTIONS],
        required=False,
        label="About",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs=_TEXTAREA),
        label="Comment",
        help_text="Markdown.",
        required=False,
    )
    requests_change = forms.BooleanField(
        required=False,
        label="Please change",
        help_text="For reviewers: approving and publishing wait until this comment is resolved.",
    )
    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Passage",
        help_text="The words of the section you comment on (select them on the page, or paste).",
    )
    prefix = forms.CharField(widget=forms.HiddenInput, required=False)
    suffix = forms.CharField(widget=forms.HiddenInput, required=False)
    suggestion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Suggested wording",
        help_text="Optional: the words you propose instead of the passage; editors can accept.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment-%s")  # ids unique on the postmortem's page
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        suggestion = str(data.get("suggestion", "")).strip()
        if not str(data.get("body", "")).strip() and not suggestion:
            self.add_error("body", "Write the comment before sending it.")
        if suggestion and not str(data.get("quote", "")).strip():
            self.add_error("quote", "A suggested wording replaces a passage: give the passage.")
        return data
