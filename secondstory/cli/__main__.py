"""``python -m secondstory.cli`` runs the ``secondstory`` command."""

from secondstory.cli.main import main

main()
