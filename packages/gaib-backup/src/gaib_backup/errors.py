"""gaib-backup's errors: each a ``GaibError`` whose one-line message says what is wrong and how
to fix it (the CLI turns them into exit code 1)."""

from __future__ import annotations

from gaib_core.errors import GaibError


class BackupError(GaibError):
    """Base of every gaib-backup error."""


class NotFound(BackupError):
    """No backup, snapshot or deployment has that id."""


class IntegrityError(BackupError):
    """Stored bytes do not match their recorded checksum, size or format; nothing was used."""


class LineageError(BackupError):
    """A backup belongs to another state lineage (another deployment)."""


class UnsafePath(BackupError):
    """An id or path would leave its directory (``..``, absolute paths, separators)."""


class ServiceTierLimit(BackupError):
    """The server's service tier allows no more of this operation until the next window."""


class StoreError(BackupError):
    """The backup store (an fsspec URL) cannot be opened, read or written."""
