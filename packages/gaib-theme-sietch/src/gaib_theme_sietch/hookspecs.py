"""gaib-theme-sietch's own hooks (added to gaib's plugin manager through ``gaib_addhooks``).

A plugin implements them with ``@gaib_core.hookimpl`` like any gaib hook, and is found through
the ``gaib`` entry-point group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gaib_core.hookspecs import hookspec

if TYPE_CHECKING:
    from gaib_theme_sietch.tiers.sources import HolderSourceRegistrar


@hookspec
def gaib_sietch_register_holder_sources(register: HolderSourceRegistrar) -> None:
    """Contribute holder sources: where the tier engine reads who holds how much BGT.

    Called once, the first time a holder source is looked up (``gaib sietch tier --holders``,
    ``--rpc`` or ``--source``, ``gaib sietch sources``, the sync, or
    ``gaib_theme_sietch.tiers.sources.load_holders``).

    :param register: call ``register(name, factory, summary=..., options={...})`` once per
        source. ``factory(options)`` gets the options the user gave (``--source NAME
        --source-option KEY=VALUE``; only the keys of ``options`` are accepted, each documented
        by its value) and returns a ``gaib_theme_sietch.tiers.sources.HolderSource``: ``label``
        (where the holders come from, without secrets) and ``read()`` returning a
        ``HolderList``, whose ``provides`` names the facts it knows (``badges``,
        ``joined_at``; default both): a sync leaves the roles of a fact it does not know (Water
        Sharer and Engaged for badges, Veteran for joined_at) as they are. Raise a
        ``GaibError`` (one line, with how to fix it) for a bad option or a failed read. gaib-theme-sietch itself registers ``snapshot`` (a CSV or JSON file) and
        ``evm`` (an ERC-20's ``balanceOf`` over JSON-RPC for the verified wallets). A name
        registered twice is an error.

    .. versionadded:: 3.0
    """
