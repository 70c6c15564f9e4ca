"""Operations on people and teams."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from secondstory.accounts.models import Role, Team, User
from secondstory.core.record import Organisation


@transaction.atomic
def create_user(
    username: str,
    *,
    password: str | None,
    display_name: str = "",
    email: str = "",
    staff: bool = False,
    role: str | None = None,
) -> User:
    """Create a person who can sign in (or update the password of an existing one).

    ``role`` is the organisation role; by default staff are admins and others responders."""
    user = User(username=username, display_name=display_name, email=email)
    user.is_staff = user.is_superuser = staff
    user.role = role or (Role.ADMIN if staff else Role.RESPONDER)
    user.full_clean(exclude=["password"])
    if password:
        check_password_strength(user, password)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def check_password_strength(user: User, password: str) -> None:
    """Refuse a password that the configured validators (AUTH_PASSWORD_VALIDATORS) reject:
    too short, too common, all digits or too like the person's name, with every reason."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        reasons = "; ".join(message.rstrip(".") for message in error.messages)
        raise ValidationError({"password": f"password: {reasons}"}) from error


@transaction.atomic
def set_password(user: User, password: str) -> None:
    """Set a new password after the configured validators accept it."""
    if not password:
        raise ValidationError({"password": "the password is empty"})
    check_password_strength(user, password)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def load_organisation(organisation: Organisation) -> None:
    """Create or update people, teams and services; idempotent.

    A person's organisation role is given when they are created and never changed here
    afterwards (an admin may have changed it since)."""
    from secondstory.incidents.models import Service

    users = {}
    for person in organisation.people:
        role = organisation.roles.get(person.username, Role.RESPONDER)
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={"display_name": person.name, "email": person.email, "role": role},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users[person.username] = user
    teams = {}
    for team in organisation.teams:
        row, _ = Team.objects.update_or_create(slug=team.slug, defaults={"name": team.name})
        row.members.set([users[name] for name in team.members if name in users])
        row.maintainers.set([users[name] for name in team.maintainers if name in users])
        teams[team.slug] = row
    for service in organisation.services:
        Service.objects.update_or_create(
            slug=service.slug,
            defaults={
                "name": service.name,
                "team": teams.get(service.team),
                "description": service.description,
            },
        )
