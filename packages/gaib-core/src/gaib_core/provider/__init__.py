"""Providers: what gaib talks to (Discord's REST API, or the sandbox through the same client)."""
