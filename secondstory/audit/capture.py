"""Changes to the domain models, captured generically from Django's model signals.

Every save of a tracked model writes one event with the changed fields before and after
(one small query reads the stored values first, only the columns being saved); a create
writes the new values, a delete the last ones; a change of a many-to-many relation writes
the related objects before and after. Secrets (password hashes, token digests, encrypted
tracker tokens, webhook addresses) are never written: the event says only that they
changed. Changes to a person's role, staff or superuser rights, active state, groups or
permissions, and to a team's members or maintainers, are recorded as ``permission``.

A write made inside :func:`unrecorded` for one instance (an anonymous near-miss report)
writes no event at all, for the instance and its many-to-many links: an event would carry
the actor, the request and the exact time.

Rows deleted by a cascade are counted on the event of the deletion that caused them.
Inside :func:`secondstory.audit.bulk.bulk` rows are only counted (one event at the end).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from secondstory.audit.bulk import current_scope
from secondstory.audit.models import Action
from secondstory.audit.record import clip, record, type_of

HIDDEN = "(hidden)"
CHANGED = "(changed)"
_BEFORE = "_audit_before"
_UNRECORDED = "_audit_unrecorded"


@dataclass(frozen=True)
class Tracked:
    """How one model is audited."""

    label: str = ""  # attribute naming the object in the log (key, username...); default pk
    secret: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    permission: frozenset[str] = frozenset()  # fields whose change is a permission change
    permission_links: frozenset[str] = frozenset()  # many-to-many fields, likewise
    fields: tuple[models.Field[Any, Any], ...] = field(default=(), compare=False)


_PEOPLE_RIGHTS = frozenset({"role", "is_staff", "is_superuser", "is_active", "is_service_account"})
_TOKEN_SECRET, _TOKEN_IGNORE = frozenset({"token_hash"}), frozenset({"last_used_at"})

#: ``app_label.Model`` -> how it is audited. Other apps add theirs with :func:`track`.
TRACKED: dict[str, Tracked] = {
    "postmortems.Postmortem": Tracked("key"),
    "postmortems.ContributingFactor": Tracked("key"),
    "postmortems.Comment": Tracked(),
    "postmortems.PostmortemTemplate": Tracked("slug"),
    "postmortems.ReviewDismissal": Tracked(),
    "actions.ActionItem": Tracked("key"),
    "incidents.Incident": Tracked("key"),
    "incidents.Milestone": Tracked(),
    "incidents.TimelineEvent": Tracked(ignore=frozenset({"pending_import"})),
    "accounts.User": Tracked(
        "username",
        secret=frozenset({"password"}),
        ignore=frozenset({"last_login"}),
        permission=_PEOPLE_RIGHTS,
        permission_links=frozenset({"groups", "user_permissions"}),
    ),
    "accounts.Team": Tracked("slug", permission_links=frozenset({"members", "maintainers"})),
    "trackers.TrackerConnection": Tracked(
        "name", secret=frozenset({"token_encrypted", "webhook_secret_encrypted"})
    ),
    "notify.NotificationChannel": Tracked("name", secret=frozenset({"target"})),
    "feeds.CalendarToken": Tracked("hint", secret=_TOKEN_SECRET, ignore=_TOKEN_IGNORE),
    "accounts.ApiToken": Tracked("hint", secret=_TOKEN_SECRET, ignore=_TOKEN_IGNORE),
    "sharing.FeedToken": Tracked("hint", secret=_TOKEN_SECRET, ignore=_TOKEN_IGNORE),
    "sharing.CustomerSummary": Tracked(),
}

_models: dict[type[models.Model], Tracked] = {}
# Rows deleted by a cascade, counted until the deletion that caused them is recorded.
_cascades: dict[int, tuple[object, Counter[str]]] = {}


def track(model: type[models.Model], how: Tracked | None = None) -> None:
    """Audit ``model``'s changes (for apps that add models, e.g. API tokens)."""
    how = how or Tracked()
    fields = tuple(
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in how.ignore and not getattr(f, "auto_now", False)
    )
    _models[model] = Tracked(
        how.label, how.secret, how.ignore, how.permission, how.permission_links, fields
    )
    uid = f"audit-{type_of(model)}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"{uid}-{m2m.name}")


@contextmanager
def unrecorded(instance: models.Model) -> Iterator[None]:
    """Write no audit event for what happens to ``instance`` (its creation, its saves and
    its many-to-many links) inside the block; other objects are recorded as usual."""
    setattr(instance, _UNRECORDED, True)
    try:
        yield
    finally:
        instance.__dict__.pop(_UNRECORDED, None)


def _skipped(instance: models.Model) -> bool:
    return bool(instance.__dict__.get(_UNRECORDED))


def connect() -> None:
    for name, how in TRACKED.items():
        app_label, model_name = name.split(".")
        track(apps.get_model(app_label, model_name), how)


# ---- values -------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"({len(value)} bytes)"
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return clip(value)
    return clip(str(value))  # anything else (a duration, a range...) as its text


def _value(how: Tracked, f: models.Field[Any, Any], raw: Any) -> Any:
    if f.name in how.secret:
        return HIDDEN if raw else ""
    return _json(raw)


def label_of(instance: models.Model) -> str:
    how = _models.get(type(instance))
    if how is not None and how.label:
        return str(getattr(instance, how.label, "") or instance.pk)
    for name in ("key", "username", "slug", "name"):
        value = getattr(instance, name, None)
        if isinstance(value, str) and value:
            return value
    source, ref = getattr(instance, "source", None), getattr(instance, "source_ref", None)
    if source and ref:
        return f"{source}:{ref}"
    return str(instance.pk)


