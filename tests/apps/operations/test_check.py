"""``secondstory check`` notices damage, a search index that lags behind, and old backups."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection
from django.utils import timezone

from secondstory.cli.main import cli
from secondstory.incidents.models import Incident
from secondstory.library.models import SearchDocument
from secondstory.operations.backup import take_backup
from secondstory.operations.integrity import newest_backup, search_index
from secondstory.operations.models import BackupRecord
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record
from tests.apps.operations.installation import populate
from tests.apps.operations.test_backup_restore import run

ON_SQLITE = pytest.mark.skipif(
    "os.environ.get('SECONDSTORY_DATABASE_URL')", reason="an SQLite file"
)
ON_POSTGRES = pytest.mark.skipif(
    "not os.environ.get('SECONDSTORY_DATABASE_URL')", reason="PostgreSQL's catalogue"
)


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.output


def five_postmortems() -> None:
    from secondstory.accounts.models import User

    for name in ("alice", "bob"):
        User.objects.create_user(name, f"{name}@example.com", None)
    for n in range(5):
        load_record(postmortem_record(f"PM-{n}"))


@pytest.mark.django_db
def test_check_counts_the_postmortems_missing_from_the_search_index() -> None:
    five_postmortems()
    assert [level for level, _ in search_index()] == ["ok"]
    SearchDocument.objects.filter(postmortem__key__in=["PM-1", "PM-2", "PM-4"]).delete()
    [(level, line)] = list(search_index())
    assert level == "fail"
    assert line == (
        "search index: 3 of 5 postmortems have no search document; run `secondstory reindex`"
    )
    for options in ([], ["--quick"]):
        code, output = check(*options)
        assert code == 1
        assert "FAIL  search index: 3 of 5 postmortems have no search document" in output


@pytest.mark.django_db
def test_check_finds_documents_that_say_something_else_than_their_postmortem() -> None:
    five_postmortems()
    # Written around the services, as a bulk change or a crash between two writes would.
    Incident.objects.filter(key="INC-PM-3").update(title="A title the index never saw")
    [(level, line)] = list(search_index())
    assert (level, line) == (
        "fail",
        "search index: 1 documents are out of date; run `secondstory reindex`",
    )
    # --quick leaves the comparison of contents out, and says so.
    [(level, line)] = list(search_index(compare_content=False))
    assert level == "ok" and "contents not compared" in line


@pytest.mark.django_db
def test_check_warns_without_a_recent_backup(settings: object) -> None:
    level, line = newest_backup()
    assert level == "warn" and "backups: none recorded" in line
    code, output = check()
    assert code == 0 and "WARN  backups: none recorded" in output
    assert check("--strict")[0] == 2

    BackupRecord.objects.create(
        created_at=timezone.now() - timedelta(days=3), path="/srv/b/1", engine="x", checksum="-"
    )
    level, line = newest_backup()
    assert level == "warn" and "the newest is 3 days old" in line
    assert "SECONDSTORY_BACKUP_MAX_AGE_DAYS=1" in line
    BackupRecord.objects.create(
        created_at=timezone.now(), path="/srv/b/2", engine="x", checksum="-"
    )
    assert newest_backup()[0] == "ok"


@ON_SQLITE
@pytest.mark.django_db(transaction=True)
def test_check_fails_clearly_on_a_corrupt_index_page(tmp_path: Path) -> None:
    populate()
    copy = take_backup(tmp_path / "backups").path / "database.sqlite3"
    home = tmp_path / "home"
    home.mkdir()
    damaged = home / "secondstory.sqlite3"
    damaged.write_bytes(copy.read_bytes())
    assert run("check", SECONDSTORY_HOME=str(home)).returncode == 0

    with sqlite3.connect(damaged) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?",
            ["timeline_incident_order"],
        ).fetchone()
    with damaged.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(bytes([0x5A, 0xA5, 0x13, 0x37]) * (page_size // 4))

    result = run("check", SECONDSTORY_HOME=str(home))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "FAIL  database: SQLite quick_check found damage" in result.stdout
    assert "restore the newest good backup" in result.stdout


@ON_SQLITE
@pytest.mark.django_db(transaction=True)
def test_check_fails_when_a_reference_points_nowhere() -> None:
    five_postmortems()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("DELETE FROM accounts_user WHERE username = 'bob'")
        cursor.execute("PRAGMA foreign_keys = ON")
    code, output = check()
    assert code == 1
    assert "FAIL  database: 5 rows point at rows that do not exist" in output


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_check_fails_on_an_invalid_index_and_runs_amcheck_when_installed() -> None:
    from django.db import DatabaseError

    from secondstory.accounts.models import Team

    Team.objects.create(slug="a", name="Same")
    Team.objects.create(slug="b", name="Same")
    try:
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            # A concurrent build that fails leaves an invalid index behind.
            cursor.execute(
                "CREATE UNIQUE INDEX CONCURRENTLY team_name_once ON accounts_team (name)"
            )
        code, output = check()
        assert code == 1
        assert "FAIL  database: 1 invalid indexes (team_name_once)" in output
        assert "b-tree check skipped (CREATE EXTENSION amcheck" in output
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX team_name_once")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        code, output = check()
        assert "ok    database: every index is valid" in output
        assert "ok    database: amcheck found no damage in" in output
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS team_name_once")
            cursor.execute("DROP EXTENSION IF EXISTS amcheck")


@ON_SQLITE
@pytest.mark.django_db
def test_check_finds_documents_missing_from_the_full_text_index() -> None:
    five_postmortems()
    columns = "title, summary, factors, actions, labels, narrative, timeline"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO library_search_fts(library_search_fts, rowid, {columns}) "
            f"SELECT 'delete', id, {columns} FROM library_searchdocument LIMIT 2"
        )
    for compare_content in (False, True):
        [(level, line)] = list(search_index(compare_content=compare_content))
        assert (level, line) == (
            "fail",
            "search index: 2 documents are missing from the full-text index; "
            "run `secondstory reindex`",
        )
    # The advice holds: reindex repairs an index that has drifted from the documents.
    from secondstory.library.index import rebuild

    assert rebuild() == 5
    assert [level for level, _ in search_index()] == ["ok"]


@ON_POSTGRES
@pytest.mark.django_db
def test_check_finds_documents_without_their_postgres_vectors() -> None:
    five_postmortems()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM library_searchvector WHERE document_id IN "
            "(SELECT id FROM library_searchdocument ORDER BY id LIMIT 2)"
        )
    [(level, line)] = list(search_index(compare_content=False))
    assert (level, line) == (
        "fail",
        "search index: 2 documents have no full-text vectors; run `secondstory reindex`",
    )
    from secondstory.library.index import rebuild

    rebuild()
    assert [level for level, _ in search_index()] == ["ok"]


@ON_POSTGRES
@pytest.mark.django_db
def test_the_full_check_finds_vectors_and_facet_keys_out_of_step_with_the_text() -> None:
    five_postmortems()
    from secondstory.library.index import rebuild

    for change in (
        "UPDATE library_searchvector SET head = to_tsvector('simple', 'stale words')",
        "UPDATE library_searchvector SET facets = 'xs999'",
        "UPDATE library_searchvector SET vector = to_tsvector('simple', 'stale words')",
    ):
        with connection.cursor() as cursor:
            cursor.execute(
                f"{change} WHERE document_id = (SELECT max(id) FROM library_searchdocument)"
            )
        [(level, _)] = list(search_index(compare_content=False))
        assert level == "ok"  # only counted: the vectors are compared in the full check
        [(level, line)] = list(search_index())
        assert (level, line) == (
            "fail",
            "search index: 1 documents' full-text vectors or facet keys differ from their "
            "text; run `secondstory reindex`",
        ), change
        rebuild()
        assert [level for level, _ in search_index()] == ["ok"]


@ON_SQLITE
@pytest.mark.django_db(transaction=True)
def test_the_deep_index_check_takes_no_write_lock_and_still_finds_a_mismatch() -> None:
    five_postmortems()
    # Someone is writing meanwhile: the comparison runs on a copy and does not wait for them.
    writer = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert [level for level, _ in search_index()] == ["ok"]
    finally:
        writer.rollback()
        writer.close()

    columns = "title, summary, factors, actions, labels, narrative, timeline"
    with connection.cursor() as cursor:  # one document indexed with other words
        cursor.execute(
            f"INSERT INTO library_search_fts(library_search_fts, rowid, {columns}) "
            f"SELECT 'delete', id, {columns} FROM library_searchdocument LIMIT 1"
        )
        cursor.execute(
            "INSERT INTO library_search_fts(rowid, title) "
            "SELECT id, 'nothing like the document' FROM library_searchdocument LIMIT 1"
        )
    [(level, line)] = list(search_index())
    assert level == "fail"
    assert "the full-text index does not match the documents" in line
    assert [level for level, _ in search_index(compare_content=False)] == ["ok"]
    from secondstory.library.index import rebuild

    assert rebuild() == 5  # repaired, as the advice says
    assert [level for level, _ in search_index()] == ["ok"]


@pytest.mark.django_db
def test_the_full_check_finds_kept_ranking_scores_out_of_step() -> None:
    five_postmortems()
    from secondstory.library.index import rebuild

    damage = (
        "DELETE FROM library_wordscore WHERE document_id = "
        "(SELECT max(id) FROM library_searchdocument) AND word = (SELECT min(word) FROM "
        "library_wordscore WHERE document_id = (SELECT max(id) FROM library_searchdocument))",
        "UPDATE library_wordscore SET score = score + 1 WHERE document_id = "
        "(SELECT max(id) FROM library_searchdocument)",
        "INSERT INTO library_wordscore (document_id, word, score) VALUES (999999, 'stale', 1)",
    )
    for change in damage:
        with connection.cursor() as cursor:
            cursor.execute(change)
            changed = cursor.rowcount
        [(level, _)] = list(search_index(compare_content=False))
        assert level == "ok"  # compared in the full check only
        if connection.vendor == "sqlite" and change.startswith("UPDATE"):
            continue  # SQLite compares the words' document counts, not the scores
        assert changed
        [(level, line)] = list(search_index())
        assert level == "fail" and "kept ranking scores" in line, change
        rebuild()
        assert [level for level, _ in search_index()] == ["ok"]
