"""An incident's services, teams, tags and references read as plain values (``facts_of``):
the same lists, in the same order, as the models' related objects."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.facts import Named, Reference, facts_of, facts_prefetched
from secondstory.incidents.models import ExternalReference, Incident, Service, Tag
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for


def _busy(postmortem: Postmortem) -> tuple[Incident, Incident]:
    """The postmortem's incident with lists in no particular insertion order, and a second
    incident whose lists are empty."""
    incident = postmortem.incidents.get()
    incident.services.set(
        [
            Service.objects.create(slug=slug, name=name)
            for slug, name in (("zeta", "Zeta API"), ("alpha", "Alpha queue"), ("beta", "Beta DB"))
        ]
    )
    incident.teams.add(Team.objects.create(slug="ops", name="Ops"))
    incident.tags.set([Tag.objects.create(slug=s) for s in ("tls", "dns", "cert")])
    ExternalReference.objects.create(incident=incident, system="jira", identifier="OPS-2")
    ExternalReference.objects.create(
        incident=incident, system="github", identifier="org/repo#7", url="https://example.com/7"
    )
    other = Incident.objects.create(key="INC-EMPTY", title="Nothing", severity=incident.severity)
    return incident, other


def test_the_facts_are_the_models_lists_in_their_order(postmortem: Postmortem) -> None:
    incident, other = _busy(postmortem)
    found = facts_of([incident, other])
    facts = found[incident.pk]
    assert facts.services == [Named(s.name, s.slug) for s in incident.services.all()]
    assert facts.teams == [Named(t.name, t.slug) for t in incident.teams.all()]
    assert [t.slug for t in facts.tags] == ["cert", "dns", "tls"]
    assert facts.references == [
        Reference("github", "org/repo#7", "https://example.com/7"),
        Reference("jira", "OPS-2", ""),
    ]
    assert facts == facts_prefetched(incident)
    assert found[other.pk] == facts_prefetched(other)
    assert not found[other.pk].services and not found[other.pk].references
    assert facts_of([]) == {}


def test_the_postmortem_and_incident_pages_show_the_facts(
    postmortem: Postmortem, alice: User
) -> None:
    incident, _other = _busy(postmortem)
    client = client_for(alice)
    for status in ("draft", "published"):  # a draft has the publication checklist too
        Postmortem.objects.filter(pk=postmortem.pk).update(status=status)
        for url in (
            reverse("postmortems:detail", args=[postmortem.key]),
            reverse("incidents:detail", args=[incident.key]),
        ):
            html = client.get(url).content.decode()
            services = [html.index(f"subscribe=service:{s}") for s in ("alpha", "beta", "zeta")]
            assert services == sorted(services), (status, url)
            assert "subscribe=team:ops" in html
            tags = [html.index(f'<span class="tag">{s}</span>') for s in ("cert", "dns", "tls")]
            assert tags == sorted(tags)
            assert (
                'href="https://example.com/7" rel="noopener noreferrer">github: org/repo#7' in html
            )
            assert "jira: OPS-2" in html
