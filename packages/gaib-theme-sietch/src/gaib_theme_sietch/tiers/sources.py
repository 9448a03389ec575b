"""Holder sources: where the tier engine reads who holds how much BGT, pluggable through a hook.

A source has a name and a factory; plugins (gaib-theme-sietch itself included) register them
through the ``gaib_sietch_register_holder_sources`` hook (:mod:`gaib_theme_sietch.hookspecs`).
The built-ins:

- ``snapshot``: a CSV or JSON file (:mod:`gaib_theme_sietch.tiers.holders`), option ``path``;
- ``evm``: an ERC-20's ``balanceOf`` over JSON-RPC for every verified wallet
  (:mod:`gaib_theme_sietch.tiers.evm`), options ``rpc_url``, ``token``, ``block``, ...

Programs (``gaib sietch tier``, the sync) call :func:`load_holders` with a
:class:`SourceRequest`: a source name and its options as strings, as a user gives them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from gaib_core.errors import GaibError

from gaib_theme_sietch.tiers.holders import HolderList

if TYPE_CHECKING:
    from gaib_core.plugins import Hooks

HOOK = "gaib_sietch_register_holder_sources"


__all__ = [
    "HolderList",
    "HolderSource",
    "HolderSourceError",
    "HolderSourceFactory",
    "HolderSourceRegistrar",
    "SourceInfo",
    "SourceRequest",
    "holder_sources",
    "load_holders",
    "open_source",
]


class HolderSourceError(GaibError):
    """A holder source that does not exist, or options it does not take."""


class HolderSource(Protocol):
    """A configured source, ready to read."""

    @property
    def label(self) -> str:
        """Where the holders come from, for messages (never a secret such as an API key)."""
        ...

    def read(self) -> HolderList:
        """The holders now; a ``GaibError`` (one line, with the fix) when they cannot be read."""
        ...


HolderSourceFactory = Callable[[Mapping[str, str]], HolderSource]


class HolderSourceRegistrar(Protocol):
    """``register(name, factory, summary=..., options={...})``: a holder source."""

    def __call__(
        self,
        name: str,
        factory: HolderSourceFactory,
        *,
        summary: str = "",
        options: Mapping[str, str] | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class SourceInfo:
    """A registered source: its factory, one line about it and its options (name -> help)."""

    name: str
    factory: HolderSourceFactory
    summary: str = ""
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceRequest:
    """Which source to read, with the user's options (all strings, as typed)."""

    name: str
    options: Mapping[str, str] = field(default_factory=dict)


def holder_sources(hooks: Hooks | None = None) -> dict[str, SourceInfo]:
    """Name -> source, from every plugin's ``gaib_sietch_register_holder_sources``.

    ``hooks`` defaults to the process's plugin manager (gaib_core's ``DEFAULT_HOOKS``, or the
    one that loaded gaib-theme-sietch). A manager without gaib-theme-sietch's hook spec gets
    the built-in sources only.
    """
    from gaib_theme_sietch import hooks as facade
    from gaib_theme_sietch.tiers import builtin_sources

    found: dict[str, SourceInfo] = {}

    def register(
        name: str,
        factory: HolderSourceFactory,
        *,
        summary: str = "",
        options: Mapping[str, str] | None = None,
    ) -> None:
        if name in found:
            raise HolderSourceError(
                f"holder source {name!r} is registered twice",
                hint="two installed plugins provide it: see `gaib plugins`, and block one with "
                "GAIB_DISABLE_PLUGINS",
            )
        found[name] = SourceInfo(name, factory, summary, dict(options or {}))

    hooks = hooks or facade.hooks()
    try:
        caller = hooks.caller(HOOK)
    except GaibError:
        builtin_sources.gaib_sietch_register_holder_sources(register)
        return found
    caller(register=register)
    return found


def open_source(request: SourceRequest, hooks: Hooks | None = None) -> HolderSource:
    """The source ``request`` names, configured with its options (each one checked)."""
    sources = holder_sources(hooks)
    info = sources.get(request.name)
    if info is None:
        from gaib_core.plugins import missing_plugin_hint

        raise HolderSourceError(
            f"no holder source {request.name!r}",
            hint=missing_plugin_hint("holder source", request.name, sources),
        )
    for key in request.options:
        if key not in info.options:
            raise HolderSourceError(
                f"holder source {info.name!r} has no option {key!r}",
                hint=f"its options are: {', '.join(info.options) or 'none'}",
            )
    return info.factory(request.options)


def load_holders(request: SourceRequest, hooks: Hooks | None = None) -> HolderList:
    """Read the holders from the source ``request`` names (what a sync calls)."""
    return open_source(request, hooks).read()
