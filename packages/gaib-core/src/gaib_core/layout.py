"""Names of a gaib project's files, importable without the rest of gaib-core.

Kept apart from :mod:`gaib_core.project` (which needs pydantic and yaml) so that the CLI can
declare its options at startup without importing them; ``gaib --help`` stays fast.
"""

CONFIG_FILE = "discord-server.yaml"
