"""Keep the search document of every postmortem up to date, and the word counts the
similar-incidents ranking compares (``similar_terms``) with it.

``index_postmortem`` runs inside the transaction of each change (it is called
by ``record_revision`` and by the loaders), ``index_postmortems`` indexes many
at once, and ``rebuild`` recreates every document in batches of constant size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.core.search import keys
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.library.models import (
    SearchDocument,
    SearchKeys,
    SearchVector,
    SimilarTerms,
    WordScore,
)
from secondstory.library.similar_terms import keep_terms
from secondstory.postmortems.models import ContributingFactor, Postmortem

BATCH = 500
#: The timeline's share of a search document: its first events, up to so many characters
#: per incident (docs/search.md). A save never rereads a 200,000-event timeline.
TIMELINE_EVENTS = 2_000
TIMELINE_CHARS = 200_000
FEW_INCIDENTS = 20
NARRATIVE = [field for field in taxonomy.SECTION_FIELDS if field != "summary"]
#: Characters that mark highlights in snippets; they are removed from indexed text.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
#: The SQLite trigger that removes a deleted document from the FTS5 index.
AD = "library_search_ad"
_CLEAN = str.maketrans({MARK_OPEN: " ", MARK_CLOSE: " "})


def _clean(text: str) -> str:
    return text.translate(_CLEAN)


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for key, text in rows:
        if text:
            grouped[key].append(text)
    return grouped


def _collect(
    ids: dict[int, list[int]], rows: Iterable[tuple[int, int, str, str]]
) -> Iterable[tuple[int, str, str]]:
    """Yield (incident, slug, name) and note each label's primary key per incident."""
    for incident, pk, slug, name in rows:
        ids[incident].append(pk)
        yield incident, slug, name


def _readers(pks: list[int]) -> dict[int, list[int]]:
    """Collaborators and reviewers per postmortem (the owner and facilitator are on the row)."""
    people: dict[int, list[int]] = defaultdict(list)
    for through in (Postmortem.collaborators.through, Postmortem.reviewers.through):
        for postmortem, user in through.objects.filter(postmortem_id__in=pks).values_list(
            "postmortem_id", "user_id"
        ):
            people[postmortem].append(user)
    return people


