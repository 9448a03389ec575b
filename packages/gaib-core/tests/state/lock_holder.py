"""Helper process for the concurrency tests: race for the lock, hold it, write once, report.

Usage: python lock_holder.py local|s3 ROOT_OR_URL START_AT HOLD_SECONDS [S3_ENDPOINT]
Prints one JSON line: {"won": LOCK_ID} (exit 0) or {"lost": MESSAGE, "holder": ID} (exit 3).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from gaib_core.errors import LockError
from gaib_core.state.backend import StateBackend
from gaib_core.state.backends import FsspecBackend, LocalBackend
from gaib_core.state.manager import StateManager
from gaib_core.testing.moto import s3_storage_options


def main() -> int:
    kind, where, start_at, hold = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    backend: StateBackend
    if kind == "local":
        backend = LocalBackend(Path(where))
    else:
        backend = FsspecBackend(where, s3_storage_options(sys.argv[5]))
    manager = StateManager(backend, "default")
    time.sleep(max(0.0, start_at - time.time()))
    try:
        with manager.locked("apply") as info:
            print(json.dumps({"won": info.id}), flush=True)
            state = manager.read()
            time.sleep(hold)
            manager.write(state)
    except LockError as exc:
        holder = exc.holder.id if exc.holder else None
        print(json.dumps({"lost": str(exc), "holder": holder}), flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
