"""`secondstory review`: the contract scripts rely on (keys, positions, exit codes, SARIF)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from secondstory.cli.main import cli
from secondstory.cli.review import (
    RECORD_KEYS,
    Document,
    exit_status,
    finding_record,
    format_sarif,
    marked_sentence,
    read_names_file,
)
from secondstory.core.review.finding import Finding

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "review" / "cli"
POSTMORTEM = FIXTURES / "postmortem.md"
NEUTRAL = FIXTURES / "neutral.md"
BLAME_SENTENCE = "Priya should have checked the dashboard before deploying."


@pytest.fixture(autouse=True)
def outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Organisation settings are read from the working directory: keep it empty."""
    monkeypatch.chdir(tmp_path)


def run(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["review", *args], input=input, catch_exceptions=False)


def records(*args: str) -> list[dict[str, Any]]:
    result = run("--format", "jsonl", *args)
    assert result.exit_code in (0, 1), result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def finding(text: str, span: str, sentence: str, severity: str = "blame") -> Finding:
    start = text.index(span)
    return Finding(
        "counterfactual", "counterfactual", severity, start, start + len(span),
        0, 0, 0, 0, sentence, "Explains why.", "What made checking hard?",
    )  # fmt: skip


# The pure formatting, against hand-made findings.


def test_a_record_has_exactly_the_contract_keys_and_1_based_positions() -> None:
    text = POSTMORTEM.read_text(encoding="utf-8")
    span = "should have checked"
    record = finding_record(Document("pm.md", text), finding(text, span, BLAME_SENTENCE))
    assert tuple(record) == RECORD_KEYS
    line = text.splitlines()[11]
    assert (record["line"], record["end_line"]) == (12, 12)
    assert record["column"] == line.index(span) + 1
    assert record["end_column"] == line.index(span) + len(span) + 1
    assert record["text"] == span
    assert record["path"] == "pm.md"


def test_a_span_across_lines_ends_on_its_own_line() -> None:
    text = "Intro.\nThe on-call\nfailed to escalate.\n"
    record = finding_record(Document("-", text), finding(text, "on-call\nfailed", "x"))
    assert (record["line"], record["column"]) == (2, 5)
    assert (record["end_line"], record["end_column"]) == (3, 7)


def test_the_sentence_is_shown_with_the_span_marked() -> None:
    text = POSTMORTEM.read_text(encoding="utf-8")
    marked = marked_sentence(
        Document("pm.md", text), finding(text, "should have checked", BLAME_SENTENCE)
    )
    assert marked == "Priya «should have checked» the dashboard before deploying."


@pytest.mark.parametrize(
    ("severity", "fail_on", "status"),
    [
        ("blame", "blame", 1),
        ("hindsight", "blame", 0),
        ("hindsight", "hindsight", 1),
        ("blame", "tone", 1),
        ("tone", "hindsight", 0),
        ("info", "tone", 0),
        ("blame", "never", 0),
    ],
)
def test_fail_on_orders_blame_above_hindsight_above_tone(
    severity: str, fail_on: str, status: int
) -> None:
    text = "She simply forgot."
    assert exit_status([finding(text, "simply", text, severity)], fail_on) == status


def test_sarif_levels_follow_the_severity() -> None:
    text = "Obviously she should have known."
    levels = {}
    for severity in ("blame", "hindsight", "tone", "info"):
        record = finding_record(Document("a.md", text), finding(text, "should", text, severity))
        log = json.loads(format_sarif([record], "0"))
        levels[severity] = log["runs"][0]["results"][0]["level"]
    assert levels == {"blame": "error", "hindsight": "warning", "tone": "note", "info": "note"}


def test_a_names_file_has_one_name_a_line_without_blanks_or_comments(tmp_path: Path) -> None:
    names = tmp_path / "people.txt"
    names.write_text("# on the incident\nWanjiru Kamau\n\n  Björn \nthe edge team\n")
    assert read_names_file(str(names)) == ("Wanjiru Kamau", "Björn", "the edge team")


# The command, in-process, with the engine.


def test_jsonl_positions_point_at_the_flagged_text_in_the_file() -> None:
    lines = POSTMORTEM.read_text(encoding="utf-8").splitlines()
    found = records(str(POSTMORTEM))
    assert found, "the fixture's blame sentence was not flagged"
    for record in found:
        assert tuple(record) == RECORD_KEYS
        assert record["path"] == str(POSTMORTEM)
        first = lines[record["line"] - 1]
        assert first[record["column"] - 1 :].startswith(record["text"].split("\n")[0])
        last = lines[record["end_line"] - 1]
        assert last[: record["end_column"] - 1].endswith(record["text"].split("\n")[-1])
    blame = [r for r in found if r["severity"] == "blame"]
    assert any(r["line"] == 12 and r["text"] in BLAME_SENTENCE for r in blame)


def test_json_is_the_list_of_the_jsonl_objects() -> None:
    result = run("--format", "json", str(POSTMORTEM))
    assert json.loads(result.stdout) == records(str(POSTMORTEM))


