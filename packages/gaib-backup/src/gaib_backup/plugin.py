"""gaib-backup's plugin module (entry point ``gaib.backup``).

Backups, snapshots and the theme registry arrive with their own issue; until then this package
registers no hooks, so installing it changes nothing.
"""
