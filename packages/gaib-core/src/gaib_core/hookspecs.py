"""Every gaib hook, in one place.

Plugins implement these with ``@gaib_core.hookimpl`` and are found through the ``gaib`` entry-point
group (or registered directly). Only ``gaib_core.plugins.Hooks`` calls ``pm.hook.*``; everything
else goes through that typed facade. See ``docs/hooks.md`` for when each hook fires.

Collections use *register callbacks*: the hook receives a small ``register`` function and calls it
once per thing it contributes (a theme, a provider, a state backend, a command group).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from gaib_core.lifecycle import ApplyEvent, ApplyOutcome
    from gaib_core.registry import (
        ProviderRegistrar,
        StateBackendRegistrar,
        StorageRegistrar,
        ThemeRegistrar,
    )

PROJECT = "gaib"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def gaib_register_themes(register: ThemeRegistrar) -> None:
    """Contribute themes.

    Called once, the first time themes are listed or looked up.

    :param register: call ``register(name, path)`` for each theme directory this plugin ships
        (a directory holding ``theme.yaml``).

    .. versionadded:: 0.1
    """


@hookspec
def gaib_register_providers(register: ProviderRegistrar) -> None:
    """Contribute providers (what gaib talks to: Discord, the sandbox, ...).

    Called once, when the CLI or an embedding program builds a provider.

    :param register: call ``register(name, factory)``; ``factory(settings)`` returns a
        ``gaib_core.provider.base.Provider``.

    .. versionadded:: 0.1
    """


@hookspec
def gaib_register_state_backends(register: StateBackendRegistrar) -> None:
    """Contribute state backends (where state lives: local files, any fsspec URL, ...).

    Called once, when a state backend is opened.

    :param register: call ``register(name, factory)``; ``factory(settings)`` returns a
        ``gaib_core.state.backend.StateBackend``.

    .. versionadded:: 0.1
    """


@hookspec
def gaib_register_storage(register: StorageRegistrar) -> None:
    """Contribute storage options for fsspec URL schemes (``s3://``, ``gs://``, ...).

    Called when a URL of that scheme is opened for state or backups.

    :param register: call ``register(scheme, options)`` with default ``storage_options`` for
        that scheme (e.g. an endpoint URL). Later registrations win over earlier ones.

    .. versionadded:: 0.1
    """


@hookspec
def gaib_register_commands(app: Any) -> None:
    """Add command groups to the ``gaib`` CLI.

    Called once while the CLI is built, before arguments are parsed.

    :param app: the ``gaib server`` ``typer.Typer``; call ``app.add_typer(sub, name=...)`` or
        ``app.command()``. (Typed ``Any`` because gaib-core does not depend on typer.)

    .. versionadded:: 0.1
    """


@hookspec
def gaib_before_apply(event: ApplyEvent) -> None:
    """Called after the plan is approved and the state locked, before the first write.

    Used e.g. by gaib-backup to back the state up. Raising a ``GaibError`` aborts the apply
    before anything is changed.

    :param event: the workspace, guild id, plan, state serial and whether this is a destroy.

    .. versionadded:: 0.1
    """


@hookspec
def gaib_after_apply(event: ApplyEvent, outcome: ApplyOutcome) -> None:
    """Called after an apply or destroy finished (successfully or not), state saved and locked.

    :param event: as for ``gaib_before_apply``.
    :param outcome: what was done, errors if any, and the new state serial.

    .. versionadded:: 0.1
    """
