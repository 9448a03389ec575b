"""``python -m gaib_cli`` runs the ``gaib`` command."""

from gaib_cli.app import main

main()
