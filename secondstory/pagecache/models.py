"""Change tokens of what a postmortem's page shows, written by database triggers only.

Every write to a table the page reads adds a random step to a token: the postmortem's own
(``PostmortemChange``), its incidents' (``IncidentChange``, so an event of an incident shared
by two postmortems changes both pages) or the shared one (``SharedChange``: names of people,
milestone kinds and other lists every page shows). A kept fragment is keyed by the tokens it
was rendered at (``versions.page_version``). On SQLite a postmortem or incident has one row
whose token moves on (one writer at a time); on PostgreSQL each writing statement adds a row,
so concurrent writers never wait for each other, and a reader folds them now and then.

The ids are plain integers, not foreign keys: the rows are written by triggers on other
apps' tables and must not tie their migrations to this app.
"""

from django.db import models


class PostmortemChange(models.Model):
    postmortem_id = models.BigIntegerField(db_index=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"postmortem {self.postmortem_id}: {self.token}"


class TimelineChange(models.Model):
    """The postmortem's timeline token: what its timeline window reads besides its incidents
    (a section save leaves it, so the kept window stays)."""

    postmortem_id = models.BigIntegerField(db_index=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"timeline of postmortem {self.postmortem_id}: {self.token}"


class IncidentChange(models.Model):
    incident_id = models.BigIntegerField(db_index=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"incident {self.incident_id}: {self.token}"


class SharedChange(models.Model):
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"shared: {self.token}"
