"""Edits made in the admin keep the search index current, as web edits and imports do.

A ModelAdmin mixes in ``ReindexingAdmin`` and names, in ``indexed_through``, the lookup
from a postmortem to objects of its model. After every save (the object, its many-to-many
fields and its inlines) and every delete (one object or the "delete selected" action), the
search documents of the postmortems that showed the objects before the change or show
them after it are rewritten, inside the admin's transaction.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router, transaction
from django.forms import BaseForm
from django.http import HttpRequest

from secondstory.library.index import index_postmortems
from secondstory.postmortems.models import Postmortem

# The postmortems an object showed in before a change, from save_model to save_related.
_before: WeakKeyDictionary[BaseForm, set[int]] = WeakKeyDictionary()


class ReindexingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    #: The lookup from a postmortem to objects of this admin's model: ``"factors"``,
    #: ``"incidents__services"``; ``"pk"`` for postmortems themselves.
    indexed_through = ""

    def indexed_postmortems(self, objects: models.QuerySet[Any]) -> set[int]:
        """The ids of the postmortems whose search documents show these objects."""
        if not self.indexed_through:
            raise ImproperlyConfigured(f"{type(self).__name__} needs indexed_through")
        lookup = {f"{self.indexed_through}__in": objects.values("pk")}
        return set(Postmortem.objects.filter(**lookup).values_list("pk", flat=True))

    def _shown_in(self, obj: models.Model) -> set[int]:
        if obj.pk is None:
            return set()
        return self.indexed_postmortems(self.model._default_manager.filter(pk=obj.pk))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            _before[form] = self._shown_in(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        before = _before.pop(form, set())
        index_postmortems(sorted(before | self._shown_in(form.instance)))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = self._shown_in(obj)
        super().delete_model(request, obj)
        index_postmortems(sorted(before))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        # The "delete selected" action runs outside the atomic block of the change views.
        with transaction.atomic(using=router.db_for_write(self.model)):
            before = self.indexed_postmortems(queryset)
            super().delete_queryset(request, queryset)
            index_postmortems(sorted(before))
