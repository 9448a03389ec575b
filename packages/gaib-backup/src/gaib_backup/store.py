"""The backup store: one fsspec URL (``file://``, ``s3://``, ``gs://``, ``memory://``).

The URL is resolved once with ``fsspec.core.url_to_fs``; everything after goes through ``fs.*``.
Keys are relative, ``/``-separated, and every part is checked (:func:`safe_part`), so no id or
key can reach outside the store's root. On ``s3://`` objects are written with SSE-KMS when a
key is configured and tagged ``Tier=free|premium`` so the bucket's lifecycle rules apply.

Writes are atomic: on local disks through a temporary file and a rename (an exclusive write
through a hard link, which fails if the name exists); on object stores a PUT is atomic already,
and an exclusive write is a conditional PUT (``If-None-Match: *``).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from typing import Any

import fsspec

from gaib_backup.errors import StoreError, UnsafePath
from gaib_backup.models import ServiceTier
from gaib_backup.names import TIER_TAG

_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def safe_part(value: str, *, what: str = "id") -> str:
    """``value`` if it is one safe path component; ``UnsafePath`` naming it otherwise."""
    if not _PART.fullmatch(value) or ".." in value:
        raise UnsafePath(
            f"invalid {what} {value!r}: it must be 1-128 letters, digits, '.', '_' or '-', "
            "start with a letter or digit and contain no '..'",
            hint="copy the id exactly as `list` prints it",
        )
    return value


def safe_key(key: str) -> str:
    """``key`` if every ``/``-separated part is safe (see :func:`safe_part`)."""
    for part in key.split("/"):
        safe_part(part, what="key part")
    return key


def _without_trailing_slash(url: str) -> str:
    """``url`` without trailing slashes, keeping a bare scheme's ``://``.

    ``memory://`` stripped to ``memory:`` would be a relative local path to fsspec (a directory
    named ``memory:`` in the current one), and ``file://`` one named ``file:``.
    """
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rstrip('/')}" if sep else url.rstrip("/") or url


class BackupStore:
    """Bytes under keys, below one fsspec URL."""

    def __init__(
        self,
        url: str,
        storage_options: Mapping[str, Any] | None = None,
        *,
        kms_key_id: str | None = None,
    ) -> None:
        self.url = _without_trailing_slash(url)
        self.kms_key_id = kms_key_id
        try:
            self.fs, root = fsspec.core.url_to_fs(self.url, **dict(storage_options or {}))
        except (ImportError, ValueError, TypeError) as exc:
            raise StoreError(
                f"cannot open backup store {self.url}: {exc}",
                hint="check the store URL (--store, GAIB_BACKUP_STORE or .gaib/backup.yaml) and "
                "install its filesystem (pip install 'gaib-backup[s3]' or 'gaib-backup[gcs]')",
            ) from None
        self.root = root.rstrip("/")
        protocol = self.fs.protocol
        self.protocols = (protocol,) if isinstance(protocol, str) else tuple(protocol)
        self.is_local = "file" in self.protocols or "local" in self.protocols
        self.is_s3 = "s3" in self.protocols

    # --- paths ---------------------------------------------------------------------------------

    def path(self, key: str) -> str:
        """The filesystem path of ``key`` (validated); the root for ``""``."""
        return f"{self.root}/{safe_key(key)}" if key else self.root

    def describe(self, key: str = "") -> str:
        """The URL of ``key`` (for messages)."""
        if not key:
            return self.url
        return f"{self.url}{key}" if self.url.endswith("://") else f"{self.url}/{key}"

    # --- reading ---------------------------------------------------------------------------------

    def read(self, key: str) -> bytes | None:
        """The bytes under ``key``, or None when there is no such object."""
        path = self.path(key)
        try:
            data = self.fs.cat_file(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._error("read", key, exc) from None
        return bytes(data)

    def exists(self, key: str) -> bool:
        """True when ``key`` holds an object."""
        path = self.path(key)
        self._invalidate(path)
        try:
            return bool(self.fs.isfile(path))
        except OSError as exc:
            raise self._error("check", key, exc) from None

    def list(self, prefix: str) -> list[str]:
        """Every key below ``prefix`` (recursively), sorted; none when it does not exist."""
        base = self.path(prefix)
        self._invalidate(base)
        try:
            found = self.fs.find(base)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise self._error("list", prefix, exc) from None
        root = self.fs._strip_protocol(self.root).rstrip("/")
        keys = []
        for path in found:
            stripped = self.fs._strip_protocol(path)
            if not stripped.startswith(root + "/"):
                continue
            key = stripped[len(root) + 1 :]
            # temporary files of writes in flight (local stores) are not objects yet
            if not any(part.startswith(".") for part in key.split("/")):
                keys.append(key)
        return sorted(keys)

    # --- writing ---------------------------------------------------------------------------------

    def write(
        self,
        key: str,
        data: bytes,
        *,
        service_tier: ServiceTier | None = None,
        exclusive: bool = False,
    ) -> None:
        """Store ``data`` under ``key`` atomically.

        ``exclusive`` refuses (``FileExistsError``) when the key exists, atomically: two
        concurrent exclusive writers cannot both succeed. ``service_tier`` tags the object on S3.
        """
        path = self.path(key)
        try:
            if self.is_local:
                _local_write(path, data, exclusive=exclusive)
            else:
                mode = "create" if exclusive else "overwrite"
                self.fs.pipe_file(path, data, mode=mode, **self._put_options(service_tier))
        except FileExistsError:
            raise
        except OSError as exc:
            raise self._error("write", key, exc) from None
        finally:
            self._invalidate(path)

    def delete(self, key: str) -> bool:
        """Remove ``key``; False when it did not exist."""
        path = self.path(key)
        # S3 answers a DELETE of a missing key with success: ask first.
        if not self.exists(key):
            return False
        try:
            self.fs.rm_file(path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._error("delete", key, exc) from None
        finally:
            self._invalidate(path)
        return True

    def tags(self, key: str) -> dict[str, str]:
        """The object's tags on S3 (empty elsewhere): what the lifecycle rules see."""
        if not self.is_s3:
            return {}
        bucket, object_key, _ = self.fs.split_path(self.path(key))
        answer = self.fs.call_s3("get_object_tagging", Bucket=bucket, Key=object_key)
        return {tag["Key"]: tag["Value"] for tag in answer.get("TagSet", [])}

    def encryption(self, key: str) -> tuple[str | None, str | None]:
        """(ServerSideEncryption, SSEKMSKeyId) of an S3 object; (None, None) elsewhere."""
        if not self.is_s3:
            return None, None
        bucket, object_key, _ = self.fs.split_path(self.path(key))
        head = self.fs.call_s3("head_object", Bucket=bucket, Key=object_key)
        return head.get("ServerSideEncryption"), head.get("SSEKMSKeyId")

    # --- internals -------------------------------------------------------------------------------

    def _put_options(self, service_tier: ServiceTier | None) -> dict[str, Any]:
        if not self.is_s3:
            return {}
        options: dict[str, Any] = {}
        if service_tier is not None:
            options["Tagging"] = f"{TIER_TAG}={service_tier}"
        if self.kms_key_id:
            options["ServerSideEncryption"] = "aws:kms"
            options["SSEKMSKeyId"] = self.kms_key_id
        return options

    def _invalidate(self, path: str) -> None:
        # Listings are cached per filesystem instance; another process may have written since.
        with contextlib.suppress(Exception):
            self.fs.invalidate_cache(path)

    def _error(self, verb: str, key: str, exc: OSError) -> StoreError:
        reason = exc.strerror or str(exc) or type(exc).__name__
        return StoreError(
            f"cannot {verb} {self.describe(key)}: {reason}",
            hint="check the store URL, its credentials and permissions",
        )


def _local_write(path: str, data: bytes, *, exclusive: bool) -> None:
    """Temp file + fsync, then rename (or hard link when ``exclusive``: fails if the name exists)."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
