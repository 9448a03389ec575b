"""The Sietch app's configuration per guild, its checkpoints and their restore (issue 12).

One module per idea:

- ``models``: ``AppConfig`` (thresholds, feature gates, role mappings), ``Checkpoint``, gates
- ``store``: ``ConfigStore`` in SQLite (default) or PostgreSQL (``DATABASE_URL``)
- ``edit``: changing settings by dotted key (``gaib sietch config set``)
- ``mapping``: the Sietch roles' ids read from a guild (``gaib sietch config map-roles``)
- ``restore``: ``RestorePlan``, role ids remapped by name (``gaib restore preview|exec``)
- ``lifecycle``: the checkpoint before ``gaib server teardown``
- ``target``: which project, guild and store a command acts on
- ``cli``, ``restore_cli``: the commands

The package imports nothing itself, so building the CLI stays cheap; import the modules.
"""
