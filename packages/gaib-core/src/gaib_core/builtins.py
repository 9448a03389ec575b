"""gaib-core's own plugins: the Discord provider, the sandbox provider and the state backends.

They register through the same hooks a third-party plugin uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gaib_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from gaib_core.registry import StateBackendRegistrar


@hookimpl
def gaib_register_state_backends(register: StateBackendRegistrar) -> None:
    """``local`` (files under ``.gaib/workspaces``) and ``fsspec`` (any fsspec URL)."""
    from gaib_core.state.backends import fsspec_factory, local_factory

    register("local", local_factory)
    register("fsspec", fsspec_factory)
