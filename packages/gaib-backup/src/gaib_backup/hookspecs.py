"""gaib-backup's own hooks (added to gaib's plugin manager through ``gaib_addhooks``).

A plugin implements them with ``@gaib_core.hookimpl`` like any gaib hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gaib_core.hookspecs import hookspec

if TYPE_CHECKING:
    from collections.abc import Callable

    from gaib_backup.metadata import MetadataFactory


@hookspec
def gaib_backup_register_metadata(register: Callable[[str, MetadataFactory], None]) -> None:
    """Contribute metadata stores (where backup records, service tiers and usage counts live).

    Called once, the first time gaib-backup opens its metadata.

    :param register: call ``register(name, factory)``; ``factory(settings, store)`` returns a
        ``gaib_backup.metadata.MetadataStore``. ``metadata.type`` in ``.gaib/backup.yaml`` (or
        ``GAIB_BACKUP_METADATA``) chooses one by name. gaib-backup itself registers ``store``
        and ``dynamodb``.

    .. versionadded:: 0.1
    """
