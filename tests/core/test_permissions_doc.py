"""docs/permissions.md prints the table that secondstory.core.permissions enforces."""

from __future__ import annotations

from pathlib import Path

from secondstory.core import permissions as table

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
HEADER = "| On a postmortem they can read |"


def documented_rows(header: str = HEADER) -> dict[str, dict[str, bool]]:
    """The table under ``header`` in docs/permissions.md: action -> column -> yes/no."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(header))
    columns = [c.strip() for c in lines[start].strip("|").split("|")][1:]
    rows: dict[str, dict[str, bool]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        label, *answers = [c.strip() for c in line.strip("|").split("|")]
        action = label.rsplit("(`", 1)[1].rstrip("`)")
        rows[action] = {c: a == "yes" for c, a in zip(columns, answers, strict=True)}
    return rows


def test_the_postmortem_table_is_the_one_the_code_enforces() -> None:
    expected = {
        action: {
            "Admin": table.may_on_postmortem(action, table.ADMIN, frozenset()),
            **{
                role.capitalize(): table.may_on_postmortem(
                    action, table.RESPONDER, frozenset({role})
                )
                for role in table.POSTMORTEM_ROLES
            },
        }
        for action in table.POSTMORTEM_RULES
    }
    assert documented_rows() == expected


def test_viewers_change_nothing_and_owners_never_review() -> None:
    every = frozenset(table.POSTMORTEM_ROLES)
    assert not any(table.may_on_postmortem(a, table.VIEWER, every) for a in table.POSTMORTEM_RULES)
    assert not table.may_on_postmortem("review", table.ADMIN, every)
    assert table.may_on_postmortem("review", table.ADMIN, every - {table.OWNER})


def test_the_open_endpoints_are_the_ones_the_code_opens() -> None:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("| Endpoint | What it tells |")
    documented = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        endpoint, meaning = (c.strip() for c in line.strip("|").split("|"))
        documented[endpoint.strip("`/")] = meaning
    assert documented == table.OPEN_PROBES


def test_the_game_day_table_is_the_one_the_code_enforces() -> None:
    roles = {"Admin": table.ADMIN, "Responder": table.RESPONDER, "Viewer": table.VIEWER}
    expected = {
        "may_run_game_days": {c: table.may_run_game_days(r) for c, r in roles.items()},
        "may_read_game_day": {c: table.may_read_game_day(reads_review=True) for c in roles},
        "may_verify_action_item": {
            c: table.may_verify_action_item(r, reads_item=True, reads_game_day=True)
            for c, r in roles.items()
        },
    }
    assert documented_rows("| Game days |") == expected
    assert not table.may_read_game_day(reads_review=False)
    assert not table.may_verify_action_item(table.ADMIN, reads_item=False, reads_game_day=True)
