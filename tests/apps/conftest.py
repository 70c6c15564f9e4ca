"""Personas and data for Django tests: alice owns, bob is her teammate, charlie is an outsider."""

from __future__ import annotations

import pytest
from django.test import Client

from secondstory.accounts.models import Team, User
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

PASSWORD = "correct horse battery"


def _user(username: str, name: str) -> User:
    user = User(username=username, display_name=name, email=f"{username}@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def alice(db: None) -> User:
    return _user("alice", "Alice Owner")


@pytest.fixture
def bob(db: None) -> User:
    return _user("bob", "Bob Teammate")


@pytest.fixture
def charlie(db: None) -> User:
    return _user("charlie", "Charlie Outsider")


@pytest.fixture
def payments(alice: User, bob: User) -> Team:
    team = Team.objects.create(slug="payments", name="Payments")
    team.members.set([alice, bob])
    return team


@pytest.fixture
def postmortem(alice: User, bob: User, charlie: User, payments: Team) -> Postmortem:
    return load_record(postmortem_record())


@pytest.fixture
def restricted(alice: User, bob: User, charlie: User, payments: Team) -> Postmortem:
    return load_record(postmortem_record("PM-R", visibility="restricted"))


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
