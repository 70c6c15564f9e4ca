"""The default contributing-factor taxonomy (see ``incidents.defaults`` for when it is seeded)."""

from __future__ import annotations

from typing import Any

from secondstory.core import taxonomy


def seed_factor_categories(apps: Any) -> None:
    FactorCategory = apps.get_model("postmortems", "FactorCategory")
    if FactorCategory.objects.exists():
        return
    for position, category in enumerate(taxonomy.DEFAULT_FACTOR_CATEGORIES, start=1):
        FactorCategory.objects.create(
            code=category.code,
            name=category.name,
            description=category.description,
            position=position * 10,
        )
