"""Models of the library app: the search document kept for every postmortem."""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    """The searchable text of one postmortem, one column per weight.

    The full-text index is kept by the database from these rows: on SQLite an
    FTS5 table fed by triggers, on PostgreSQL a generated, weighted ``tsvector``
    column with a GIN index (see the migrations).
    """

    postmortem = models.OneToOneField(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="search_document"
    )
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    factors = models.TextField(blank=True, help_text="Factor categories and descriptions.")
    actions = models.TextField(blank=True, help_text="Action item titles.")
    labels = models.TextField(blank=True, help_text="Services, teams and tags.")
    narrative = models.TextField(blank=True, help_text="Every other section.")
    timeline = models.TextField(blank=True, help_text="Timeline event text.")
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["postmortem_id"]

    def __str__(self) -> str:
        return f"search document of postmortem {self.postmortem_id}"
