"""Command modules; each exposes ``register(commands: CommandTree)`` (see ``gaib_cli.plugin``)."""
