"""The help of every command, compared with a snapshot so that a change to it is deliberate.

The snapshot is ``tests/fixtures/cli/help.txt``. After changing a command's
help on purpose, regenerate it with ``python tests/apps/test_cli_help.py`` and
review the diff. The help is rendered in a fresh process: click keeps each
command's help option once built, so a test that ran one command on its own
would change what a later rendering in the same process shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
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
    from secondstory.cli.main import cli

    sections = []
    for path, _command in command_paths(cli):
        title = " ".join(("secondstory", *path))
        sections.append(f"=== {title} ===\n{help_text(cli, path)}\n")
    return "\n".join(sections)


def fresh_rendering() -> str:
    done = subprocess.run(
        [sys.executable, __file__, "--print"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_command_has_the_snapshotted_help() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert fresh_rendering() == expected, (
        "the help of a command changed; if on purpose, run "
        "`python tests/apps/test_cli_help.py` and review the diff"
    )


def test_the_snapshot_lists_every_command_and_is_what_the_installed_command_prints() -> None:
    from secondstory.cli.main import cli

    titles = [" ".join(("secondstory", *p)) for p, _ in command_paths(cli)]
    snapshot = SNAPSHOT.read_text(encoding="utf-8")
    # sections are "=== TITLE ===\nHELP\n" joined by blank lines
    parts = (part.split(" ===\n", 1) for part in snapshot.removeprefix("=== ").split("\n=== "))
    sections = {title: text for title, text in parts}
    assert list(sections) == titles
    program = Path(sys.executable).with_name("secondstory")
    env = dict(os.environ, COLUMNS="80")
    for path in ((), ("import",), ("actions", "remind"), ("worker",)):
        done = subprocess.run(
            [str(program), *path, "--help"], capture_output=True, text=True, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == sections[" ".join(("secondstory", *path))]


if __name__ == "__main__":
    if sys.argv[1:] == ["--print"]:
        sys.stdout.write(render_all_help())
    else:
        SNAPSHOT.write_text(render_all_help(), encoding="utf-8")
        print(f"wrote {SNAPSHOT}")
