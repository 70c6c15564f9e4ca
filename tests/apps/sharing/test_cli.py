"""``secondstory customer-summary KEY``: the command line export of a customer summary."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from secondstory.accounts.models import User
from secondstory.cli.sharing import customer_summary_command
from secondstory.postmortems.models import Postmortem
from secondstory.sharing import services


def test_exports_only_the_customer_summary(
    postmortem: Postmortem, alice: User, tmp_path: Path
) -> None:
    services.save_customer_summary(postmortem, text="We fixed checkout.", by=alice)
    result = CliRunner().invoke(customer_summary_command, ["PM-1"])
    assert result.exit_code == 0
    assert (
        result.output.startswith(f"# {postmortem.title}\n")
        and "We fixed checkout." in result.output
    )
    assert "pool size" not in result.output

    target = tmp_path / "out.md"
    result = CliRunner().invoke(customer_summary_command, ["PM-1", "-o", str(target)])
    assert result.exit_code == 0 and "Wrote the customer summary of PM-1" in result.output
    assert "We fixed checkout." in target.read_text()


def test_missing_postmortems_and_summaries_are_one_line_errors(postmortem: Postmortem) -> None:
    result = CliRunner().invoke(customer_summary_command, ["PM-404"])
    assert result.exit_code == 1 and "error: KEY: there is no postmortem 'PM-404'" in result.output
    result = CliRunner().invoke(customer_summary_command, ["PM-1"])
    assert result.exit_code == 1 and "has no customer summary yet" in result.output
    assert "Traceback" not in result.output
