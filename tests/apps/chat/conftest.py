"""Chat workspaces for the tests: Slack team T0TEAM and Mattermost team mm-team, whose
integration account ``chatbot`` is a member of the payments team."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from secondstory.accounts.models import Team, User
from secondstory.chat.models import MATTERMOST, SLACK, ChatWorkspace
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, running_fake_slack

COMMAND_TOKEN = "mm-command-token-1234"
WEBHOOK_TOKEN = "mm-webhook-token-5678"


@pytest.fixture
def chatbot(payments: Team) -> User:
    user = User.objects.create(username="chatbot", display_name="Chat integration")
    payments.members.add(user)
    return user


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        fake.users = {
            "U0ALICE": {"id": "U0ALICE", "name": "alice.o", "tz_offset": 3600,
                        "profile": {"real_name": "Alice Owner", "email": "ALICE@example.com"}},
            "U0BOB": {"id": "U0BOB", "name": "bobby",
                      "profile": {"real_name": "Bob Teammate", "email": "bob@example.com"}},
            "U0CHARLIE": {"id": "U0CHARLIE", "name": "charlie",
                          "profile": {"real_name": "Charlie", "email": "charlie@example.com"}},
            "U0GUEST": {"id": "U0GUEST", "name": "guest",
                        "profile": {"real_name": "Gita Guest", "email": "gita@partner.example"}},
        }  # fmt: skip
        yield fake


@pytest.fixture
def slack_workspace(chatbot: User, fake_slack: FakeSlack) -> ChatWorkspace:
    workspace = ChatWorkspace(
        platform=SLACK, team_id="T0TEAM", name="Acme", api_base_url=fake_slack.url,
        integration_user=chatbot,
    )  # fmt: skip
    workspace.signing_secret = SIGNING_SECRET
    workspace.bot_token = BOT_TOKEN
    workspace.save()
    return workspace


@pytest.fixture
def mattermost_workspace(chatbot: User) -> ChatWorkspace:
    workspace = ChatWorkspace(
        platform=MATTERMOST, team_id="mm-team", name="Ops", integration_user=chatbot,
        match_usernames=True,
    )  # fmt: skip
    workspace.command_token = COMMAND_TOKEN
    workspace.webhook_token = WEBHOOK_TOKEN
    workspace.save()
    return workspace
