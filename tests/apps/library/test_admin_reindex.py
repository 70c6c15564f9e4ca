"""Edits made in the admin rewrite the search documents they change, in the same request.

Every test posts what a browser would post: the fields of the rendered admin form, with
some changed. The words the tests type appear nowhere else in the test data.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.incidents.models import Incident, Service, Tag, TimelineEvent
from secondstory.library.models import SearchDocument
from secondstory.library.search import search
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record


class _FormFields(HTMLParser):
    """The name/value pairs a browser submits from an admin change or add form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.multiple: set[str] = set()
        self._in_form = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "form":
            self._in_form = (a.get("id") or "").endswith("_form")
        if not self._in_form or "__prefix__" in name:
            return
        if tag == "input" and name:
            kind = a.get("type") or "text"
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
            if "multiple" in a:
                self.multiple.add(name)
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._select not in self.multiple and self._options:
                chosen = [self._options[0][0]]
            self.pairs.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.pairs.append((self._textarea, text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None


def form_data(page: str) -> dict[str, Any]:
    parser = _FormFields()
    parser.feed(page)
    data: dict[str, Any] = {name: [] for name in parser.multiple}
    for name, value in parser.pairs:
        if name in parser.multiple:
            data[name].append(value)
        else:
            data[name] = value
    return data


def replace_value(data: dict[str, Any], old: str, new: str) -> None:
    """Change the one field whose value is ``old``."""
    names = [name for name, value in data.items() if value == old]
    assert len(names) == 1, (old, names)
    data[names[0]] = new


def submit(client: Client, url: str, data: dict[str, Any]) -> None:
    response = client.post(url, data)
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, errors


def edit(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """Open an admin form, change some fields, save it; returns what was posted."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode())
    data.update(changes)
    submit(client, url, data)
    return data


def change_url(obj: Any) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def delete(client: Client, obj: Any) -> None:
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def found(word: str) -> set[str]:
    return {hit.postmortem.key for hit in search(word, user=None).hits}


def document(postmortem: Postmortem) -> SearchDocument:
    return SearchDocument.objects.get(postmortem=postmortem)


@pytest.fixture
def staff(alice: User) -> Client:
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    return client_for(alice)


@pytest.fixture
def other(postmortem: Postmortem) -> Postmortem:
    return load_record(postmortem_record("PM-2"))


def test_postmortem_title_and_its_factor_inline(postmortem: Postmortem, staff: Client) -> None:
    assert found("accepted") == {"PM-1"}
    page = staff.get(change_url(postmortem)).content.decode()
    data = form_data(page)
    data["title"] = "Zeppelin drift at checkout"
    replace_value(data, "The config tool accepted a pool size of 1.", "A quokka sized pool.")
    submit(staff, change_url(postmortem), data)
    assert document(postmortem).title == "Zeppelin drift at checkout"
    assert "quokka" in document(postmortem).factors
    assert found("zeppelin") == {"PM-1"}
    assert found("quokka") == {"PM-1"}
    assert found("accepted") == set()


def test_adding_editing_and_deleting_a_factor(postmortem: Postmortem, staff: Client) -> None:
    tooling = FactorCategory.objects.get(code="tooling")
    add = reverse("admin:postmortems_contributingfactor_add")
    data = form_data(staff.get(add).content.decode())
    data.update(
        postmortem=postmortem.pk, key="F9", category=tooling.pk, description="Marmalade jammed."
    )
    submit(staff, add, data)
    assert "Marmalade jammed." in document(postmortem).factors
    assert found("marmalade") == {"PM-1"}

    factor = ContributingFactor.objects.get(postmortem=postmortem, key="F9")
    edit(staff, change_url(factor), description="A wombat dug under the rack.")
    assert found("wombat") == {"PM-1"}
    assert found("marmalade") == set()

    delete(staff, factor)
    assert found("wombat") == set()
    assert "wombat" not in document(postmortem).factors


def test_moving_a_factor_reindexes_both_postmortems(
    postmortem: Postmortem, other: Postmortem, staff: Client
) -> None:
    assert found("accepted") == {"PM-1", "PM-2"}
    ContributingFactor.objects.filter(postmortem=other, key="F1").delete()
    SearchDocument.objects.filter(postmortem=other).delete()
    factor = ContributingFactor.objects.get(postmortem=postmortem, key="F1")
    edit(staff, change_url(factor), postmortem=other.pk)
    assert found("accepted") == {"PM-2"}
    assert "accepted" not in document(postmortem).factors


def test_bulk_deleting_factors(postmortem: Postmortem, staff: Client) -> None:
    ids = list(
        ContributingFactor.objects.filter(postmortem=postmortem).values_list("pk", flat=True)
    )
    assert len(ids) == 2
    response = staff.post(
        reverse("admin:postmortems_contributingfactor_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not ContributingFactor.objects.exists()
    assert document(postmortem).factors == ""
    assert found("accepted") == set()


def test_renaming_a_factor_category(postmortem: Postmortem, staff: Client) -> None:
    tooling = FactorCategory.objects.get(code="tooling")
    edit(staff, change_url(tooling), name="Gadgetry")
    assert "Gadgetry: The config tool accepted" in document(postmortem).factors
    assert found("gadgetry") == {"PM-1"}


def test_editing_and_deleting_an_action_item(postmortem: Postmortem, staff: Client) -> None:
    assert found("validate") == {"PM-1"}
    item = ActionItem.objects.get(postmortem=postmortem, key="A1")
    edit(staff, change_url(item), title="Rehearse the albatross drill")
    assert document(postmortem).actions == "Rehearse the albatross drill"
    assert found("albatross") == {"PM-1"}
    assert found("validate") == set()
    delete(staff, item)
    assert document(postmortem).actions == ""
    assert found("albatross") == set()


def test_adding_editing_and_deleting_a_timeline_event(
    postmortem: Postmortem, staff: Client
) -> None:
    incident = postmortem.incidents.get()
    event = TimelineEvent.objects.get(incident=incident, source_ref="fp-1")
    edit(staff, change_url(event), text="Pelican alarm firing")
    assert "Pelican alarm firing" in document(postmortem).timeline
    assert found("pelican") == {"PM-1"}
    assert found("CheckoutErrorRate") == set()

    add = reverse("admin:incidents_timelineevent_add")
    data = form_data(staff.get(change_url(event)).content.decode())
    data.update(source_ref="fp-2", text="Toucan alarm firing")
    submit(staff, add, data)
    assert found("toucan") == {"PM-1"}

    delete(staff, TimelineEvent.objects.get(incident=incident, source_ref="fp-2"))
    assert found("toucan") == set()
    assert found("pelican") == {"PM-1"}


def test_changing_an_incident_its_services_and_timeline(
    postmortem: Postmortem, staff: Client
) -> None:
    incident = postmortem.incidents.get()
    heron = Service.objects.create(slug="heron", name="Heron gateway")
    page = staff.get(change_url(incident)).content.decode()
    data = form_data(page)
    data["title"] = "Checkout lost its kestrel"
    data["services"] = [str(heron.pk)]
    replace_value(data, "Paged the payments on-call", "Paged the ibis on-call")
    submit(staff, change_url(incident), data)
    shown = document(postmortem)
    assert "heron Heron gateway" in shown.labels
    assert "checkout" not in shown.labels
    assert "kestrel" in shown.narrative
    assert "ibis" in shown.timeline
    for word in ("heron", "kestrel", "ibis"):
        assert found(word) == {"PM-1"}, word


def test_deleting_an_incident(postmortem: Postmortem, staff: Client) -> None:
    delete(staff, postmortem.incidents.get())
    shown = document(postmortem)
    assert shown.labels == shown.timeline == ""
    assert found("CheckoutErrorRate") == set()


def test_renaming_a_service_a_tag_and_a_team(
    postmortem: Postmortem, other: Postmortem, staff: Client
) -> None:
    edit(staff, change_url(Service.objects.get(slug="checkout")), slug="flamingo", name="Flamingo")
    edit(staff, change_url(Tag.objects.get(slug="config")), slug="narwhal")
    edit(staff, change_url(Team.objects.get(slug="payments")), name="Ocelot squad")
    for pm in (postmortem, other):
        labels = document(pm).labels
        assert "flamingo Flamingo" in labels and "narwhal" in labels, labels
        assert "payments Ocelot squad" in labels
        assert "checkout" not in labels and "config" not in labels
    for word in ("flamingo", "narwhal", "ocelot"):
        assert found(word) == {"PM-1", "PM-2"}, word


def test_deleting_a_tag(postmortem: Postmortem, staff: Client) -> None:
    assert "config" in document(postmortem).labels
    delete(staff, Tag.objects.get(slug="config"))
    assert "config" not in document(postmortem).labels


def test_deleting_postmortems_in_bulk(
    postmortem: Postmortem, other: Postmortem, staff: Client
) -> None:
    response = staff.post(
        reverse("admin:postmortems_postmortem_changelist"),
        {"action": "delete_selected", "_selected_action": [postmortem.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(SearchDocument.objects.values_list("postmortem__key", flat=True)) == ["PM-2"]
    assert found("accepted") == {"PM-2"}


def test_an_incident_shared_by_two_postmortems(
    postmortem: Postmortem, other: Postmortem, staff: Client
) -> None:
    shared = postmortem.incidents.get()
    edit(staff, change_url(other), incidents=[str(shared.pk)])
    assert set(other.incidents.all()) == {shared}
    assert "checkout" in document(other).labels
    edit(staff, change_url(shared), title="The heron incident")
    for pm in (postmortem, other):
        assert "The heron incident" in document(pm).narrative
    assert found("heron") == {"PM-1", "PM-2"}
    assert Incident.objects.filter(key="INC-PM-2").exists()


def test_the_change_and_the_reindex_share_one_transaction(
    postmortem: Postmortem, staff: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(pks: object) -> int:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr("secondstory.library.admin_sync.index_postmortems", broken)
    data = form_data(staff.get(change_url(postmortem)).content.decode())
    data["title"] = "Zeppelin drift at checkout"
    with pytest.raises(RuntimeError):
        staff.post(change_url(postmortem), data)
    ids = list(
        ContributingFactor.objects.filter(postmortem=postmortem).values_list("pk", flat=True)
    )
    with pytest.raises(RuntimeError):
        staff.post(
            reverse("admin:postmortems_contributingfactor_changelist"),
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
    postmortem.refresh_from_db()
    assert postmortem.title == "Checkout errors after a configuration change"
    assert ContributingFactor.objects.filter(postmortem=postmortem).count() == 2
