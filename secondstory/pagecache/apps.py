from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class PageCacheConfig(AppConfig):
    name = "secondstory.pagecache"
    label = "pagecache"
    verbose_name = "Kept page fragments"

    def ready(self) -> None:
        post_migrate.connect(_put_back_triggers, sender=self)


def _put_back_triggers(using: str = "default", **kwargs: Any) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: re-create them."""
    from secondstory.pagecache import triggers

    triggers.ensure(connections[using])
