"""The small registrars handed to ``gaib_register_*`` hooks, and what they collect."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from gaib_core.provider.base import Provider

ProviderFactory = Callable[[Mapping[str, Any]], "Provider"]
StateBackendFactory = Callable[[Mapping[str, Any]], Any]  # -> gaib_core.state.backend.StateBackend


class ThemeRegistrar(Protocol):
    """``register(name, path)``: a theme directory (holding ``theme.yaml``)."""

    def __call__(self, name: str, path: Path) -> None: ...


class ProviderRegistrar(Protocol):
    """``register(name, factory)``: a provider factory."""

    def __call__(self, name: str, factory: ProviderFactory) -> None: ...


class StateBackendRegistrar(Protocol):
    """``register(name, factory)``: a state backend factory."""

    def __call__(self, name: str, factory: StateBackendFactory) -> None: ...


class StorageRegistrar(Protocol):
    """``register(scheme, options)``: default fsspec ``storage_options`` for a URL scheme."""

    def __call__(self, scheme: str, options: Mapping[str, Any]) -> None: ...


T = TypeVar("T")


@dataclass
class Registry(Generic[T]):
    """Named things contributed by plugins; a second registration of a name is an error."""

    kind: str
    items: dict[str, T] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, item: T, owner: str = "") -> None:
        """Add ``item`` under ``name``; ``ValueError`` naming both owners if the name is taken."""
        if name in self.items:
            raise ValueError(
                f"{self.kind} '{name}' is registered twice (by {self.owners[name]!r} and {owner!r})"
            )
        self.items[name] = item
        self.owners[name] = owner
