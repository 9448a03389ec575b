"""State: what gaib manages in a guild, where it lives, and who holds the lock."""
