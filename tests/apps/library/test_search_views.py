"""The search page, the `secondstory search` and `secondstory reindex` commands."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from secondstory.accounts.models import User
from secondstory.cli.search import reindex_command, search_command
from secondstory.library.models import SearchDocument
from secondstory.library.search import highlight
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for


def test_highlight_escapes_everything_but_the_marks() -> None:
    assert highlight('a <b> & "c"  \ue000pool\ue001') == (
        "a &lt;b&gt; &amp; &quot;c&quot; <mark>pool</mark>"
    )


def test_search_page_shows_results_snippets_and_facets(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).get("/library/search/", {"q": "pool"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 postmortem" in page
    assert "/postmortems/PM-1/" in page
    assert "<mark>pool</mark>" in page
    assert 'hx-get="/library/search/facets/?q=pool&amp;"' in page
    assert "<script>" not in page.split("<main", 1)[1]
    assert "style=" not in page
    facets = client_for(alice).get("/library/search/facets/", {"q": "pool"})
    assert facets.status_code == 200
    fragment = facets.content.decode()
    assert "/library/search/?q=pool%20service%3Acheckout" in fragment
    assert "Factor category" in fragment
    assert '<span class="count">1</span>' in fragment


def test_facets_of_a_bad_query_name_the_field(alice: User) -> None:
    response = client_for(alice).get("/library/search/facets/", {"q": "owner:alice"})
    assert response.status_code == 400
    assert "unknown field 'owner'" in response.content.decode()


def test_facets_need_a_login(postmortem: Postmortem) -> None:
    from django.test import Client

    assert Client().get("/library/search/facets/", {"q": "pool"}).status_code == 302


def test_search_page_without_a_query_shows_the_form(alice: User) -> None:
    response = client_for(alice).get("/library/search/")
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


def test_a_bad_query_names_the_field(alice: User) -> None:
    response = client_for(alice).get("/library/search/", {"q": "owner:alice"})
    assert response.status_code == 400
    assert "unknown field &#x27;owner&#x27;" in response.content.decode()


def test_a_bad_page_number_falls_back_to_the_first_page(
    postmortem: Postmortem, alice: User
) -> None:
    response = client_for(alice).get("/library/search/", {"q": "pool", "page": "x"})
    assert response.status_code == 200


def test_search_page_needs_a_login(postmortem: Postmortem) -> None:
    from django.test import Client

    response = Client().get("/library/search/", {"q": "pool"})
    assert response.status_code == 302


def test_restricted_postmortems_never_appear_on_the_page(
    restricted: Postmortem, charlie: User, alice: User
) -> None:
    outsider = client_for(charlie).get("/library/search/", {"q": "pool"}).content.decode()
    assert "PM-R" not in outsider
    assert "0 postmortems" in outsider
    assert "checkout" not in outsider.split("search-results", 1)[1]
    insider = client_for(alice).get("/library/search/", {"q": "pool"}).content.decode()
    assert "/postmortems/PM-R/" in insider


def run(command: object, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command, list(args), catch_exceptions=False)  # type: ignore[arg-type]
    return result.exit_code, result.output


def test_cli_search_prints_matches(postmortem: Postmortem) -> None:
    code, output = run(search_command, "connection", "pool")
    assert code == 0
    assert "PM-1  Checkout errors after a configuration change" in output
    assert "*pool*" in output
    assert "1 of 1 result" in output


def test_cli_search_json(postmortem: Postmortem) -> None:
    code, output = run(search_command, "--json", "--limit", "5", "service:checkout")
    assert code == 0
    data = json.loads(output)
    assert data["query"] == "service:checkout"
    assert data["total"] == 1
    assert data["results"][0]["key"] == "PM-1"
    assert {"value": "checkout", "label": "Checkout", "count": 1} in data["facets"]["service"]


def test_cli_search_as_a_user_applies_visibility(
    restricted: Postmortem, charlie: User, alice: User
) -> None:
    assert "PM-R" in run(search_command, "pool")[1]
    code, output = run(search_command, "--as", "charlie", "pool")
    assert (code, "PM-R" in output) == (0, False)
    assert "no postmortem matches 'pool'" in output
    assert "PM-R" in run(search_command, "--as", "alice", "pool")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["owner:alice"], "error: query: unknown field 'owner'"),
        (["--as", "nobody", "pool"], "error: --as: no user named 'nobody'"),
        (["--limit", "0", "pool"], "Invalid value for '--limit'"),
    ],
)
def test_cli_search_errors_are_one_line(
    postmortem: Postmortem, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(search_command, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_reindex_rebuilds_the_index(postmortem: Postmortem, restricted: Postmortem) -> None:
    SearchDocument.objects.all().delete()
    assert "no postmortem matches" in run(search_command, "pool")[1]
    code, output = run(reindex_command)
    assert code == 0
    assert "indexed 2 postmortems" in output
    assert SearchDocument.objects.count() == 2
    assert "2 of 2 results" in run(search_command, "pool")[1]


def test_staff_see_search_documents_in_the_admin(postmortem: Postmortem, alice: User) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client = client_for(alice)
    document = SearchDocument.objects.get(postmortem=postmortem)
    listing = client.get("/admin/library/searchdocument/")
    assert listing.status_code == 200
    assert "PM-1" in listing.content.decode()
    change = client.get(f"/admin/library/searchdocument/{document.pk}/change/")
    assert change.status_code == 200
    assert "connection pool" in change.content.decode()
    assert client.get("/admin/library/searchdocument/add/").status_code == 403
