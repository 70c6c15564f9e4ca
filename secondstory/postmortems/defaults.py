"""The default factor taxonomy and writing templates (``incidents.defaults`` says when)."""

from __future__ import annotations

from typing import Any

from secondstory.core import taxonomy
from secondstory.core.writing_templates import BUILT_IN_TEMPLATES


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


def seed_writing_templates(apps: Any) -> None:
    """Create the built-in templates that are missing (admins may edit the others)."""
    PostmortemTemplate = apps.get_model("postmortems", "PostmortemTemplate")
    for position, template in enumerate(BUILT_IN_TEMPLATES, start=1):
        PostmortemTemplate.objects.get_or_create(
            slug=template.slug,
            defaults={
                "name": template.name,
                "description": template.description,
                "sections": [{"field": s.field, "question": s.question} for s in template.sections],
                "built_in": True,
                "position": position * 10,
            },
        )
