from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    # `migrate` passes the migration state's apps; `flush` passes none.
    from django.apps import apps as global_apps

    from secondstory.postmortems.defaults import seed_factor_categories, seed_writing_templates

    seed_factor_categories(apps or global_apps)
    seed_writing_templates(apps or global_apps)


class PostmortemsConfig(AppConfig):
    name = "secondstory.postmortems"
    label = "postmortems"

    def ready(self) -> None:
        post_migrate.connect(_seed, sender=self, dispatch_uid="secondstory.postmortems.seed")
