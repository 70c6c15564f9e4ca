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
        from django.core.signals import request_started
        from django.db.models.signals import post_save

        from secondstory.incidents.models import TimelineEvent
        from secondstory.postmortems.revisions import forget_edits, note_event_saved

        post_save.connect(
            note_event_saved, sender=TimelineEvent, dispatch_uid="secondstory.revisions.edits"
        )
        request_started.connect(forget_edits, dispatch_uid="secondstory.revisions.forget")
