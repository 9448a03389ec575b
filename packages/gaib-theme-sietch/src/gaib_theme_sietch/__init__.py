"""The Sietch v3.0 theme."""
