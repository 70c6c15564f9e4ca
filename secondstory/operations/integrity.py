"""What ``secondstory check`` looks for beyond the configuration: damage, a stale search
index and a missing backup. Each check yields ``(level, line)`` with level ok, warn or fail.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

OK, WARN, FAIL = "ok", "warn", "fail"
Line = tuple[str, str]
#: Problems listed by name before "and N more".
SHOWN = 5
BATCH = 500


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def database_integrity() -> Iterator[Line]:
    if connection.vendor == "sqlite":
        yield from _sqlite_integrity()
    elif connection.vendor == "postgresql":
        yield from _postgres_integrity()


def _sqlite_integrity() -> Iterator[Line]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA quick_check")
            problems = [row[0] for row in cursor.fetchall()]
    except DatabaseError as exc:
        problems = [_first_line(exc)]
    if problems == ["ok"]:
        yield OK, "database: SQLite quick_check found no damage"
    else:
        yield FAIL, _damage("SQLite quick_check", problems)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            broken = cursor.fetchall()
    except DatabaseError as exc:
        yield FAIL, f"database: foreign_key_check failed ({_first_line(exc)})"
        return
    if broken:
        tables = sorted({f"{row[0]} -> {row[2]}" for row in broken})
        yield (
            FAIL,
            f"database: {len(broken)} rows point at rows that do not exist "
            f"({', '.join(tables[:SHOWN])}); restore the newest good backup",
        )
    else:
        yield OK, "database: every reference points at an existing row"


def _damage(what: str, problems: list[str]) -> str:
    shown = "; ".join(problems[:SHOWN])
    more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
    return (
        f"database: {what} found damage: {shown}{more}; stop the application and restore the "
        "newest good backup (docs/operations.md)"
    )


def _postgres_integrity() -> Iterator[Line]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace
               ORDER BY c.relname"""
        )
        invalid = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
        has_amcheck = cursor.fetchone() is not None
    if invalid:
        yield (
            FAIL,
            f"database: {len(invalid)} invalid indexes ({', '.join(invalid[:SHOWN])}); "
            "rebuild them with REINDEX INDEX CONCURRENTLY <name>",
        )
    else:
        yield OK, "database: every index is valid"
    if not has_amcheck:
        yield OK, "database: b-tree check skipped (CREATE EXTENSION amcheck to enable it)"
        return
    yield _amcheck()


def _amcheck() -> Line:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_am a ON a.oid = c.relam
               WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready
                 AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname"""
        )
        names = [row[0] for row in cursor.fetchall()]
    problems = []
    for name in names:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT bt_index_check(%s::regclass)", [name])
        except DatabaseError as exc:
            problems.append(f"{name}: {_first_line(exc)}")
    if problems:
        return FAIL, _damage("amcheck", problems)
    return OK, f"database: amcheck found no damage in {len(names)} b-tree indexes"


def search_index(*, compare_content: bool = True) -> Iterator[Line]:
    """Every postmortem has exactly one search document, and it says what the postmortem says.

    Comparing the content reads every postmortem as ``reindex`` does (about 2 ms each);
    without it, missing, orphaned and old-format documents are still counted.
    """
    from secondstory.library.models import SearchDocument
    from secondstory.postmortems.models import Postmortem

    postmortems = Postmortem.objects.count()
    documents = SearchDocument.objects.count()
    missing = Postmortem.objects.filter(search_document__isnull=True).count()
    orphans = SearchDocument.objects.exclude(
        postmortem_id__in=Postmortem.objects.values("pk")
    ).count()
    old_format = SearchDocument.objects.filter(keys="").count()
    stale = _stale_documents() - old_format if compare_content else 0
    uncounted = Postmortem.objects.filter(similar_terms__isnull=True).count()
    miscounted = _stale_terms() if compare_content else 0
    problems = []
    if missing:
        problems.append(f"{missing} of {postmortems} postmortems have no search document")
    if orphans:
        problems.append(f"{orphans} documents belong to no postmortem")
    if old_format:
        problems.append(f"{old_format} documents were indexed by an older version")
    if stale > 0:
        problems.append(f"{stale} documents are out of date")
    if uncounted:
        problems.append(
            f"{uncounted} of {postmortems} postmortems have no word counts for similar incidents"
        )
    if miscounted:
        problems.append(
            f"{miscounted} postmortems' word counts for similar incidents are out of date"
        )
    problems.extend(_engine_index_problems(documents, deep=compare_content))
    if problems:
        yield FAIL, "search index: " + "; ".join(problems) + "; run `secondstory reindex`"
    else:
        if compare_content:
            yield OK, f"search index: {documents} documents, one up to date for every postmortem"
        else:
            yield (
                OK,
                (
                    f"search index: {documents} documents, one for every postmortem "
                    "(contents not compared: --quick)"
                ),
            )


def _stale_documents() -> int:
    """Documents whose text or keys differ from what indexing the postmortem now writes."""
    from secondstory.library.index import documents_for
    from secondstory.library.models import SearchDocument

    fields = ["title", "summary", "factors", "actions", "labels", "narrative", "timeline", "keys"]
    stale = 0
    pks = list(SearchDocument.objects.order_by("postmortem_id").values_list("postmortem_id"))
    for start in range(0, len(pks), BATCH):
        chunk = [pk for (pk,) in pks[start : start + BATCH]]
        stored = {
            row[0]: _comparable(row[1:])
            for row in SearchDocument.objects.filter(postmortem_id__in=chunk).values_list(
                "postmortem_id", *fields
            )
        }
        for document in documents_for(chunk):
            fresh = _comparable(tuple(getattr(document, f) for f in fields))
            if stored.get(document.postmortem_id) != fresh:
                stale += 1
    return stale


def _stale_terms() -> int:
    """Postmortems whose kept word counts (similar incidents) differ from counting them now."""
    from secondstory.library.similar_terms import stale_terms
    from secondstory.postmortems.models import Postmortem

    pks = list(Postmortem.objects.order_by("pk").values_list("pk", flat=True))
    return sum(stale_terms(pks[start : start + BATCH])[1] for start in range(0, len(pks), BATCH))


def _comparable(values: tuple[str, ...]) -> tuple[object, ...]:
    """Labels and keys are sets whose order follows the database's row order: sort them."""
    *text, labels, narrative, timeline, keys = values
    return (*text, sorted(labels.split("\n")), narrative, timeline, sorted(keys.split()))


