"""The fsspec store: atomic and exclusive writes, safe keys, S3 tags and SSE-KMS on moto."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from gaib_backup.context import BackupContext
from gaib_backup.errors import UnsafePath
from gaib_backup.store import BackupStore, safe_key
from gaib_core.testing.moto import MotoS3


def test_write_read_list_delete(ctx: BackupContext) -> None:
    store = ctx.store
    store.write("a/b/c.json", b"one")
    store.write("a/d.json", b"two")
    assert store.read("a/b/c.json") == b"one"
    assert store.list("a") == ["a/b/c.json", "a/d.json"]
    assert store.exists("a/d.json") and not store.exists("a/x.json")
    assert store.delete("a/d.json") and not store.delete("a/d.json")
    assert store.read("a/d.json") is None
    assert store.list("nothing-here") == []


def test_exclusive_write_refuses_an_existing_key_and_keeps_it(ctx: BackupContext) -> None:
    ctx.store.write("k/manifest.json", b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        ctx.store.write("k/manifest.json", b"second", exclusive=True)
    assert ctx.store.read("k/manifest.json") == b"first"


def test_concurrent_exclusive_writes_have_one_winner(
    atomic_store_url: tuple[str, dict[str, object]],
) -> None:
    url, options = atomic_store_url
    store = BackupStore(url, options)
    start = threading.Barrier(8, timeout=60)  # all eight writers are in flight together

    def attempt(i: int) -> bool:
        start.wait()
        try:
            store.write("race/slot", str(i).encode(), exclusive=True)
        except FileExistsError:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert results.count(True) == 1
    assert store.read("race/slot") == str(results.index(True)).encode()


@pytest.mark.parametrize(
    "key", ["../x", "a/../../b", "/etc/passwd", "a//b", "a/./b", ".hidden", "a/b\\c", "a b", ""]
)
def test_unsafe_keys_are_refused(key: str) -> None:
    with pytest.raises(UnsafePath):
        safe_key(key)


def test_unsafe_key_never_reaches_the_filesystem(ctx: BackupContext) -> None:
    with pytest.raises(UnsafePath):
        ctx.store.write("state/../../escape", b"x")
    assert ctx.store.list("state") == []


def test_s3_objects_carry_the_service_tier_tag_and_sse_kms(
    moto_s3: MotoS3, moto_kms_key: str
) -> None:
    store = BackupStore(moto_s3.url("b"), moto_s3.storage_options, kms_key_id=moto_kms_key)
    store.write("state/1/default/backup.x.json.gz", b"data", service_tier="premium")
    assert store.tags("state/1/default/backup.x.json.gz") == {"Tier": "premium"}
    algorithm, key_id = store.encryption("state/1/default/backup.x.json.gz")
    assert algorithm == "aws:kms" and key_id is not None and moto_kms_key in key_id
    assert store.read("state/1/default/backup.x.json.gz") == b"data"


@pytest.mark.parametrize("url", ["memory://", "memory:///"])
def test_a_bare_memory_url_is_the_memory_filesystem_not_a_local_directory(
    url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `--store memory://` once wrote a directory named "memory:" into the current one
    monkeypatch.chdir(tmp_path)
    key = f"bare-url-test/{uuid.uuid4().hex}.json"
    store = BackupStore(url)
    store.write(key, b"x")
    try:
        assert store.read(key) == b"x"
        assert list(tmp_path.iterdir()) == []
        assert "memory" in store.protocols
        assert store.describe(key) == f"memory://{key}"
    finally:
        store.delete(key)


def test_a_file_url_with_a_trailing_slash_is_its_directory(tmp_path) -> None:
    store = BackupStore(f"file://{tmp_path}/")
    store.write("a/b.json", b"x")
    assert (tmp_path / "a" / "b.json").read_bytes() == b"x"
    assert store.describe("a/b.json") == f"file://{tmp_path}/a/b.json"
