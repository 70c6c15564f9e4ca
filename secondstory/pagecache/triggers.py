"""The triggers that move the page change tokens (``models``), and putting back missing ones.

Written in SQL so that every writer (a form, the API, ``load``, the admin, ``QuerySet.update``,
raw SQL) moves the tokens. A trigger names only its own table and this app's tables: SQLite
refuses to rebuild a table (how a migration alters most columns) while a trigger on another
table names it, and it drops a table's own triggers when it rebuilds it, so after every
``migrate`` ``ensure`` re-creates any that went missing (``apps.PageCacheConfig``).

- Tables of one postmortem (``POSTMORTEM``: table → the column naming the postmortem) move
  that postmortem's token; tables of one incident (``INCIDENT``) move the incident's token, so
  an event of an incident shared by two postmortems changes both pages' versions.
- What the timeline window of a postmortem reads besides its incidents (``TIMELINE``: the
  incidents link, its people, the dismissed review findings) moves the postmortem's timeline
  token (``TimelineChange``), and so does an update of the postmortem row's own columns the
  window shows (``TIMELINE_COLUMNS``, compared old to new): a section save moves only the
  postmortem's token, and the kept timeline window stays. The page's version holds both.
- Tables every page may show a row of (``SHARED``: people's names, milestone kinds, services,
  teams...) move the shared token. People are watched only for their names, since signing
  in writes ``last_login``.

An update moves the token of the row's old and new owner (an event moved to another incident
changes both). On PostgreSQL the triggers run once per statement and read the statement's
rows from its transition tables, so a bulk insert of 200,000 events adds one row per incident.
"""

from __future__ import annotations

from typing import Any

from secondstory.lib import db_triggers
from secondstory.lib.db_triggers import existing

#: Tables of one postmortem, and the column naming it.
POSTMORTEM = {
    "postmortems_postmortem": "id",
    "postmortems_contributingfactor": "postmortem_id",
    "postmortems_comment": "postmortem_id",
    "postmortems_postmortemtransition": "postmortem_id",
    "actions_actionitem": "postmortem_id",
}
#: Tables of one postmortem that its timeline window reads, and the column naming it.
TIMELINE = {
    "postmortems_postmortem_incidents": "postmortem_id",
    "postmortems_postmortem_collaborators": "postmortem_id",
    "postmortems_postmortem_reviewers": "postmortem_id",
    "postmortems_reviewdismissal": "postmortem_id",
}
#: The postmortem's columns the timeline window shows (its key in URLs, the people whose
#: names the blameless review of events knows); inserting or deleting a postmortem moves its
#: timeline token too.
TIMELINE_COLUMNS = ("key", "owner_id", "facilitator_id")
#: Before migration ``0003`` (no timeline token yet) the ``TIMELINE`` tables moved the
#: postmortem's token: ``create`` on such a database makes the triggers of then.
_TIMELINE_TABLE = "pagecache_timelinechange"
#: Tables of one incident, and the column naming it.
INCIDENT = {
    "incidents_incident": "id",
    "incidents_timelineevent": "incident_id",
    "incidents_eventreference": "incident_id",
    "incidents_milestone": "incident_id",
    "incidents_incident_services": "incident_id",
    "incidents_incident_teams": "incident_id",
    "incidents_incident_tags": "incident_id",
    "incidents_externalreference": "incident_id",
}
#: Tables whose rows any page may show, and the columns watched on update ("" for all).
SHARED = {
    "accounts_user": "username, first_name, last_name, display_name",
    "accounts_team": "",
    "incidents_milestonekind": "",
    "incidents_service": "",
    "incidents_severity": "",
    "incidents_tag": "",
    "postmortems_factorcategory": "",
}
OPERATIONS = ("insert", "update", "delete")
#: SQLite keeps one token per row, moved on modulo this (sums over a page's incidents stay
#: far below SQLite's integer limit).
MODULUS = 2**40

# --- SQLite: one row per postmortem or incident (a unique index), moved on by a random step --
_SQLITE_MOVE = """INSERT INTO pagecache_{target}change ({owner}, token)
        VALUES ({row}.{column}, 1 + abs(random() % 2147483647))
        ON CONFLICT ({owner}) DO UPDATE SET token = (token + excluded.token) % {modulus};"""
_SQLITE_SHARED = """INSERT INTO pagecache_sharedchange (id, token)
        VALUES (1, 1 + abs(random() % 2147483647))
        ON CONFLICT (id) DO UPDATE SET token = (token + excluded.token) % {modulus};"""
SQLITE_UNIQUE = [
    "CREATE UNIQUE INDEX IF NOT EXISTS pagecache_postmortemchange_one "
    "ON pagecache_postmortemchange (postmortem_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pagecache_incidentchange_one "
    "ON pagecache_incidentchange (incident_id)",
]
SQLITE_TIMELINE_UNIQUE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS pagecache_timelinechange_one "
    "ON pagecache_timelinechange (postmortem_id)"
)
#: Which owner column each token table has.
_OWNER = {"postmortem": "postmortem_id", "incident": "incident_id", "timeline": "postmortem_id"}


