"""The checkpoint before a teardown (called from :mod:`gaib_theme_sietch.plugin`'s
``gaib_before_change``).

``gaib server teardown`` deletes every role, so the role ids the app configuration maps become
stale; PRD 6.7 has teardown save the app configuration first. The checkpoint is taken after the
teardown was approved and locked, before anything is deleted; a checkpoint that cannot be
written aborts the teardown with nothing deleted (a teardown without it is what this hook
exists to prevent).

A guild gets a checkpoint when it has a stored app configuration, or when its state was applied
from the Sietch theme (then the defaults are what the app runs with, and are saved). Other
projects are left alone: no database file appears in them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gaib_core.errors import GaibError
from gaib_core.lifecycle import ChangeEvent
from gaib_core.project import GAIB_DIR, Project, project_or_here

from gaib_theme_sietch.appconfig.models import AppConfig, Checkpoint
from gaib_theme_sietch.appconfig.store import default_path
from gaib_theme_sietch.appconfig.target import open_store

THEME = "sietch"
CHECKPOINTED = ("teardown",)


def project_of(event: ChangeEvent) -> Project:
    """The project whose guild changes: from a local state's path
    (``<root>/.gaib/workspaces/<workspace>/state.json``), else the current directory's."""
    marker = f"/{GAIB_DIR}/workspaces/"
    url = event.state_url.removeprefix("file://")
    if url.startswith("/") and marker in url:
        return Project(Path(url.split(marker, 1)[0]))
    return project_or_here()


def before_change(event: ChangeEvent) -> Checkpoint | None:
    """Checkpoint the app configuration of ``event``'s guild before a teardown (see the module
    docstring); prints the checkpoint's id and how to restore it on stderr."""
    if event.operation not in CHECKPOINTED or not event.guild_id:
        return None
    project = project_of(event)
    sietch = event.theme_name == THEME
    configured = os.environ.get("DATABASE_URL", "").strip() or default_path(project).exists()
    if not sietch and not configured:
        return None
    try:
        with open_store(project) as store:
            config = store.get(event.guild_id)
            if config is None and not sietch:
                return None
            reason = f"before {event.operation}"
            checkpoint = store.create_checkpoint(event.guild_id, config or AppConfig(), reason)
    except GaibError as exc:
        raise GaibError(
            f"the Sietch checkpoint before {event.operation} failed: {exc.message}",
            hint="fix DATABASE_URL (or unset it to keep checkpoints in .gaib/sietch.sqlite3), "
            f"then run the {event.operation} again",
        ) from None
    sys.stderr.write(
        f"gaib sietch: saved the app configuration of guild {event.guild_id} as checkpoint "
        # A restore remaps role ids by name, so it needs the roles back first; saying so keeps
        # the advice from failing when followed straight after the teardown.
        f"{checkpoint.id}; once its roles are re-created (gaib server apply), restore it "
        f"with: gaib restore exec --checkpoint {checkpoint.id}\n"
    )
    return checkpoint
