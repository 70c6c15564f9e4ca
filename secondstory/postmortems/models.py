"""The postmortem, its contributing factors and its lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from secondstory.core import taxonomy


class FactorCategory(models.Model):
    """One entry of the configurable contributing-factor taxonomy."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "factor categories"

    def __str__(self) -> str:
        return self.name


class PostmortemTemplate(models.Model):
    """Which sections a postmortem shows, in what order, with a guiding question under each.

    ``sections`` is a list of ``{"field": <section field>, "question": <text>}``.
    """

    slug = models.SlugField(max_length=taxonomy.MAX_SLUG, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    sections = models.JSONField(default=list)
    built_in = models.BooleanField(default=False, editable=False)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.sections, list) or not self.sections:
            raise ValidationError({"sections": "a template shows at least one section"})
        seen = set()
        for entry in self.sections:
            field = entry.get("field") if isinstance(entry, dict) else None
            if field not in taxonomy.SECTION_FIELDS:
                raise ValidationError({"sections": f"unknown section {field!r}"})
            if field in seen:
                raise ValidationError({"sections": f"section {field!r} appears twice"})
            seen.add(field)


# The long text of a postmortem: lists and tables show keys, titles and dates, never these,
# so they leave them in the database (``QuerySet.defer(*LONG_TEXT)``).
LONG_TEXT = (*taxonomy.SECTION_FIELDS, "not_required_reason")


class Postmortem(models.Model):
    STATUS_CHOICES = [
        ("draft", "Draft"),
        ("in_review", "In review"),
        ("approved", "Approved"),
        ("published", "Published"),
        ("not_required", "Not required"),
    ]

    key = models.CharField(max_length=taxonomy.MAX_KEY, unique=True)
    title = models.CharField(max_length=taxonomy.MAX_TITLE)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default="draft")
    incidents = models.ManyToManyField("incidents.Incident", related_name="postmortems")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_postmortems"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_postmortems",
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="collaborating_postmortems", blank=True
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="reviewing_postmortems", blank=True
    )
    not_required_reason = models.TextField(blank=True)
    template = models.ForeignKey(
        PostmortemTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="postmortems",
        help_text="Decides which sections the editor shows and the question under each.",
    )

    summary = models.TextField(blank=True)
    background = models.TextField(blank=True)
    impact = models.TextField(blank=True)
    detection = models.TextField(blank=True)
    response = models.TextField(blank=True)
    trigger = models.TextField(blank=True)
    went_well = models.TextField(blank=True)
    went_poorly = models.TextField(blank=True)
    got_lucky = models.TextField(blank=True)
    surprises = models.TextField(blank=True)
    open_questions = models.TextField(blank=True)
    decisions = models.TextField(
        blank=True, help_text="What the review meeting decided, one line per decision."
    )
    messaging = models.TextField(blank=True)
    supporting_links = models.TextField(blank=True)

    is_exercise = models.BooleanField(
        default=False,
        editable=False,
        help_text="A game day's review: left out of postmortem lists and statistics.",
    )

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    not_required_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "key"]
        indexes = [models.Index(fields=["status", "created_at"], name="postmortem_status_created")]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"

    def sections(self) -> list[tuple[str, str, str]]:
        """(field, heading, Markdown) for every section, in document order."""
        return [(field, heading, getattr(self, field)) for field, heading in taxonomy.SECTIONS]

    def clean(self) -> None:
        if self.status == "not_required" and not self.not_required_reason.strip():
            raise ValidationError(
                {"not_required_reason": "a postmortem marked not required needs a reason"}
            )


class PostmortemTransition(models.Model):
    """One recorded step of the lifecycle: who moved it where, and when."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class ContributingFactor(models.Model):
    """One of several conditions that made the incident possible or worse. Never a person."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="factors")
    key = models.CharField(max_length=taxonomy.MAX_KEY)
    position = models.PositiveIntegerField(default=0)
    category = models.ForeignKey(FactorCategory, on_delete=models.PROTECT, related_name="factors")
    description = models.TextField()
    evidence = models.TextField(blank=True)
    events = models.ManyToManyField("incidents.TimelineEvent", related_name="factors", blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "key"], name="unique_factor_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.category}): {self.description[:60]}"


class Comment(models.Model):
    """A remark by a reviewer or collaborator, optionally anchored to one section."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(
        max_length=30, blank=True, choices=[(f, h) for f, h in taxonomy.SECTIONS]
    )
    body = models.TextField()
    # A reviewer's "please change": approval and publication wait until it is resolved.
    requests_change = models.BooleanField(default=False)
    # The passage commented on (secondstory.core.anchors): the words, with a little context.
    quote = models.TextField(blank=True)
    quote_prefix = models.CharField(max_length=64, blank=True)
    quote_suffix = models.CharField(max_length=64, blank=True)
    # A proposed rewording of the quote; accepted, it replaced the quote in the section.
    suggestion = models.TextField(blank=True)
    suggestion_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:60]}"


class PostmortemVisit(models.Model):
    """The newest revision a person had seen when they last opened a postmortem."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="+")
    revision_number = models.PositiveIntegerField()
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "postmortem"], name="one_visit_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw revision {self.revision_number} of {self.postmortem_id}"


class Revision(models.Model):
    """One saved change: who, when, what, and the postmortem as it was after it.

    The snapshot is the postmortem in the Markdown exchange format without the timeline
    events no factor names, so any two revisions can be compared section by section and
    any revision restored by loading it back. What happened to the timeline is kept as
    compact entries (see ``postmortems.revisions``): a revision is the size of what
    changed, never of a 200,000-event timeline.
    """

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    snapshot = models.TextField()
    timeline_state = models.JSONField(
        default=dict, blank=True, help_text="{incident key: [event count, highest event id]}"
    )
    timeline_changes = models.JSONField(
        default=list,
        blank=True,
        help_text="Events added, edited or removed since the revision before, per incident.",
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.postmortem.key} r{self.number}: {self.summary}"


class ReviewDismissal(models.Model):
    """A blameless-review finding an author dismissed, with the reason (a false-positive signal).

    A finding is dismissed for one postmortem, one section, one rule and one flagged text:
    the same words flagged again by the same rule in that section stay dismissed.
    """

    postmortem = models.ForeignKey(
        Postmortem, on_delete=models.CASCADE, related_name="review_dismissals"
    )
    section = models.CharField(max_length=40)
    rule = models.CharField(max_length=80)
    text = models.CharField(max_length=500)
    sentence = models.TextField(blank=True)
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.postmortem.key} {self.section} {self.rule}: {self.text[:60]}"


class ReviewCache(models.Model):
    """The engine's findings for the saved text of one section, so that the text is reviewed
    once per saved version, whichever app server shows it.

    ``fingerprint`` hashes the text with everything else the findings depend on (the people's
    names, the review settings, the engine version and its rules); an entry whose fingerprint
    no longer matches is done again and replaced, so there is at most one entry per section.
    Dismissals are applied when the findings are shown, not stored here.
    """

    postmortem = models.ForeignKey(
        Postmortem, on_delete=models.CASCADE, related_name="review_cache"
    )
    section = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    findings = models.JSONField(default=list)
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "section"], name="one_review_cache_entry_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.postmortem.key} {self.section}: {len(self.findings)} findings"
