"""gaib backup plugin (backups, snapshots, theme registry)."""
