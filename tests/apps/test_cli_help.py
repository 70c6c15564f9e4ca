"""The help of every command, compared with a snapshot so that a change to it is deliberate.

The snapshot is ``tests/fixtures/cli/help.txt``. After changing a command's
help on purpose, regenerate it with ``python tests/apps/test_cli_help.py`` and
review the diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

SNAPSHOT = Path(__file__).parent.parent / "fixtures" / "cli" / "help.txt"
WIDTH = 78  # what click uses in an 80-column terminal; the snapshot fixes one width


def command_paths(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``command``, depth first, in alphabetical order."""
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from command_paths(command.commands[name], (*path, name))


def help_text(root: click.Command, path: tuple[str, ...]) -> str:
    """What ``secondstory PATH --help`` prints (built the same way for a command without --help)."""
    # the context settings as click's own parsing applies them (-h next to --help, ...)
    settings = {"terminal_width": WIDTH, **root.context_settings}
    ctx = click.Context(root, info_name="secondstory", **settings)
    command = root
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
        ctx = click.Context(command, info_name=name, parent=ctx, **command.context_settings)
    return command.get_help(ctx)


def render_all_help() -> str:
    from secondstory.cli import cli

    sections = []
    for path, _command in command_paths(cli):
        title = " ".join(("secondstory", *path))
        sections.append(f"=== {title} ===\n{help_text(cli, path)}\n")
    return "\n".join(sections)


def test_every_command_has_the_snapshotted_help() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert render_all_help() == expected, (
        "the help of a command changed; if on purpose, run "
        "`python tests/apps/test_cli_help.py` and review the diff"
    )


def test_the_snapshot_covers_every_command_and_matches_the_real_help_option() -> None:
    from click.testing import CliRunner

    from secondstory.cli import cli

    titles = [" ".join(("secondstory", *p)) for p, _ in command_paths(cli)]
    snapshot = SNAPSHOT.read_text(encoding="utf-8")
    assert [line[4:-4] for line in snapshot.splitlines() if line.startswith("=== ")] == titles
    # the built help is what `--help` really prints
    for path in (("import",), ("actions", "remind"), ()):
        result = CliRunner().invoke(
            cli, [*path, "--help"], prog_name="secondstory", terminal_width=WIDTH
        )
        assert result.exit_code == 0
        assert result.output == help_text(cli, path) + "\n"


if __name__ == "__main__":
    SNAPSHOT.write_text(render_all_help(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
