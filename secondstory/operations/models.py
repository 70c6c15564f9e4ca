"""The log of backups taken, so that ``secondstory check`` can tell how old the newest is."""

from __future__ import annotations

from django.db import models


class BackupRecord(models.Model):
    """One finished backup. Written after the backup, so a backup never holds its own row."""

    created_at = models.DateTimeField()
    path = models.TextField(help_text="Where the backup was written (on the machine that took it).")
    engine = models.CharField(max_length=20)
    size = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=80)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"backup {self.created_at:%Y-%m-%d %H:%M} at {self.path}"
