"""gaib-backup's lifecycle hooks pass gaib-core's lifecycle kit, with a real store behind them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from gaib_backup import plugin as backup_plugin
from gaib_backup.context import BackupContext
from gaib_core.testing.lifecycle import LifecycleContract


class TestBackupLifecycle(LifecycleContract):
    @pytest.fixture
    def plugin(
        self, memory_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[ModuleType]:
        monkeypatch.chdir(tmp_path)  # the deployment record reads ./discord-server.yaml if any
        backup_plugin.use_context(BackupContext.from_url(memory_url))
        yield backup_plugin
        backup_plugin.use_context(None)
