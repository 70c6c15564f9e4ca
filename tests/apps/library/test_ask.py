"""Ask the library: the answer service, `secondstory ask`, the answer page and the home box."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from secondstory.accounts.models import User
from secondstory.cli.ask import ask_command
from secondstory.library.ask import QuestionError, ask
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record


@pytest.fixture
def secret(alice: User, bob: User, charlie: User, payments: object) -> Postmortem:
    record = postmortem_record("PM-VAULT", visibility="restricted")
    return load_record(
        replace(
            record,
            title="Vault token printed to build logs",
            sections={"summary": "A vault token leaked into the build logs of checkout."},
        )
    )


def test_the_answer_links_passages_to_their_places(postmortem: Postmortem) -> None:
    answer = ask("Did a pool size config ever break checkout?", user=None)
    assert answer.query == "pool size config service:checkout"
    [source] = answer.sources
    assert (source.key, source.url) == ("PM-1", "/postmortems/PM-1/")
    kinds = {p.kind: p for p in source.passages}
    factor = kinds["factor"]
    assert factor.url == "/postmortems/PM-1/#factor-F1"
    assert "<mark>pool</mark> <mark>size</mark>" in str(factor.html)
    assert factor.text == "The config tool accepted a pool size of 1."
    assert kinds["section"].url == "/postmortems/PM-1/#section-trigger"
    event = postmortem.incidents.get().timeline.get(source_ref="deploy-881")
    assert ask("was a config change deployed?", user=None).sources[0].passages[0].url == (
        f"/postmortems/PM-1/#event-{event.pk}"
    )


def test_restricted_postmortems_answer_only_those_who_may_read_them(
    secret: Postmortem, alice: User, charlie: User
) -> None:
    question = "has a vault token leaked into build logs?"
    assert [s.key for s in ask(question, user=alice).sources] == ["PM-VAULT"]
    assert [s.key for s in ask(question, user=None).sources] == ["PM-VAULT"]
    outsider = ask(question, user=charlie)
    assert outsider.sources == [] and outsider.total == 0
    # Looser attempts never reach it either.
    assert ask("vault", user=charlie).sources == []


def test_a_question_with_no_words_is_an_error(postmortem: Postmortem) -> None:
    with pytest.raises(QuestionError):
        ask("why did it happen?", user=None)


def test_an_unanswered_question_says_so(postmortem: Postmortem) -> None:
    answer = ask("zebra migration", user=None)
    assert (answer.sources, answer.query) == ([], "")


def test_the_command_prints_passages_and_json(
    postmortem: Postmortem, secret: Postmortem, charlie: User
) -> None:
    out = CliRunner().invoke(ask_command, ["did the pool size break checkout?"])
    assert out.exit_code == 0, out.output
    assert "PM-1  Checkout errors after a configuration change" in out.output
    assert "/postmortems/PM-1/#factor-F1" in out.output
    assert "*pool* *size*" in out.output
    data = json.loads(
        CliRunner().invoke(ask_command, ["vault token", "--json", "--limit", "1"]).output
    )
    assert [s["key"] for s in data["sources"]] == ["PM-VAULT"]
    assert data["sources"][0]["passages"][0]["url"].endswith(
        "/postmortems/PM-VAULT/#section-summary"
    )
    hidden = CliRunner().invoke(ask_command, ["vault token", "--as", "charlie"])
    assert "PM-VAULT" not in hidden.output
    assert "no postmortem answers" in hidden.output
    bad = CliRunner().invoke(ask_command, ["why?"])
    assert bad.exit_code != 0 and "question: the question has no words" in bad.output
    nobody = CliRunner().invoke(ask_command, ["pool", "--as", "nobody"])
    assert nobody.exit_code != 0 and "no user named 'nobody'" in nobody.output


def test_the_answer_page_and_the_home_box(
    postmortem: Postmortem, secret: Postmortem, alice: User, charlie: User
) -> None:
    home = client_for(alice).get("/").content.decode()
    assert 'action="/library/ask"' in home
    page = client_for(alice).get("/library/ask", {"q": "has a vault token <leaked>?"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="/postmortems/PM-VAULT/#section-summary"' in body
    assert "<mark>vault</mark> <mark>token</mark>" in body
    assert "has a vault token &lt;leaked&gt;?" in body
    assert "/library/search/?q=vault+token+leaked" in body
    hidden = client_for(charlie).get("/library/ask", {"q": "vault token"}).content.decode()
    assert "PM-VAULT" not in hidden and "No answer" in hidden
    bad = client_for(alice).get("/library/ask", {"q": "why?"})
    assert bad.status_code == 400
    assert "no words to look for" in bad.content.decode()


def test_the_answer_page_needs_a_login(postmortem: Postmortem) -> None:
    from django.test import Client

    response = Client().get("/library/ask", {"q": "pool"})
    assert response.status_code == 302


DEMO_QUESTIONS = [
    ("why did the orders database run out of connections?", "connection"),
    ("has a certificate ever expired?", "certificate"),
    ("did DNS ever serve stale answers?", "stale dns"),
    ("did a batch export saturate orders-db?", "saturated"),
]


@pytest.mark.django_db
def test_questions_about_the_demo_organisation_find_the_right_postmortems() -> None:
    from secondstory.postmortems.demo import load_demo

    load_demo(login=False)
    for question, in_title in DEMO_QUESTIONS:
        sources = ask(question, user=None, limit=3).sources
        assert sources, question
        assert all(in_title in s.title.lower() for s in sources), (question, sources)
        assert all(s.passages for s in sources), question
    # The leaked-secret postmortems are restricted: an outsider never sees them.
    visitor = User.objects.create(username="visitor")
    question = "have we leaked a secret in build logs?"
    assert {s.key for s in ask(question, user=None).sources} & {"PM-0023", "PM-0032"}
    restricted = set(
        Postmortem.objects.filter(incidents__visibility="restricted").values_list("key", flat=True)
    )
    assert restricted
    assert not {s.key for s in ask(question, user=visitor, limit=50).sources} & restricted