def _members(teams: set[int]) -> dict[int, set[int]]:
    """The members of each of ``teams``."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = Team.members.through.objects.filter(team_id__in=teams).values_list("team_id", "user_id")
    for team, user in rows:
        found[team].add(user)
    return found


def _access(closed: list[set[int]], members: dict[int, set[int]]) -> tuple[set[int], list[int]]:
    """Who reads a restricted postmortem through teams: a member of a team of *every*
    restricted incident (docs/permissions.md).

    With one restricted incident that is its teams (a token per team, so a change of
    membership needs no new index). With several, the teams they all share, plus the
    people who are in a team of each one and in none of those shared teams, by name.
    """
    if not closed:
        return set(), []
    shared = set.intersection(*closed)
    if len(closed) == 1:
        return shared, []
    inside = [set().union(*(members.get(t, set()) for t in teams)) for teams in closed]
    through_shared = set().union(*(members.get(t, set()) for t in shared))
    return shared, sorted(set.intersection(*inside) - through_shared)


def _timeline_texts(incident_ids: list[int]) -> dict[int, list[str]]:
    """The first ``TIMELINE_EVENTS`` events' texts of each incident, cut at ``TIMELINE_CHARS``."""
    events = TimelineEvent.objects.values_list("incident_id", "text")
    order = ("at", "source", "source_ref")
    rows: Iterable[tuple[int, str]]
    if len(incident_ids) <= FEW_INCIDENTS:
        # One save: a LIMIT per incident walks the (incident, at) index and stops early.
        rows = [
            row
            for pk in incident_ids
            for row in events.filter(incident_id=pk).order_by(*order)[:TIMELINE_EVENTS]
        ]
    else:
        numbered = Window(
            RowNumber(), partition_by=[F("incident_id")], order_by=[F(f).asc() for f in order]
        )
        rows = (
            TimelineEvent.objects.filter(incident_id__in=incident_ids)
            .annotate(n=numbered)
            .filter(n__lte=TIMELINE_EVENTS)
            .order_by("incident_id", "n")
            .values_list("incident_id", "text")
        )
    texts: dict[int, list[str]] = defaultdict(list)
    room: dict[int, int] = defaultdict(lambda: TIMELINE_CHARS)
    for incident, text in rows:
        if text and room[incident] > 0:
            texts[incident].append(text[: room[incident]])
            room[incident] -= len(text) + 1
    return texts


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
    incident_rows = list(
        Incident.objects.filter(pk__in=incident_ids).values_list(
            "pk", "title", "severity_id", "visibility"
        )
    )
    titles = {pk: title for pk, title, _, _ in incident_rows}
    severity_of = {pk: severity for pk, _, severity, _ in incident_rows}
    restricted = {pk for pk, _, _, visibility in incident_rows if visibility == "restricted"}
    key_ids: dict[str, dict[int, list[int]]] = {
        name: defaultdict(list) for name in ("services", "teams", "tags")
    }
    labels = _grouped(
        (i, f"{slug} {name}")
        for i, slug, name in _collect(
            key_ids["services"],
            Incident.services.through.objects.filter(incident_id__in=incident_ids)
            .order_by("incident_id", "pk")
            .values_list("incident_id", "service_id", "service__slug", "service__name"),
        )
    )
    for i, slug, name in _collect(
        key_ids["teams"],
        Incident.teams.through.objects.filter(incident_id__in=incident_ids)
        .order_by("incident_id", "pk")
        .values_list("incident_id", "team_id", "team__slug", "team__name"),
    ):
        labels[i].append(f"{slug} {name}")
    for i, slug, _ in _collect(
        key_ids["tags"],
        Incident.tags.through.objects.filter(incident_id__in=incident_ids)
        .order_by("incident_id", "pk")
        .values_list("incident_id", "tag_id", "tag__slug", "tag__slug"),
    ):
        labels[i].append(slug)
    timeline = _timeline_texts(incident_ids)
    categories: dict[int, list[int]] = defaultdict(list)
    factors: dict[int, list[str]] = defaultdict(list)
    for p, category, name, description in (
        ContributingFactor.objects.filter(postmortem_id__in=pks)
        .order_by("postmortem_id", "position", "id")
        .values_list("postmortem_id", "category_id", "category__name", "description")
    ):
        categories[p].append(category)
        factors[p].append(f"{name}: {description}")
    actions = _grouped(
        ActionItem.objects.filter(postmortem_id__in=pks)
        .order_by("postmortem_id", "position", "id")
        .values_list("postmortem_id", "title")
    )
    incidents_of: dict[int, list[int]] = defaultdict(list)
    for postmortem_id, incident_id in links:
        incidents_of[postmortem_id].append(incident_id)
    readers = _readers(pks)
    members = _members({t for i in restricted for t in key_ids["teams"].get(i, [])})
    fields = ["pk", "title", "summary", "status", "created_at", "owner_id", "facilitator_id"]
    fields.append("is_exercise")
    documents = []
    for row in Postmortem.objects.filter(pk__in=pks).order_by("pk").values(*fields, *NARRATIVE):
        pk = row["pk"]
        mine = incidents_of.get(pk, [])
        narrative = [row[field] for field in NARRATIVE] + [titles[i] for i in mine]
        people = [row["owner_id"], row["facilitator_id"], *readers.get(pk, [])]
        closed = [set(key_ids["teams"].get(i, [])) for i in mine if i in restricted]
        access, admitted = _access(closed, members)
        document_keys = keys.document_keys(
            services=(s for i in mine for s in key_ids["services"].get(i, [])),
            teams=(t for i in mine for t in key_ids["teams"].get(i, [])),
            tags=(t for i in mine for t in key_ids["tags"].get(i, [])),
            severities=(severity_of[i] for i in mine if severity_of.get(i)),
            factors=categories.get(pk, []),
            status_code=row["status"],
            created=timezone.localtime(row["created_at"]).date(),
            restricted=any(i in restricted for i in mine),
            readers=[p for p in people if p] + admitted,
            access_teams=access,
            is_exercise=row["is_exercise"],
        )
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
                keys=document_keys,
            )
        )
    return documents


def _write(documents: list[SearchDocument], batch: int) -> None:
    # Both databases return the new ids (RETURNING), so the keys rows can point at them.
    written = SearchDocument.objects.bulk_create(documents, batch_size=batch)
    SearchKeys.objects.bulk_create(
        [SearchKeys(document_id=d.pk, facets=keys.facet_keys(d.keys)) for d in written],
        batch_size=batch,
    )


