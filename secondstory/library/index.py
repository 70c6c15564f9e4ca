"""Keep the search document of every postmortem up to date.

``index_postmortem`` runs inside the transaction of each change (it is called
by ``record_revision`` and by the loaders), ``index_postmortems`` indexes many
at once, and ``rebuild`` recreates every document in batches of constant size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.library.models import SearchDocument
from secondstory.postmortems.models import ContributingFactor, Postmortem

BATCH = 500
NARRATIVE = [field for field in taxonomy.SECTION_FIELDS if field != "summary"]
#: Characters that mark highlights in snippets; they are removed from indexed text.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
_CLEAN = str.maketrans({MARK_OPEN: " ", MARK_CLOSE: " "})


def _clean(text: str) -> str:
    return text.translate(_CLEAN)


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for key, text in rows:
        if text:
            grouped[key].append(text)
    return grouped


def documents_for(pks: list[int]) -> list[SearchDocument]:
    """The search documents of these postmortems (unsaved), read with a fixed number of queries.

    Plain rows rather than model instances: this is what makes a full rebuild fast.
    """
    links = list(
        Postmortem.incidents.through.objects.filter(postmortem_id__in=pks)
        .order_by("postmortem_id", "incident_id")
        .values_list("postmortem_id", "incident_id")
    )
    incident_ids = sorted({incident for _, incident in links})
    titles = dict(Incident.objects.filter(pk__in=incident_ids).values_list("pk", "title"))
    labels = _grouped(
        (i, f"{slug} {name}")
        for i, slug, name in Incident.services.through.objects.filter(
            incident_id__in=incident_ids
        ).values_list("incident_id", "service__slug", "service__name")
    )
    for i, slug, name in Incident.teams.through.objects.filter(
        incident_id__in=incident_ids
    ).values_list("incident_id", "team__slug", "team__name"):
        labels[i].append(f"{slug} {name}")
    for i, slug in Incident.tags.through.objects.filter(incident_id__in=incident_ids).values_list(
        "incident_id", "tag__slug"
    ):
        labels[i].append(slug)
    timeline = _grouped(
        TimelineEvent.objects.filter(incident_id__in=incident_ids)
        .order_by("incident_id", "at", "source", "source_ref")
        .values_list("incident_id", "text")
    )
    factors = _grouped(
        (p, f"{name}: {description}")
        for p, name, description in ContributingFactor.objects.filter(postmortem_id__in=pks)
        .order_by("postmortem_id", "position", "id")
        .values_list("postmortem_id", "category__name", "description")
    )
    actions = _grouped(
        ActionItem.objects.filter(postmortem_id__in=pks)
        .order_by("postmortem_id", "position", "id")
        .values_list("postmortem_id", "title")
    )
    incidents_of: dict[int, list[int]] = defaultdict(list)
    for postmortem_id, incident_id in links:
        incidents_of[postmortem_id].append(incident_id)
    fields = ["pk", "title", "summary", *NARRATIVE]
    documents = []
    for row in Postmortem.objects.filter(pk__in=pks).order_by("pk").values(*fields):
        pk = row["pk"]
        mine = incidents_of.get(pk, [])
        narrative = [row[field] for field in NARRATIVE] + [titles[i] for i in mine]
        documents.append(
            SearchDocument(
                postmortem_id=pk,
                title=_clean(row["title"]),
                summary=_clean(row["summary"]),
                factors=_clean("\n".join(factors.get(pk, []))),
                actions=_clean("\n".join(actions.get(pk, []))),
                labels=_clean("\n".join(dict.fromkeys(t for i in mine for t in labels.get(i, [])))),
                narrative=_clean("\n\n".join(part for part in narrative if part)),
                timeline=_clean("\n".join(t for i in mine for t in timeline.get(i, []))),
            )
        )
    return documents


def index_postmortems(pks: Iterable[int]) -> int:
    """(Re)write the search documents of these postmortems; returns how many."""
    wanted = list(pks)
    written = 0
    with transaction.atomic():
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            SearchDocument.objects.filter(postmortem_id__in=chunk).delete()
            documents = documents_for(chunk)
            SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
            written += len(documents)
    return written


def index_postmortem(postmortem: Postmortem) -> None:
    """Rewrite one postmortem's search document (call it inside the change's transaction)."""
    index_postmortems([postmortem.pk])


def index_keys(keys: Iterable[str]) -> int:
    """Index the postmortems with these keys (used by the bulk loader)."""
    pks = list(Postmortem.objects.filter(key__in=list(keys)).values_list("pk", flat=True))
    return index_postmortems(pks)


def rebuild(on_batch: Callable[[int], None] = lambda n: None, *, batch: int = BATCH) -> int:
    """Recreate every search document, ``batch`` postmortems at a time; returns how many."""
    total = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        last = 0
        while True:
            chunk = list(
                Postmortem.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not chunk:
                break
            documents = documents_for(chunk)
            SearchDocument.objects.bulk_create(documents, batch_size=batch)
            total += len(documents)
            last = chunk[-1]
            on_batch(len(documents))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO library_search_fts(library_search_fts) VALUES ('optimize')"
                )
    return total
