"""A search document's labels come in the order their links to the incidents were made
(the links' ids), whatever order the database keeps or finds the rows in (both databases),
so that ``secondstory check`` compares a document with what indexing writes now."""

from __future__ import annotations

from secondstory.incidents.models import Incident, Service, Tag
from secondstory.library import index
from secondstory.library.models import SearchDocument
from secondstory.operations.integrity import search_index
from secondstory.postmortems.models import Postmortem


def test_labels_follow_the_order_of_their_links(postmortem: Postmortem) -> None:
    incident = postmortem.incidents.get()
    incident.services.clear()
    incident.tags.clear()
    services = [Service.objects.create(slug=f"svc-{n}", name=f"Service {n}") for n in "abc"]
    tags = [Tag.objects.create(slug=f"tag-{n}") for n in "abc"]
    # Links written first get the highest ids: neither the order the rows were written in
    # nor an index on (incident, label) gives the order of the ids.
    for n, (service, tag) in enumerate(zip(services, tags, strict=True)):
        Incident.services.through.objects.create(
            pk=9000 - n, incident_id=incident.pk, service_id=service.pk
        )
        Incident.tags.through.objects.create(pk=9000 - n, incident_id=incident.pk, tag_id=tag.pk)
    index.index_postmortem(postmortem)
    labels = SearchDocument.objects.get(postmortem=postmortem).labels.split("\n")
    shown = [label for label in labels if label.startswith(("svc-", "tag-"))]
    assert shown == [
        "svc-c Service c",
        "svc-b Service b",
        "svc-a Service a",
        "tag-c",
        "tag-b",
        "tag-a",
    ]
    assert next(search_index())[1].startswith("search index: 1 documents, one up to date")
