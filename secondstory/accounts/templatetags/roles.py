"""``{% load roles %}``: what a page may offer the signed-in person (the server checks again)."""

from __future__ import annotations

from typing import Any

from django import template

from secondstory.accounts import permissions

register = template.Library()


@register.filter
def is_admin(user: Any) -> bool:
    """``{% if user|is_admin %}``: the organisation role admin (docs/permissions.md)."""
    return permissions.is_admin(user)
