"""Custom templates: staff create, edit and delete them; built-in ones cannot be deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.core import taxonomy
from secondstory.postmortems.models import Postmortem, PostmortemTemplate
from tests.apps.conftest import client_for


@pytest.fixture
def staff(alice: User) -> User:
    alice.role = "admin"
    alice.save(update_fields=["role"])
    return alice


def form_data(name: str = "Security review", **sections: tuple[int, str]) -> dict[str, Any]:
    """POST data: ``field=(order, question)`` for each section to show."""
    data: dict[str, Any] = {"name": name, "description": "For leaked credentials."}
    for position, field in enumerate(taxonomy.SECTION_FIELDS, start=1):
        data[f"order_{field}"] = position
        data[f"question_{field}"] = ""
    for field, (order, question) in sections.items():
        data[f"show_{field}"] = "on"
        data[f"order_{field}"] = order
        data[f"question_{field}"] = question
    return data


def test_staff_see_every_template(staff: User) -> None:
    response = client_for(staff).get(reverse("postmortems:templates"))
    assert response.status_code == 200
    html = response.content.decode()
    for template in PostmortemTemplate.objects.all():
        assert template.name in html


def test_staff_create_a_template_with_sections_in_their_order(staff: User) -> None:
    data = form_data(
        impact=(2, "Which data could have been read?"), summary=(1, "What leaked, for how long?")
    )
    response = client_for(staff).post(reverse("postmortems:template_create"), data)
    assert response.status_code == 302
    template = PostmortemTemplate.objects.get(slug="security-review")
    assert template.name == "Security review"
    assert not template.built_in
    assert template.sections == [
        {"field": "summary", "question": "What leaked, for how long?"},
        {"field": "impact", "question": "Which data could have been read?"},
    ]


def test_the_form_shows_the_template_as_it_is(staff: User) -> None:
    url = reverse("postmortems:template_edit", args=["short-form"])
    html = client_for(staff).get(url).content.decode()
    assert 'value="Short form (minor incidents)"' in html
    assert 'name="show_trigger" id="id_show_trigger" checked' in html
    assert 'name="show_impact" id="id_show_impact">' in html
    assert 'value="What set it off?"' in html


def test_a_built_in_template_can_be_edited(staff: User) -> None:
    url = reverse("postmortems:template_edit", args=["short-form"])
    data = form_data("Short form", summary=(1, "What happened?"), surprises=(2, "What surprised?"))
    assert client_for(staff).post(url, data).status_code == 302
    template = PostmortemTemplate.objects.get(slug="short-form")
    assert template.built_in
    assert [s["field"] for s in template.sections] == ["summary", "surprises"]


def test_validation_errors_name_the_field(staff: User) -> None:
    client = client_for(staff)
    url = reverse("postmortems:template_create")
    response = client.post(url, form_data("", summary=(1, "")))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Name: This field is required." in html
    assert "Question for Summary: Write the question shown under Summary." in html
    response = client.post(url, form_data("Empty"))
    assert response.status_code == 400
    assert "Choose at least one section for the template to show." in response.content.decode()
    assert not PostmortemTemplate.objects.filter(name__in=["", "Empty"]).exists()


def test_a_custom_template_can_be_deleted_and_its_postmortems_keep_their_text(
    staff: User, postmortem: Postmortem
) -> None:
    template = PostmortemTemplate.objects.create(
        slug="mine", name="Mine", sections=[{"field": "summary", "question": "What?"}]
    )
    Postmortem.objects.filter(pk=postmortem.pk).update(template=template)
    client = client_for(staff)
    url = reverse("postmortems:template_delete", args=["mine"])
    assert "1 postmortem uses it" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    postmortem.refresh_from_db()
    assert postmortem.template is None
    assert postmortem.summary.startswith("Checkout failed")


def test_a_built_in_template_cannot_be_deleted(staff: User) -> None:
    client = client_for(staff)
    url = reverse("postmortems:template_delete", args=["google-sre"])
    response = client.post(url, follow=True)
    assert "built-in templates can be edited but not deleted" in response.content.decode()
    assert PostmortemTemplate.objects.filter(slug="google-sre").exists()


def test_it_checks_ownership(bob: User) -> None:
    """Non-staff (even people who write postmortems) do not manage templates."""
    client = client_for(bob)
    assert client.get(reverse("postmortems:templates")).status_code == 403
    assert client.get(reverse("postmortems:template_create")).status_code == 403
    create = client.post(reverse("postmortems:template_create"), form_data(summary=(1, "Q?")))
    assert create.status_code == 403
    edit = reverse("postmortems:template_edit", args=["short-form"])
    assert client.post(edit, form_data("Hijacked", summary=(1, "Q?"))).status_code == 403
    delete = reverse("postmortems:template_delete", args=["short-form"])
    assert client.post(delete).status_code == 403
    assert PostmortemTemplate.objects.get(slug="short-form").name == "Short form (minor incidents)"
    assert not PostmortemTemplate.objects.filter(slug="security-review").exists()
