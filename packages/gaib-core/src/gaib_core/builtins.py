"""gaib-core's own plugins: the Discord provider, the sandbox provider and the state backends.

They register through the same hooks a third-party plugin uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gaib_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from gaib_core.registry import ProviderRegistrar, StateBackendRegistrar


@hookimpl
def gaib_register_state_backends(register: StateBackendRegistrar) -> None:
    """``local`` (files under ``.gaib/workspaces``) and ``fsspec`` (any fsspec URL)."""
    from gaib_core.state.backends import fsspec_factory, local_factory

    register("local", local_factory)
    register("fsspec", fsspec_factory)


@hookimpl
def gaib_register_providers(register: ProviderRegistrar) -> None:
    """``discord`` (Discord's REST API) and ``sandbox`` (the Discord-compatible sandbox)."""
    # Imported here so that building the plugin manager does not import httpx or the sandbox.
    from gaib_core.provider.factory import discord_factory, sandbox_factory

    register("discord", discord_factory)
    register("sandbox", sandbox_factory)