def _record_object(
    action: str, instance: models.Model, before: dict[str, Any], after: dict[str, Any]
) -> None:
    record(
        action,
        object_type=type_of(instance),
        object_id=instance.pk,
        object_label=label_of(instance),
        before=before,
        after=after,
    )


# ---- saves and deletes --------------------------------------------------------------------


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or current_scope() is not None or _skipped(instance):
        return
    if instance.pk is None or instance._state.adding:
        setattr(instance, _BEFORE, None)
        return
    how = _models[sender]
    wanted = kwargs.get("update_fields")
    columns = [f.attname for f in how.fields if wanted is None or f.name in wanted]
    if not columns:  # only untracked fields are saved (a sign-in's last_login)
        setattr(instance, _BEFORE, {})
        return
    stored = sender._base_manager.filter(pk=instance.pk).values(*columns).first()
    setattr(instance, _BEFORE, stored)


def _after_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw") or _skipped(instance):
        return
    scope = current_scope()
    if scope is not None:
        scope.count(type_of(sender), Action.CREATE if created else Action.UPDATE)
        return
    how = _models[sender]
    stored = instance.__dict__.pop(_BEFORE, None)
    if created or stored is None:
        after = {f.name: _value(how, f, getattr(instance, f.attname)) for f in how.fields}
        _record_object(Action.CREATE, instance, {}, after)
        return
    before, after = {}, {}
    for f in how.fields:
        if f.attname in stored and stored[f.attname] != getattr(instance, f.attname):
            before[f.name] = _value(how, f, stored[f.attname])
            after[f.name] = _value(how, f, getattr(instance, f.attname))
            if f.name in how.secret:
                after[f.name] = CHANGED if after[f.name] else ""
    if after:
        action = Action.PERMISSION if how.permission & after.keys() else Action.UPDATE
        _record_object(action, instance, before, after)


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    scope = current_scope()
    if scope is not None:
        scope.count(type_of(sender), Action.DELETE)
        return
    origin = kwargs.get("origin")
    queryset = isinstance(origin, models.QuerySet)
    direct = origin is instance or (queryset and origin.model is sender)
    audited = (origin.model if queryset else type(origin)) in _models
    if not direct and origin is not None and audited:
        # Django deletes a cascade's rows before the rows that caused it: count them now,
        # write them on the (first) event of the deletion that caused them.
        _, counts = _cascades.setdefault(id(origin), (origin, Counter()))
        counts[type_of(sender)] += 1
        return
    how = _models[sender]
    before = {f.name: _value(how, f, getattr(instance, f.attname)) for f in how.fields}
    cascade = _cascades.pop(id(origin), None) if origin is not None else None
    after = {"cascade": dict(sorted(cascade[1].items()))} if cascade else {}
    _record_object(Action.DELETE, instance, before, after)


# ---- many-to-many relations ---------------------------------------------------------------


def _links_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    if not reverse and _skipped(instance):
        return
    phase = action.partition("_")[0]
    scope = current_scope()
    if scope is not None:
        if phase == "post":
            owner = model if reverse else type(instance)
            scope.count(type_of(owner), Action.UPDATE)
        return
    m2m = _relation(sender)
    if m2m is None:
        return
    owner_model, target_model = m2m.model, m2m.related_model
    source, target = _columns(sender, owner_model, target_model)
    if phase == "pre":
        owners = [instance.pk]
        if reverse:
            owners = list(pk_set or _owners_of(sender, target, instance.pk, source))
        setattr(instance, _BEFORE, (owners, _links(sender, source, target, owners)))
        return
    owners, before = instance.__dict__.pop(_BEFORE, ([], {}))
    after = _links(sender, source, target, owners)
    how = _models.get(owner_model, Tracked())
    kind = Action.PERMISSION if m2m.name in how.permission_links else Action.UPDATE
    labels = _labels(target_model, set().union(*before.values(), *after.values()))
    objects = owner_model._base_manager.in_bulk(owners) if reverse else {instance.pk: instance}
    for pk in owners:
        old, new = before.get(pk, set()), after.get(pk, set())
        if old != new and pk in objects:
            _record_object(
                kind,
                objects[pk],
                {m2m.name: sorted(labels.get(v, str(v)) for v in old)},
                {m2m.name: sorted(labels.get(v, str(v)) for v in new)},
            )


def _relation(through: type[models.Model]) -> Any:
    for model in _models:
        for m2m in model._meta.many_to_many:
            if m2m.remote_field.through is through:
                return m2m
    return None


def _columns(
    through: type[models.Model], owner: type[models.Model], target: type[models.Model]
) -> tuple[str, str]:
    """The through table's columns pointing at the owner and at the target."""
    fks = [f for f in through._meta.concrete_fields if f.is_relation]
    source = next(f for f in fks if f.related_model is owner)
    rest = [f for f in fks if f is not source and f.related_model is target]
    return source.attname, (rest[0] if rest else source).attname


def _owners_of(through: type[models.Model], target: str, pk: Any, source: str) -> list[Any]:
    return list(through._base_manager.filter(**{target: pk}).values_list(source, flat=True))


def _links(
    through: type[models.Model], source: str, target: str, owners: list[Any]
) -> dict[Any, set[Any]]:
    found: dict[Any, set[Any]] = {pk: set() for pk in owners}
    rows = through._base_manager.filter(**{f"{source}__in": owners}).values_list(source, target)
    for owner, linked in rows:
        found[owner].add(linked)
    return found


def _labels(model: type[models.Model], pks: set[Any]) -> dict[Any, str]:
    if not pks:
        return {}
    return {pk: label_of(obj) for pk, obj in model._base_manager.in_bulk(list(pks)).items()}