def _engine_index_problems(documents: int, *, deep: bool) -> list[str]:
    """The database's own full-text index agrees with the documents."""
    if connection.vendor == "sqlite":
        problems = _fts_problems(deep=deep)
        return problems or _word_score_problems(deep=deep)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM library_searchvector v JOIN library_searchdocument d"
            " ON d.id = v.document_id"
        )
        vectors = int(cursor.fetchone()[0])
    problems = []
    if vectors != documents:
        problems.append(f"{documents - vectors} documents have no full-text vectors")
    if deep and not problems:
        from secondstory.library.vectors import differing_sql

        with connection.cursor() as cursor:
            cursor.execute(differing_sql())
            differing = int(cursor.fetchone()[0])
        if differing:
            problems.append(
                f"{differing} documents' full-text vectors or facet keys differ from their text"
            )
    return problems or _word_score_problems(deep=deep)


def _word_score_problems(*, deep: bool) -> list[str]:
    """The kept word scores that ranking reads agree with the full-text index (deep only:
    it reads the whole index)."""
    if not deep:
        return []
    from secondstory.library.wordscore import differing_words

    differing = differing_words()
    if connection.vendor == "sqlite" and differing:
        return [f"{differing} words' kept ranking scores disagree with the full-text index"]
    if differing:
        return [f"{differing} documents' kept ranking scores differ from their vectors"]
    return []


def _fts_problems(*, deep: bool) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM library_searchdocument d WHERE NOT EXISTS"
            " (SELECT 1 FROM library_search_fts_docsize s WHERE s.id = d.id)"
        )
        unindexed = int(cursor.fetchone()[0])
    if unindexed:
        return [f"{unindexed} documents are missing from the full-text index"]
    if not deep:
        return []
    try:
        _fts_integrity_on_a_copy()
    except sqlite3.DatabaseError as exc:
        return [f"the full-text index does not match the documents ({_first_line(exc)})"]
    except OSError as exc:
        return [f"the full-text index was not compared: no room for a copy ({exc.strerror})"]
    return []


def _fts_integrity_on_a_copy() -> None:
    """FTS5's integrity check, on a copy of the database.

    The check compares the index with the documents and raises "database disk image is
    malformed" when they disagree, but it is a write statement: on the live file it would
    hold SQLite's write lock while it runs (2.5 s at 10,000 postmortems), and every save
    would wait. The copy is taken with the backup API, as of one read transaction that
    writers do not wait for, into a private folder beside the database, and removed after.
    """
    source_path = Path(str(connection.settings_dict["NAME"]))
    with tempfile.TemporaryDirectory(prefix=".check-", dir=source_path.parent) as folder:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=60)
        copy = sqlite3.connect(Path(folder) / "copy.sqlite3")
        try:
            source.backup(copy)
            copy.execute(
                "INSERT INTO library_search_fts(library_search_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )
        finally:
            copy.close()
            source.close()


def newest_backup() -> Line:
    from secondstory.operations.models import BackupRecord

    limit = settings.SECONDSTORY_BACKUP_MAX_AGE_DAYS
    newest = BackupRecord.objects.order_by("-created_at").first()
    if newest is None:
        level = WARN if limit else OK
        return level, "backups: none recorded; run `secondstory backup DIR` (docs/operations.md)"
    age = timezone.now() - newest.created_at
    when = f"{newest.created_at:%Y-%m-%d %H:%M} UTC at {newest.path}"
    if limit and age > timedelta(days=limit):
        return (
            WARN,
            f"backups: the newest is {age.days} days old ({when}); more than "
            f"SECONDSTORY_BACKUP_MAX_AGE_DAYS={limit}",
        )
    return OK, f"backups: newest {when}"
