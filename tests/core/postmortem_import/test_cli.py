"""``secondstory import-postmortems --dry-run``: no database, a report or JSON lines."""

from __future__ import annotations

import json

from click.testing import CliRunner

from secondstory.cli.postmortem_import import import_postmortems
from secondstory.core.timeline.event import event_json
from tests.core.postmortem_import.snapshot import FIXTURES, run

GOOD = FIXTURES / "heading-timeline.md"
BROKEN = FIXTURES / "broken-front-matter.md"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(import_postmortems, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_jsonl_prints_event_json_plus_file() -> None:
    code, out, err = invoke(str(GOOD), "--dry-run", "--format", "jsonl")
    assert code == 0 and not err
    rows = [json.loads(line) for line in out.splitlines()]
    expected = [
        {**event_json(e), "file": str(GOOD)} for e in run(GOOD.name).record.incidents[0].timeline
    ]
    assert rows == expected


def test_dry_run_text_reports_each_file_and_a_summary() -> None:
    code, out, err = invoke(str(GOOD), str(BROKEN), "--dry-run")
    assert code == 1
    assert out.splitlines()[0] == (
        f"would import heading-timeline (2 sections, 4 timeline events, 1 factors, "
        f"2 action items; 2 warnings) from {GOOD}"
    )
    assert f"  warning: {GOOD}:28: factors:" in out
    assert out.splitlines()[-1] == "1 would be imported, 1 refused, 0 skipped; 2 warnings"
    assert err.strip() == (
        f"error: {BROKEN}:4: front_matter: not valid YAML: expected ',' or ']', "
        "but got '<stream end>'"
    )


def test_folder_dry_run_lists_skipped_files(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "README.md").write_text("# About these postmortems\n")
    (root / "2024-02-02-dns.md").write_text("# DNS\n\n## Summary\n\nResolvers timed out.\n")
    code, out, _ = invoke(str(root), "--dry-run")
    assert code == 0
    assert f"skipped {root / 'README.md'}: not a postmortem (project file)" in out
    assert "would import 2024-02-02-dns (1 sections" in out


def test_usage_errors_are_one_line() -> None:
    code, _, err = invoke(str(GOOD), "--format", "jsonl")
    assert code == 1 and err.strip() == "error: --format jsonl prints a dry run; add --dry-run"
    code, _, err = invoke(str(GOOD), "--dry-run", "--tz", "Nowhere/Land")
    assert code == 1 and err.startswith("error: --tz: unknown time zone 'Nowhere/Land'")
    code, _, err = invoke(str(GOOD), "--dry-run", "--severity", "SEV7")
    assert code == 1 and "unknown severity 'SEV7'" in err
