from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    # `migrate` passes the migration state's apps; `flush` passes none.
    from django.apps import apps as global_apps

    from secondstory.incidents.defaults import seed_vocabularies

    seed_vocabularies(apps or global_apps)


class IncidentsConfig(AppConfig):
    name = "secondstory.incidents"
    label = "incidents"

    def ready(self) -> None:
        post_migrate.connect(_seed, sender=self, dispatch_uid="secondstory.incidents.seed")
