"""Every gaib hook, in one place.

Plugins implement these with ``@gaib_core.hookimpl`` and are found through the ``gaib`` entry-point
group (or registered directly). Only ``gaib_core.plugins.Hooks`` calls ``pm.hook.*``; everything
else goes through that typed facade. See ``docs/hooks.md`` for when each hook fires.

Collections use *register callbacks*: the hook receives a small ``register`` function and calls it
once per thing it contributes (a theme, a provider, a state backend, storage options); the
registrars take keyword arguments with the names their protocols in ``gaib_core.registry`` give.

Precedence (pluggy's): implementations are called last-registered-first, ``tryfirst`` /
``trylast`` move one to the front / back. Registration order is: entry points (in discovery
order), the built-ins (``gaib_core.builtins``; the CLI adds ``gaib_cli.plugin``), then plugins
passed as ``extra``. A name registered twice (theme, provider, state backend) is an error, so
there precedence never decides. If an implementation raises, pluggy calls none after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from gaib_core.commands import CommandTree
    from gaib_core.lifecycle import ChangeEvent, ChangeOutcome
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
        that scheme (e.g. an endpoint URL). Where plugins disagree on an option, the plugin
        registered later wins (pluggy calls it first), or the one marked ``tryfirst``.

    .. versionadded:: 0.1
    """


@hookspec
def gaib_register_commands(commands: CommandTree) -> None:
    """Add commands and command groups to the ``gaib`` CLI.

    Called once while the CLI is built, before arguments are parsed. gaib-cli's own command
    modules register through this hook too (first, as ``tryfirst``), so every built-in group
    exists when a plugin's implementation runs.

    :param commands: the whole command tree. ``commands.root`` is the root ``typer.Typer``
        (add a top-level group: ``commands.root.add_typer(app, name="sietch")``, or
        ``commands.add_group("sietch", app)`` so other plugins can find it);
        ``commands.group(path)`` returns an existing group by path (``"server"``,
        ``"server theme"``, ``"server state"``, ``"server workspace"``, ``"sandbox"``, ...) to add
        commands to. Typed without typer because gaib-core does not depend on it.

    .. versionadded:: 0.1
    """


@hookspec(historic=True)
def gaib_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Add hook specs of a plugin's own (pytest's ``pytest_addhooks``).

    Called once per plugin, when it is registered (historic: plugins registered later are called
    too), before the plugin manager checks that every implementation matches a spec.

    :param pluginmanager: the ``pluggy.PluginManager``; call
        ``pluginmanager.add_hookspecs(my_hookspecs_module)``. Call your hooks through
        ``Hooks.call("my_hook", ...)`` (or ``Hooks.caller("my_hook")``) so wrappers and tracing
        see them.

    .. versionadded:: 0.1
    """


@hookspec
def gaib_before_change(event: ChangeEvent) -> None:
    """Called before an operation writes the guild or the state: approved, state locked.

    Fires for every such operation: ``apply``, ``destroy``, ``teardown``, ``import``,
    ``state-rm``, ``state-mv``, ``state-push`` (and gaib-backup's ``restore``, ``rollback``;
    gaib-theme-sietch's ``sync``, which changes members' roles and leaves the state as it is).
    gaib-backup backs the state up here. Raising (a ``GaibError`` to explain why) aborts the
    operation with nothing written; ``gaib_after_change`` still fires, with status ``failed``.

    :param event: a ``gaib_core.lifecycle.ChangeEvent``: operation, workspace, guild id, the plan
        (``gaib_core.engine.plan.Plan`` or None), the state before the change, theme name and
        version (None without a theme), the config (or None) and the state URL.

    .. versionadded:: 0.1 (replaces ``gaib_before_apply``)
    """


@hookspec
def gaib_after_change(event: ChangeEvent, outcome: ChangeOutcome) -> None:
    """Called exactly once after every operation that fired ``gaib_before_change``.

    Fires whatever ended the operation, with the state saved and still locked: a failure or an
    interrupt (SIGINT) included; the operation's exception is re-raised afterwards.

    :param event: the same object ``gaib_before_change`` received.
    :param outcome: a ``gaib_core.lifecycle.ChangeOutcome``: ``status`` (``succeeded``,
        ``failed`` or ``interrupted``), ``error`` (None on success), ``changed`` (addresses
        done), ``serial_after`` and ``state`` (the state after).

    .. versionadded:: 0.1 (replaces ``gaib_after_apply``)
    """
