"""gaib CLI."""