def index_postmortems(pks: Iterable[int]) -> int:
    """(Re)write the search documents of these postmortems; returns how many."""
    wanted = list(pks)
    written = 0
    with transaction.atomic():
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            # Writers of the same documents take turns, always in the same order, so two
            # never rewrite one document at once and never wait on each other in a circle.
            list(
                Postmortem.objects.select_for_update()
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            existing = SearchDocument.objects.filter(postmortem_id__in=chunk)
            ids = dict(existing.values_list("postmortem_id", "pk"))
            documents = documents_for(chunk)
            fresh = [d for d in documents if d.postmortem_id not in ids]
            changed = [d for d in documents if d.postmortem_id in ids]
            _rewrite(changed, ids)
            _write(fresh, BATCH)
            keep_terms(chunk)
            written += len(documents)
    return written


_TEXT = ("title", "summary", "factors", "actions", "labels", "narrative", "timeline", "keys")


def _rewrite(documents: list[SearchDocument], ids: dict[int, int]) -> None:
    """Update existing documents in place (the databases' update triggers keep the full-text
    index): a rewritten document keeps its row id, since the index's row order is the order
    in which postmortems were first recorded (search ranks within the newest matches)."""
    if not documents:
        return
    now = timezone.now()
    for document in documents:
        document.pk = ids[document.postmortem_id]
        document.indexed_at = now
    SearchDocument.objects.bulk_update(documents, [*_TEXT, "indexed_at"], batch_size=BATCH)
    SearchKeys.objects.bulk_create(
        [SearchKeys(document_id=d.pk, facets=keys.facet_keys(d.keys)) for d in documents],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["facets"],
    )


def index_postmortem(postmortem: Postmortem) -> None:
    """Rewrite one postmortem's search document (call it inside the change's transaction)."""
    index_postmortems([postmortem.pk])


def index_keys(keys: Iterable[str]) -> int:
    """Index the postmortems with these keys (used by the bulk loader)."""
    pks = list(Postmortem.objects.filter(key__in=list(keys)).values_list("pk", flat=True))
    return index_postmortems(pks)


def _empty_fts(cursor: Any) -> None:
    """Empty the documents and their FTS5 index, without the delete trigger.

    The trigger would remove each row from the index by its text, which fails ("database
    disk image is malformed") on an index that has drifted from the documents: the very
    case a rebuild is for.
    """
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [AD])
    (trigger,) = cursor.fetchone()
    cursor.execute(f"DROP TRIGGER {AD}")
    cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table}")
    cursor.execute(trigger)
    cursor.execute("INSERT INTO library_search_fts(library_search_fts) VALUES ('delete-all')")


def rebuild(on_batch: Callable[[int], None] = lambda n: None, *, batch: int = BATCH) -> int:
    """Recreate every search document, ``batch`` postmortems at a time; returns how many.

    Documents are written in the order the postmortems were created, oldest first, so
    the index's row order is creation order (filter-only results come newest first).
    """
    total = 0
    with transaction.atomic():
        with connection.cursor() as cursor:  # no need to read the rows to delete them all
            cursor.execute(f"DELETE FROM {SearchKeys._meta.db_table}")
            cursor.execute(f"DELETE FROM {SearchVector._meta.db_table}")
            cursor.execute(f"DELETE FROM {SimilarTerms._meta.db_table}")
            # The kept word scores first: the documents' delete triggers then find none.
            cursor.execute(f"DELETE FROM {WordScore._meta.db_table}")
            if connection.vendor == "sqlite":
                _empty_fts(cursor)
            else:
                cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table}")
        after: Q | None = None
        while True:
            rows = Postmortem.objects.order_by("created_at", "pk")
            if after is not None:
                rows = rows.filter(after)
            chunk = list(rows.values_list("created_at", "pk")[:batch])
            if not chunk:
                break
            by_pk = {d.postmortem_id: d for d in documents_for([pk for _, pk in chunk])}
            documents = [by_pk[pk] for _, pk in chunk if pk in by_pk]
            _write(documents, batch)
            keep_terms(pk for _, pk in chunk)
            total += len(documents)
            moment, last = chunk[-1]
            after = Q(created_at__gt=moment) | Q(created_at=moment, pk__gt=last)
            on_batch(len(documents))
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO library_search_fts(library_search_fts) VALUES ('optimize')"
                )
    return total
