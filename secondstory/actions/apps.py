from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def seed_priority_policy(apps: Any) -> None:
    """Install the default priority policy (P0 15 days, P1 30 days) on an empty table.

    Runs after every ``migrate`` (and ``flush``); once any row exists, the policy
    belongs to the admins and is never changed here.
    """
    from secondstory.core.followup import DEFAULT_PRIORITY_SLO_DAYS

    try:
        PriorityPolicy = apps.get_model("actions", "PriorityPolicy")
    except LookupError:  # migrated to a state before the policy existed
        return
    if PriorityPolicy.objects.exists():
        return
    for priority, days in DEFAULT_PRIORITY_SLO_DAYS.items():
        PriorityPolicy.objects.get_or_create(priority=priority, defaults={"slo_days": days})


def _seed(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    # `migrate` passes the migration state's apps; `flush` passes none.
    from django.apps import apps as global_apps

    seed_priority_policy(apps or global_apps)


class ActionsConfig(AppConfig):
    name = "secondstory.actions"
    label = "actions"
    verbose_name = "Action items"

    def ready(self) -> None:
        post_migrate.connect(_seed, sender=self, dispatch_uid="secondstory.actions.seed")
        from secondstory.lib.kept import watch

        connection_created.connect(watch, dispatch_uid="secondstory.lib.kept")