def test_exit_1_on_blame_and_0_when_never_failing_or_clean() -> None:
    assert run(str(POSTMORTEM)).exit_code == 1
    assert run("--fail-on", "never", str(POSTMORTEM)).exit_code == 0
    assert run(str(NEUTRAL)).exit_code == 0


def test_the_neutral_timeline_and_action_items_are_not_flagged() -> None:
    assert records(str(NEUTRAL)) == []


def test_text_shows_location_rule_marked_sentence_and_suggestion() -> None:
    output = run(str(POSTMORTEM)).stdout
    blame = next(line for line in output.splitlines() if "(blame)" in line)
    assert blame.startswith(f"{POSTMORTEM}:12:")
    following = output.split(blame, 1)[1].splitlines()
    assert "«" in following[1] and "»" in following[1]
    assert following[2].startswith("  suggestion: ")


def test_stdin_is_reviewed_with_path_dash() -> None:
    result = run("--format", "jsonl", "-", input=BLAME_SENTENCE + "\n")
    assert result.exit_code == 1
    first = json.loads(result.stdout.splitlines()[0])
    assert (first["path"], first["line"]) == ("-", 1)


def test_directories_are_searched_for_markdown(tmp_path: Path) -> None:
    (tmp_path / "pms" / "2026").mkdir(parents=True)
    (tmp_path / "pms" / "2026" / "checkout.md").write_text(BLAME_SENTENCE + "\n")
    (tmp_path / "pms" / "notes.txt").write_text(BLAME_SENTENCE + "\n")
    paths = {r["path"] for r in records(str(tmp_path / "pms"))}
    assert paths == {str(tmp_path / "pms" / "2026" / "checkout.md")}


def test_disable_turns_a_rule_off() -> None:
    rules = {r["rule"] for r in records(str(POSTMORTEM))}
    assert "counterfactual" in rules
    assert "counterfactual" not in {
        r["rule"] for r in records("--disable", "counterfactual", str(POSTMORTEM))
    }


def test_names_from_the_names_file_reach_the_engine(tmp_path: Path) -> None:
    # "Sentry" reads as a monitoring system, unless the names file says it is a person.
    (tmp_path / "pm.md").write_text("Sentry failed to escalate to the database team.\n")
    (tmp_path / "people.txt").write_text("Sentry\n")
    assert records(str(tmp_path / "pm.md")) == []
    named = records("--names-file", str(tmp_path / "people.txt"), str(tmp_path / "pm.md"))
    assert [r["rule"] for r in named] == ["counterfactual"]


def test_organisation_settings_are_merged_with_the_flags(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.secondstory.review]\ndisable = ["counterfactual"]\n'
    )
    rules = {r["rule"] for r in records(str(POSTMORTEM))}
    assert "counterfactual" not in rules


@pytest.mark.parametrize(
    "args",
    [
        ["missing.md"],
        ["--disable", "no-such-rule", "{neutral}"],
        ["--preset", "no-such-preset", "{neutral}"],
        ["--names-file", "missing-names.txt", "{neutral}"],
        ["{binary}"],
        [],
    ],
)
def test_usage_and_read_errors_exit_2_with_one_line(args: list[str], tmp_path: Path) -> None:
    binary = tmp_path / "latin1.md"
    binary.write_bytes("Ren\xe9 restarted the primary.\n".encode("latin-1"))
    argv = [a.format(neutral=NEUTRAL, binary=binary) for a in args]
    result = run(*argv)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")


def test_sarif_has_the_2_1_0_shape() -> None:
    log = json.loads(run("--format", "sarif", str(POSTMORTEM)).stdout)
    assert log["version"] == "2.1.0"
    assert "$schema" in log
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "secondstory"
    rule_ids = {rule["id"] for rule in driver["rules"]}
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = log["runs"][0]["results"]
    regions = []
    for result in results:
        assert result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == str(POSTMORTEM.resolve().as_uri())
        region = location["region"]
        regions.append(
            (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"])
        )
    expected = [
        (r["line"], r["column"], r["end_line"], r["end_column"]) for r in records(str(POSTMORTEM))
    ]
    assert regions == expected and regions


# As a real process: exit statuses, no Django, and the start-up time (printed, not asserted).

PROBE = (
    "import sys, time\n"
    "sys.argv = ['secondstory', *sys.argv[1:]]\n"
    "from secondstory.cli.main import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    leaked = [m for m in sys.modules if m.split('.')[0] == 'django']\n"
    "    sys.stderr.write(f'leaked={leaked}\\n')\n"
)


def process(*args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, "review", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_as_a_process_the_exit_statuses_hold_and_django_is_not_loaded() -> None:
    assert process(str(NEUTRAL)).returncode == 0
    assert process(str(POSTMORTEM)).returncode == 1
    missing = process("missing.md")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert process("-", input="14:02 Alice restarted the primary.\n").returncode == 0
    assert "leaked=[]" in process(str(NEUTRAL)).stderr


def test_start_up_time_is_reported() -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "secondstory.cli", "review", str(NEUTRAL)],
            capture_output=True,
            timeout=60,
            check=True,
        )
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(f"\nsecondstory review start-up: median {timings[2] * 1000:.0f} ms over 5 runs")
