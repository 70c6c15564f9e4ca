"""Whether the blameless review lets a postmortem be approved or published.

Who may approve or publish is decided elsewhere (the lifecycle views and the permissions);
this module decides whether *the review* allows it. Two things hold a postmortem back:

- blame findings of the blameless review (in its sections, contributing factors, action items,
  hand-written timeline events and customer summary) that are neither reworded nor dismissed
  with a reason;
- a reviewer's open "please change" comments (the "request changes" decision of a review, or a
  comment marked so), until someone resolves them.

``SECONDSTORY_REVIEW_GATE`` says what they do: ``block`` (the default) refuses approving and
publishing, ``warn`` shows them and lets the step go ahead, ``off`` leaves the review out of
the lifecycle. The web views, the API and ``secondstory publish`` all go through
:func:`review_gate` (``services.transition`` enforces it), so none of them can differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from secondstory.accounts.models import User
from secondstory.postmortems.blameless import SectionFinding, postmortem_findings
from secondstory.postmortems.item_review import postmortem_item_findings
from secondstory.postmortems.models import Comment, Postmortem

LEVELS = ("off", "warn", "block")
#: The lifecycle steps the gate holds back.
GATED_STEPS = ("approved", "published")


def gate_level() -> str:
    """The organisation's setting: "off", "warn" or "block"."""
    level = str(getattr(settings, "SECONDSTORY_REVIEW_GATE", "block")).strip().lower()
    if level not in LEVELS:
        raise ImproperlyConfigured(
            f"SECONDSTORY_REVIEW_GATE: use one of {', '.join(LEVELS)} (got {level!r})"
        )
    return level


@dataclass(frozen=True, slots=True)
class GateReport:
    """What the review says about approving or publishing a postmortem now."""

    level: str
    blame: list[SectionFinding] = field(default_factory=list)
    change_requests: list[Comment] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """One sentence per thing still open, blocking or not."""
        out = []
        if self.blame:
            n = len(self.blame)
            where = ", ".join(dict.fromkeys(f.heading for f in self.blame))
            out.append(
                f"the blameless review still flags {n} blame finding{'s' if n != 1 else ''} "
                f"({where}); reword {'them' if n != 1 else 'it'} or dismiss "
                f"{'them' if n != 1 else 'it'} with a reason"
            )
        if self.change_requests:
            n = len(self.change_requests)
            who = ", ".join(dict.fromkeys(c.author.name for c in self.change_requests))
            out.append(
                f"{n} “please change” comment{'s' if n != 1 else ''} by {who} "
                f"{'are' if n != 1 else 'is'} still open; resolve {'them' if n != 1 else 'it'} "
                "once the change is made"
            )
        return out

    @property
    def blocks(self) -> bool:
        return self.level == "block" and bool(self.problems)

    @property
    def warns(self) -> bool:
        return self.level == "warn" and bool(self.problems)


def open_change_requests(postmortem: Postmortem) -> list[Comment]:
    """Reviewers' "please change" comments nobody has resolved yet, oldest first."""
    comments = postmortem.comments.filter(requests_change=True, resolved_at__isnull=True)
    return list(comments.select_related("author"))


def undismissed_blame(postmortem: Postmortem) -> list[SectionFinding]:
    """Blame findings in everything people wrote, neither reworded nor dismissed."""
    found = [*postmortem_findings(postmortem), *postmortem_item_findings(postmortem)]
    return [f for f in found if f.severity == "blame"]


def review_gate(postmortem: Postmortem) -> GateReport:
    """What the review says about approving or publishing ``postmortem`` now.

    With the gate off nothing is looked at (and nothing reported).
    """
    level = gate_level()
    if level == "off":
        return GateReport(level)
    return GateReport(level, undismissed_blame(postmortem), open_change_requests(postmortem))


def enforce(postmortem: Postmortem, target: str) -> None:
    """Refuse (ValidationError) moving to ``target`` while the gate blocks it."""
    if target not in GATED_STEPS:
        return
    report = review_gate(postmortem)
    if report.blocks:
        raise ValidationError({"status": report.problems})


def notified_on_publish(postmortem: Postmortem) -> list[User]:
    """The people whose publication digest will list the postmortem once it is published:
    those who follow everything or one of its teams, services or tags, and may read it."""
    from secondstory.sharing.services import followers_of  # sharing builds on postmortems

    return followers_of(postmortem)
