"""What every ``secondstory`` command shares: one-line errors and Django set up on demand."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A problem the user can fix; printed as one line, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise UserError(f"configuration: {exc}") from exc


def with_django(func: F) -> F:
    """Set up Django first and turn expected failures into one clear line."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        setup_django()
        from django.core.exceptions import ValidationError
        from django.db import DatabaseError

        from secondstory.audit.context import set_process_actor

        previous = set_process_actor("cli")  # what a command changes is attributed to "cli"
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            raise UserError("; ".join(exc.messages)) from exc
        except DatabaseError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"database: {first}") from exc
        finally:
            set_process_actor(previous)

    return wrapper  # type: ignore[return-value]
