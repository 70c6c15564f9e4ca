"""Calling the API with a token: ``call(user, scopes)`` gives a client whose requests carry it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from secondstory.accounts import tokens
from secondstory.accounts.models import User


class ApiClient:
    def __init__(self, raw: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def send(self, method: str, path: str, body: Any) -> Any:
        call = getattr(self.client, method)
        return call(path, json.dumps(body), content_type="application/json", headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.send("post", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("put", path, body)


@pytest.fixture
def call(db: None) -> Callable[..., ApiClient]:
    def make(user: User, scopes: tuple[str, ...] = ("write",)) -> ApiClient:
        new = tokens.create_token(user, name="test", scopes=list(scopes), expires_at=None)
        return ApiClient(new.raw)

    return make
