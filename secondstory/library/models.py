"""Models of the library app: the search document and the word counts kept for every
postmortem."""

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
    keys = models.TextField(
        blank=True, help_text="Filter and visibility tokens (see secondstory/core/search/keys.py)."
    )
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["postmortem_id"]

    def __str__(self) -> str:
        return f"search document of postmortem {self.postmortem_id}"


class SearchKeys(models.Model):
    """The facet keys of one document (service, team, severity, factor, year, status, exercise).

    Counting facets reads these for every match: a narrow table of short strings
    rather than the wide document rows, which SQLite would read past all their text.
    """

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="key_row"
    )
    facets = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"facet keys of document {self.document_id}"


class SearchVector(models.Model):
    """PostgreSQL's tsvectors of one document, in a narrow table of their own.

    Only the key is declared here: the ``vector``, ``keys_vector``, ``pairs``, ``head``
    and ``facets`` columns are written by a database trigger (see migrations 0004 to
    0007) and read in raw SQL. On SQLite the table stays empty.
    """

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="vector_row"
    )

    def __str__(self) -> str:
        return f"vectors of document {self.document_id}"


class SimilarTerms(models.Model):
    """The word counts of one postmortem that similar-incidents ranking compares.

    Written with the search document (see ``secondstory/library/similar_terms.py``): each
    part is a JSON object of word counts in the order the words first appear; ``people``
    holds the words of the timeline events' actors, space-separated.
    """

    postmortem = models.OneToOneField(
        "postmortems.Postmortem",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="similar_terms",
    )
    text = models.TextField(default="{}", help_text="Title (counted twice) and summary.")
    factors = models.TextField(default="{}", help_text="Contributing factors' descriptions.")
    timeline = models.TextField(default="{}", help_text="The first timeline events' text.")
    people = models.TextField(blank=True, help_text="Words of those events' actors.")

    def __str__(self) -> str:
        return f"similar-incident word counts of postmortem {self.postmortem_id}"


class WordScore(models.Model):
    """The kept score of one word in one search document (docs/search.md, "Ranking").

    Written by database triggers in the same statement as the document (migration
    ``0010_word_scores``): on SQLite from FTS5's own tokens of the text, on PostgreSQL from
    the document's weighted ``tsvector``, so that the words are exactly those each engine
    matches. Read in raw SQL by ``secondstory.library.ranking``; an index on
    ``(word, score DESC, document_id DESC)`` lets the first page of a common word stop early.
    """

    pk = models.CompositePrimaryKey("document_id", "word")
    document = models.ForeignKey(
        SearchDocument, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    word = models.TextField()
    score = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.word} in document {self.document_id}: {self.score}"