def _sqlite_owned(table: str, target: str, column: str) -> dict[tuple[str, str], str]:
    rows = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
    made = {}
    for op in OPERATIONS:
        body = "\n    ".join(
            _SQLITE_MOVE.format(
                target=target, owner=_OWNER[target], row=row, column=column, modulus=MODULUS
            )
            for row in rows[op]
        )
        name = f"pagecache_{table}_{op}"
        made[(name, table)] = (
            f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} BEGIN\n    {body}\nEND"
        )
    return made


def _sqlite_timeline_columns() -> dict[tuple[str, str], str]:
    """The postmortem row: its timeline token moves on insert and delete, and on an update
    only when a column the window shows changed."""
    table = "postmortems_postmortem"
    made = {}
    for op, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        name = f"pagecache_{table}_timeline_{op}"
        columns = ", ".join(f'"{c}"' for c in TIMELINE_COLUMNS)
        event = f"UPDATE OF {columns}" if op == "update" else op.upper()
        when = (
            " WHEN " + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in TIMELINE_COLUMNS)
            if op == "update"
            else ""
        )
        move = _SQLITE_MOVE.format(
            target="timeline", owner="postmortem_id", row=row, column="id", modulus=MODULUS
        )
        made[(name, table)] = (
            f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN\n    {move}\nEND"
        )
    return made


def _sqlite_shared(table: str, columns: str) -> dict[tuple[str, str], str]:
    made = {}
    for op in OPERATIONS:
        event = f"UPDATE OF {columns}" if op == "update" and columns else op.upper()
        name = f"pagecache_{table}_{op}"
        made[(name, table)] = (
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN\n    "
            f"{_SQLITE_SHARED.format(modulus=MODULUS)}\nEND"
        )
    return made


# --- PostgreSQL: a row per statement and owner, from the statement's transition tables -----
POSTGRES_FUNCTIONS = [
    # TG_ARGV[0]: the token table ('postmortem', 'incident' or 'timeline'); TG_ARGV[1]: the
    # column naming the owner; TG_ARGV[2]: the token table's owner column.
    """
CREATE OR REPLACE FUNCTION pagecache_note_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sql text := 'INSERT INTO pagecache_' || TG_ARGV[0] || 'change (' || TG_ARGV[2]
        || ', token) SELECT owner, 1 + floor(random() * 2147483646)::bigint FROM (';
    col text := quote_ident(TG_ARGV[1]);
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE sql || 'SELECT DISTINCT ' || col || ' AS owner FROM pagecache_new) o';
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE sql || 'SELECT DISTINCT ' || col || ' AS owner FROM pagecache_old) o';
    ELSE
        EXECUTE sql || 'SELECT ' || col || ' AS owner FROM pagecache_old UNION SELECT '
            || col || ' FROM pagecache_new) o';
    END IF;
    RETURN NULL;
END
$$""",
    """
CREATE OR REPLACE FUNCTION pagecache_note_shared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pagecache_sharedchange (token) VALUES (1 + floor(random() * 2147483646)::bigint);
    RETURN NULL;
END
$$""",
    # The postmortems whose columns shown by the timeline window changed in the statement.
    f"""
CREATE OR REPLACE FUNCTION pagecache_note_timeline_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pagecache_timelinechange (postmortem_id, token)
    SELECT n.id, 1 + floor(random() * 2147483646)::bigint
    FROM pagecache_new n JOIN pagecache_old o ON o.id = n.id
    WHERE {" OR ".join(f'o."{c}" IS DISTINCT FROM n."{c}"' for c in TIMELINE_COLUMNS)};
    RETURN NULL;
END
$$""",
]
_POSTGRES_FUNCTIONS = (
    "pagecache_note_rows()",
    "pagecache_note_shared()",
    "pagecache_note_timeline_columns()",
)
_PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS pagecache_new",
    "update": "REFERENCING OLD TABLE AS pagecache_old NEW TABLE AS pagecache_new",
    "delete": "REFERENCING OLD TABLE AS pagecache_old",
}


def _postgres_owned(table: str, target: str, column: str) -> dict[tuple[str, str], str]:
    made = {
        (f"pagecache_{op}", table): f"CREATE TRIGGER pagecache_{op} AFTER {op.upper()} ON {table} "
        f"{_PG_REFERENCING[op]} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION pagecache_note_rows('{target}', '{column}', '{_OWNER[target]}')"
        for op in OPERATIONS
    }
    # Emptying a table in one go changes every page: the shared token.
    made[("pagecache_truncate", table)] = (
        f"CREATE TRIGGER pagecache_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION pagecache_note_shared()"
    )
    return made


