"""Contributing factors: add, edit and remove, with and without htmx, and who may."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.factor_views import _state
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def add_url(key: str = "PM-1") -> str:
    return reverse("postmortems:factor_add", args=[key])


def edit_url(factor: str = "F1", key: str = "PM-1") -> str:
    return reverse("postmortems:factor_edit", args=[key, factor])


def remove_url(factor: str = "F1", key: str = "PM-1") -> str:
    return reverse("postmortems:factor_remove", args=[key, factor])


def category(code: str) -> FactorCategory:
    return FactorCategory.objects.get(code=code)


def event(ref: str) -> TimelineEvent:
    return TimelineEvent.objects.get(source_ref=ref)


def base_of(key: str = "F1") -> str:
    return fingerprint(*_state(ContributingFactor.objects.get(key=key)))


def test_the_form_finds_the_timeline_events_to_pick_from(
    postmortem: Postmortem, alice: User
) -> None:
    response = client_for(alice).get(add_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Add a contributing factor</h1>" in html
    assert "The trigger is a section of its own" in html
    assert 'name="event_q"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    found = client_for(alice).post(add_url(), {"event_q": "config 881", "find_events": "1"})
    assert "Deployed config change 881 to checkout" in found.content.decode()
    assert "CheckoutErrorRate firing" not in found.content.decode()


def test_owner_adds_a_factor_under_the_next_key(postmortem: Postmortem, alice: User) -> None:
    alert = event("fp-1")
    response = client_for(alice).post(
        add_url(),
        {
            "category": category("process").pk,
            "description": "The change review did not cover pool sizes.",
            "evidence": "See the **review** checklist.",
            "events": [alert.pk],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("postmortems:detail", args=["PM-1"]) + "#factor-F3"
    factor = ContributingFactor.objects.get(postmortem=postmortem, key="F3")
    assert factor.category.code == "process"
    assert list(factor.events.all()) == [alert]
    assert postmortem.revisions.get().summary == "Added contributing factor F3"


def test_a_removed_key_is_not_reused_while_a_later_one_exists(
    postmortem: Postmortem, alice: User
) -> None:
    ContributingFactor.objects.filter(key="F1").delete()
    client_for(alice).post(
        add_url(), {"category": category("process").pk, "description": "Another condition."}
    )
    assert sorted(postmortem.factors.values_list("key", flat=True)) == ["F2", "F3"]


def test_htmx_add_answers_with_the_whole_section(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(
        add_url(),
        {"category": category("tooling").pk, "description": "The dashboard hid pool usage."},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#factors"
    assert html.lstrip().startswith('<section id="factors"')
    assert "The dashboard hid pool usage." in html
    assert "<html" not in html


def test_a_missing_description_names_the_field(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(add_url(), {"category": category("tooling").pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Description: Describe the condition that contributed." in html
    assert postmortem.factors.count() == 2


def test_htmx_validation_error_replaces_only_the_form(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(
        add_url(), {"category": category("tooling").pk, "description": " "}, **HTMX
    )
    assert response["HX-Retarget"] == "#factor-form-new"
    assert response.content.decode().lstrip().startswith('<form id="factor-form-new"')


def test_an_event_of_another_postmortem_is_refused(
    postmortem: Postmortem, restricted: Postmortem, alice: User
) -> None:
    other = TimelineEvent.objects.filter(incident__postmortems=restricted).first()
    assert other is not None
    response = client_for(alice).post(
        add_url(),
        {"category": category("tooling").pk, "description": "Something.", "events": [other.pk]},
    )
    assert response.status_code == 200
    assert "Timeline events:" in response.content.decode()
    assert postmortem.factors.count() == 2


def test_owner_edits_a_factor(postmortem: Postmortem, alice: User) -> None:
    page = client_for(alice).get(edit_url()).content.decode()
    assert f'value="{base_of()}"' in page
    assert "The config tool accepted a pool size of 1." in page
    response = client_for(alice).post(
        edit_url(),
        {
            "base": base_of(),
            "category": category("tooling").pk,
            "description": "The config tool accepted any pool size, even 1.",
            "evidence": "",
            "events": [event("deploy-881").pk, event("fp-1").pk],
        },
    )
    assert response.status_code == 302
    factor = ContributingFactor.objects.get(key="F1")
    assert factor.description == "The config tool accepted any pool size, even 1."
    assert factor.events.count() == 2
    assert postmortem.revisions.get().summary == "Changed contributing factor F1"


def test_a_stale_edit_shows_both_versions_and_keeps_the_input(
    postmortem: Postmortem, alice: User
) -> None:
    stale = base_of()
    ContributingFactor.objects.filter(key="F1").update(description="Bob's newer wording.")
    response = client_for(alice).post(
        edit_url(),
        {"base": stale, "category": category("tooling").pk, "description": "Alice's wording."},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "was changed by someone else since you opened it" in html
    assert "Bob&#x27;s newer wording." in html
    assert "Alice&#x27;s wording.</textarea>" in html
    assert f'value="{base_of()}"' in html
    assert ContributingFactor.objects.get(key="F1").description == "Bob's newer wording."
    # Saving again on the new base replaces the saved version.
    client_for(alice).post(
        edit_url(),
        {"base": base_of(), "category": category("tooling").pk, "description": "Merged."},
    )
    assert ContributingFactor.objects.get(key="F1").description == "Merged."


def test_owner_removes_a_factor(postmortem: Postmortem, alice: User) -> None:
    page = client_for(alice).get(remove_url()).content.decode()
    assert "Addressed by A1" in page
    response = client_for(alice).post(remove_url(), {"base": base_of()})
    assert response.status_code == 302
    assert list(postmortem.factors.values_list("key", flat=True)) == ["F2"]
    assert postmortem.action_items.get().factors.count() == 0
    assert postmortem.revisions.get().summary == "Removed contributing factor F1"


def test_removing_a_changed_factor_asks_again(postmortem: Postmortem, alice: User) -> None:
    stale = base_of()
    ContributingFactor.objects.filter(key="F1").update(description="Changed meanwhile.")
    response = client_for(alice).post(remove_url(), {"base": stale})
    assert response.status_code == 409
    assert "Changed meanwhile." in response.content.decode()
    assert postmortem.factors.count() == 2


def test_the_page_offers_controls_to_editors_only(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    detail = reverse("postmortems:detail", args=["PM-1"])
    assert add_url() in client_for(alice).get(detail).content.decode()
    assert add_url() not in client_for(bob).get(detail).content.decode()


def test_a_reader_who_is_not_an_editor_is_refused(postmortem: Postmortem, bob: User) -> None:
    client = client_for(bob)
    assert client.get(add_url()).status_code == 403
    data = {"category": category("tooling").pk, "description": "X."}
    assert client.post(add_url(), data).status_code == 403
    assert client.post(edit_url(), data).status_code == 403
    assert client.post(remove_url()).status_code == 403
    assert postmortem.factors.count() == 2


def test_a_collaborator_edits(postmortem: Postmortem, bob: User) -> None:
    postmortem.collaborators.add(bob)
    data = {"category": category("tooling").pk, "description": "A collaborator's factor."}
    assert client_for(bob).post(add_url(), data).status_code == 302


def test_it_checks_ownership(restricted: Postmortem, charlie: User) -> None:
    client = client_for(charlie)
    assert client.get(add_url("PM-R")).status_code == 404
    assert client.post(edit_url("F1", "PM-R"), {}).status_code == 404
    assert client.post(remove_url("F1", "PM-R")).status_code == 404


def test_an_unknown_factor_is_404(postmortem: Postmortem, alice: User) -> None:
    assert client_for(alice).get(edit_url("F99")).status_code == 404


def test_htmx_opens_the_form_inline(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).get(edit_url(), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="factor-form-F1"')
    assert 'hx-post="/postmortems/PM-1/factors/F1/edit/"' in html
    assert "<html" not in html
    remove = client_for(alice).get(remove_url(), **HTMX).content.decode()
    assert remove.lstrip().startswith('<form id="factor-remove-F1"')
