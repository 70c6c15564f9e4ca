"""Review in context: comments on a passage, suggested rewordings, and what changed since a
person's last visit.

The anchoring itself (finding a passage again after edits) is in ``secondstory.core.anchors``;
this module stores anchors with comments, accepts suggestions through the normal section save
(revision, review cache, search, conflict check) and remembers the revision each person saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core import anchors, taxonomy
from secondstory.lib.concurrency import EditConflict, fingerprint
from secondstory.postmortems.models import Comment, Postmortem, PostmortemVisit, Revision
from secondstory.postmortems.services import add_comment, resolve_comment
from secondstory.postmortems.writing_services import save_section

HEADINGS = dict(taxonomy.SECTIONS)


def add_anchored_comment(
    postmortem: Postmortem,
    *,
    author: User,
    body: str,
    section: str,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    suggestion: str = "",
    requests_change: bool = False,
) -> Comment:
    """A comment on a passage of ``section``; ``suggestion`` proposes new words for it.

    The passage must be in the section as it is now; its prefix and suffix are taken from the
    section's text (what the browser sent only helps to pick among repeated passages).
    """
    quote = quote.strip()
    if not quote:
        return add_comment(postmortem, author=author, body=body or suggestion, section=section,
                           requests_change=requests_change)  # fmt: skip
    if section not in HEADINGS:
        raise ValidationError({"section": "choose the section the passage is in"})
    if len(quote) > anchors.MAX_QUOTE:
        raise ValidationError(
            {"quote": f"a passage is at most {anchors.MAX_QUOTE:,} characters; select less"}
        )
    text = getattr(postmortem, section)
    span = anchors.locate(text, quote, prefix, suffix)
    if span is None:
        raise ValidationError(
            {"quote": f"these words are not in the {HEADINGS[section]} section as it is now"}
        )
    if not body.strip() and not suggestion.strip():
        raise ValidationError({"body": "write a comment or suggest other words"})
    exact, before, after = anchors.context(text, span)
    return add_comment(
        postmortem,
        author=author,
        body=body.strip() or "Suggested wording.",
        section=section,
        requests_change=requests_change,
        quote=exact,
        quote_prefix=before,
        quote_suffix=after,
        suggestion=suggestion.strip(),
    )


def anchor_of(comment: Comment, postmortem: Postmortem) -> anchors.Span | None:
    """Where the comment's passage is now, or None when it was changed (outdated)."""
    if not comment.quote or comment.section not in HEADINGS:
        return None
    text = getattr(postmortem, comment.section)
    return anchors.locate(text, comment.quote, comment.quote_prefix, comment.quote_suffix)


@transaction.atomic
def accept_suggestion(comment: Comment, *, by: User) -> Postmortem:
    """Put the suggested words in place of the passage, saved like any edit of the section,
    and resolve the comment. EditConflict when the passage is no longer there."""
    if not comment.suggestion or comment.suggestion_accepted_at is not None:
        raise ValidationError({"suggestion": "there is no open suggestion on this comment"})
    postmortem = Postmortem.objects.select_for_update().get(pk=comment.postmortem_id)
    text = getattr(postmortem, comment.section)
    span = anchor_of(comment, postmortem)
    if span is None:
        raise EditConflict(
            what=f"the passage in the {HEADINGS[comment.section]} section",
            current=text,
            yours=comment.suggestion,
            base=fingerprint(text),
        )
    saved = save_section(
        postmortem,
        comment.section,
        anchors.replace(text, span, comment.suggestion),
        base=fingerprint(text),
        author=by,
    )
    comment.suggestion_accepted_at = timezone.now()
    comment.save(update_fields=["suggestion_accepted_at"])
    resolve_comment(comment, by=by)
    return saved


# --- what changed since the last visit -----------------------------------------------------


@dataclass(frozen=True)
class SinceLastVisit:
    seen_number: int
    newest_number: int
    seen_at: datetime
    authors: list[str]
    changed_sections: list[str]  # fields of the sections whose text changed

    @property
    def revisions(self) -> int:
        return self.newest_number - self.seen_number


def newest_revision() -> Subquery:
    """The number of a postmortem's newest revision, to annotate a postmortem query with."""
    newest = Revision.objects.filter(postmortem=OuterRef("pk")).order_by("-number")
    return Subquery(newest.values("number")[:1])


def seen_revision(user: User) -> Subquery:
    """The revision ``user`` saw last (None before a first visit), to annotate a query with."""
    seen = PostmortemVisit.objects.filter(user_id=user.pk, postmortem=OuterRef("pk"))
    return Subquery(seen.values("revision_number")[:1])


def visit(
    user: User, postmortem: Postmortem, *, newest: int | None, seen: int | None
) -> SinceLastVisit | None:
    """Record that ``user`` sees the newest revision now and say what changed since their
    last visit (None on a first visit or when nothing changed).

    ``newest`` and ``seen`` come annotated with the page's own query (:func:`newest_revision`,
    :func:`seen_revision`): an unchanged postmortem costs no query at all, a first visit one
    insert, a changed one an update and the two reads that describe the change.
    """
    if not user.is_authenticated:
        return None
    newest = newest or 0  # no revision yet: everything after counts as a change
    now = timezone.now()
    if seen is None:
        PostmortemVisit.objects.bulk_create(
            [
                PostmortemVisit(
                    user=user, postmortem=postmortem, revision_number=newest, seen_at=now
                )
            ],
            ignore_conflicts=True,
        )
        return None
    if seen >= newest:
        return None
    last = PostmortemVisit.objects.filter(user=user, postmortem=postmortem)
    seen_at = last.values_list("seen_at", flat=True).first() or now
    last.update(revision_number=newest, seen_at=now)
    return _since(postmortem, seen, newest, seen_at)


def _since(postmortem: Postmortem, seen: int, newest: int, seen_at: datetime) -> SinceLastVisit:
    from secondstory.core.exchange import parse_postmortem

    rows = Revision.objects.filter(postmortem=postmortem, number__in=(seen, newest))
    snapshots = {number: text for number, text in rows.values_list("number", "snapshot")}
    changed: list[str] = []
    if seen in snapshots and newest in snapshots:
        old = parse_postmortem(snapshots[seen], source=f"revision {seen}").sections
        new = parse_postmortem(snapshots[newest], source=f"revision {newest}").sections
        changed = [f for f in HEADINGS if old.get(f, "") != new.get(f, "")]
    names = (
        Revision.objects.filter(postmortem=postmortem, number__gt=seen, number__lte=newest)
        .exclude(author=None)
        .values_list("author__display_name", "author__username")
        .distinct()
    )
    authors = sorted({display or username for display, username in names})
    return SinceLastVisit(seen, newest, seen_at, authors, changed)
