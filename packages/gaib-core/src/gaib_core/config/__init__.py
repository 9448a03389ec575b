"""``discord-server.yaml``: the config models, loader and validation."""
