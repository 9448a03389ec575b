"""gaib-backup's own hooks (added to gaib's plugin manager through ``gaib_addhooks``).

A plugin implements them with ``@gaib_core.hookimpl`` like any gaib hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gaib_core.hookspecs import hookspec

if TYPE_CHECKING:
    from collections.abc import Callable

    from gaib_backup.metadata import MetadataFactory
    from gaib_backup.notify import Notification


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


@hookspec
def gaib_backup_notify(notification: Notification) -> None:
    """Deliver the result of a scheduled backup run (``gaib server backup run-scheduled`` and the
    Lambda handler), succeeded or failed.

    Called once per run, after every due server was backed up or failed. Each implementation is
    called on its own: one that raises is reported in the run's result and does not stop the
    others or change the backups' outcome. The built-in SNS and Discord webhook notifiers are
    enabled by ``GAIB_BACKUP_SNS_TOPIC_ARN`` and ``GAIB_BACKUP_DISCORD_WEBHOOK_URL``.

    :param notification: a ``gaib_backup.notify.Notification``: ``status`` (``succeeded`` or
        ``failed``), ``subject``, ``run_at``, ``trigger`` and one ``ServerOutcome`` per enrolled
        server; ``text()`` renders it for people.

    .. versionadded:: 0.1
    """
