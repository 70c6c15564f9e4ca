"""A review with four people at it: alice owns, bob reviews, dana and erin collaborate;
charlie is an outsider."""

from __future__ import annotations

import pytest

from secondstory.accounts.models import User
from secondstory.core import learningcheck
from secondstory.learningcheck import services
from secondstory.learningcheck.models import Survey
from secondstory.postmortems.models import Postmortem
from tests.apps.api.conftest import call as call  # the API tests' fixture, here too
from tests.apps.conftest import _user


@pytest.fixture
def dana(db: None) -> User:
    return _user("dana", "Dana Collaborator")


@pytest.fixture
def erin(db: None) -> User:
    return _user("erin", "Erin Collaborator")


@pytest.fixture
def review(postmortem: Postmortem, dana: User, erin: User) -> Postmortem:
    postmortem.collaborators.add(dana, erin)
    return postmortem


@pytest.fixture
def survey(review: Postmortem) -> Survey:
    return services.open_learning_check(review)


def scores(value: int, **others: int) -> dict[str, int]:
    return {**{code: value for code in learningcheck.CODES}, **others}