def _postgres_timeline_columns() -> dict[tuple[str, str], str]:
    table = "postmortems_postmortem"
    made = {
        (f"pagecache_timeline_{op}", table): f"CREATE TRIGGER pagecache_timeline_{op} AFTER "
        f"{op.upper()} ON {table} {_PG_REFERENCING[op]} FOR EACH STATEMENT "
        "EXECUTE FUNCTION pagecache_note_rows('timeline', 'id', 'postmortem_id')"
        for op in ("insert", "delete")
    }
    made[("pagecache_timeline_update", table)] = (
        f"CREATE TRIGGER pagecache_timeline_update AFTER UPDATE ON {table} "
        f"{_PG_REFERENCING['update']} FOR EACH STATEMENT "
        "EXECUTE FUNCTION pagecache_note_timeline_columns()"
    )
    return made


def _postgres_shared(table: str, columns: str) -> dict[tuple[str, str], str]:
    update = f"UPDATE OF {columns}" if columns else "UPDATE"
    return {
        ("pagecache_change", table): f"CREATE TRIGGER pagecache_change AFTER INSERT OR {update} "
        f"OR DELETE OR TRUNCATE ON {table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION pagecache_note_shared()"
    }


def all_triggers(vendor: str, *, timeline: bool = True) -> dict[tuple[str, str], str]:
    """(trigger, table) → its CREATE statement (``timeline=False``: as before migration
    ``0003``, without the timeline token)."""
    sqlite = vendor == "sqlite"
    owned, shared = (
        (_sqlite_owned, _sqlite_shared) if sqlite else (_postgres_owned, _postgres_shared)
    )
    made: dict[tuple[str, str], str] = {}
    for table, column in POSTMORTEM.items():
        made.update(owned(table, "postmortem", column))
    for table, column in TIMELINE.items():
        made.update(owned(table, "timeline" if timeline else "postmortem", column))
    if timeline:
        made.update(_sqlite_timeline_columns() if sqlite else _postgres_timeline_columns())
    for table, column in INCIDENT.items():
        made.update(owned(table, "incident", column))
    for table, columns in SHARED.items():
        made.update(shared(table, columns))
    return made


def _with_timeline(connection: Any) -> bool:
    return _TIMELINE_TABLE in connection.introspection.table_names()


def create(connection: Any, *, timeline: bool | None = None) -> None:
    """Every trigger (and on PostgreSQL their functions); migrations ``0002`` and ``0003``.
    With the timeline token when its table exists (or as ``timeline`` says)."""
    timeline = _with_timeline(connection) if timeline is None else timeline
    with connection.cursor() as cursor:
        _prepare(connection, cursor, timeline)
        for sql in all_triggers(connection.vendor, timeline=timeline).values():
            cursor.execute(sql)
        _new_shared_token(cursor)


def drop(connection: Any) -> None:
    """Every trigger of either layout, and the functions."""
    both = {**all_triggers(connection.vendor, timeline=False), **all_triggers(connection.vendor)}
    db_triggers.drop(connection, both, _POSTGRES_FUNCTIONS)


def _prepare(connection: Any, cursor: Any, timeline: bool) -> None:
    if connection.vendor == "sqlite":
        for sql in SQLITE_UNIQUE:
            cursor.execute(sql)
        if timeline:
            cursor.execute(SQLITE_TIMELINE_UNIQUE)
    else:
        for sql in POSTGRES_FUNCTIONS if timeline else POSTGRES_FUNCTIONS[:2]:
            cursor.execute(sql)


def _new_shared_token(cursor: Any) -> None:
    """Writes made while a trigger was missing went unrecorded: every page's version moves."""
    cursor.execute(
        "INSERT INTO pagecache_sharedchange (token) "
        "SELECT 1 + COALESCE(MAX(token), 0) FROM pagecache_sharedchange"
    )


def ensure(connection: Any) -> list[str]:
    """Re-create the triggers that are missing; the names (``trigger on table``) put back.

    Does nothing before this app's tables exist (a database migrated only part way).
    """
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    tables = set(connection.introspection.table_names())
    if "pagecache_sharedchange" not in tables:
        return []
    timeline = _TIMELINE_TABLE in tables
    if connection.vendor == "sqlite":
        # The triggers' upserts need the unique indexes; a rebuilt table would have lost them.
        with connection.cursor() as cursor:
            for sql in SQLITE_UNIQUE:
                cursor.execute(sql)
            if timeline:
                cursor.execute(SQLITE_TIMELINE_UNIQUE)
    present = existing(connection)
    missing = {
        key: sql
        for key, sql in all_triggers(connection.vendor, timeline=timeline).items()
        if key[1] in tables and key not in present
    }
    if not missing:
        return []
    with connection.cursor() as cursor:
        _prepare(connection, cursor, timeline)
        for sql in missing.values():
            cursor.execute(sql)
        _new_shared_token(cursor)
    return sorted(f"{name} on {table}" for name, table in missing)
