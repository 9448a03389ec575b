"""The request bodies apply sends, built from a planned change (pure; ids via a Resolver).

Creates send every managed attribute (Discord's defaults for the rest); updates send only the
attributes the plan found different, except overwrites: when any overwrite differs, the whole
desired list goes out, because Modify Channel replaces the list (one request per channel, never
one per overwrite).
"""

from __future__ import annotations

from gaib_core.config.models import CATEGORY_TYPE
from gaib_core.engine.desired import DesiredChannel, DesiredRole
from gaib_core.engine.plan import ResourceChange
from gaib_core.engine.refs import Resolver
from gaib_core.provider.models import ChannelWrite, PermissionOverwrite, RoleWrite

ROLE_FIELDS = ("name", "color", "hoist", "mentionable", "permissions")
# Plan attribute -> ChannelWrite field.
CHANNEL_FIELDS = {
    "name": "name",
    "type": "type",
    "topic": "topic",
    "nsfw": "nsfw",
    "slowmode": "rate_limit_per_user",
    "bitrate": "bitrate",
    "user_limit": "user_limit",
}


def changed(change: ResourceChange) -> dict[str, object]:
    """Attribute -> new value (``overwrites[...]`` collapsed to ``overwrites``)."""
    return {c.attribute.split("[", 1)[0]: c.after for c in change.changes}


def role_create(role: DesiredRole) -> RoleWrite:
    """Create Role: every attribute (permissions always, or Discord copies @everyone's)."""
    return RoleWrite(
        name=role.name,
        permissions=role.permissions,
        color=role.color,
        hoist=role.hoist,
        mentionable=role.mentionable,
    )


def role_update(change: ResourceChange) -> RoleWrite | None:
    """Modify Role with the changed fields, or None when only the order changes."""
    fields = {k: v for k, v in changed(change).items() if k in ROLE_FIELDS}
    return RoleWrite.model_validate(fields) if fields else None


def overwrites(channel: DesiredChannel, resolver: Resolver) -> list[PermissionOverwrite]:
    """The channel's overwrites with ids resolved."""
    out = []
    for ref, spec in channel.overwrites.items():
        target, kind = resolver.overwrite_target(ref)
        out.append(PermissionOverwrite(id=target, type=kind, allow=spec.allow, deny=spec.deny))
    return out


def channel_create(change: ResourceChange, resolver: Resolver) -> ChannelWrite:
    """Create Guild Channel with parent, position and overwrites inline."""
    ch = change.channel
    assert ch is not None
    body = ChannelWrite(name=ch.name, type=ch.type)
    keys = ch.managed_keys()
    if ch.parent is not None:
        body.parent_id = resolver.id_of(ch.parent)
    if change.position is not None:
        body.position = change.position
    if "topic" in keys and ch.topic:
        body.topic = ch.topic
    if ch.type != CATEGORY_TYPE and ch.nsfw:
        body.nsfw = True
    if "slowmode" in keys and ch.slowmode:
        body.rate_limit_per_user = ch.slowmode
    if ch.bitrate is not None:
        body.bitrate = ch.bitrate
    if ch.user_limit is not None:
        body.user_limit = ch.user_limit
    body.permission_overwrites = overwrites(ch, resolver)
    return body


def channel_update(change: ResourceChange, resolver: Resolver) -> ChannelWrite | None:
    """Modify Channel with the changed fields (a parent move carries its position), or None."""
    assert change.channel is not None
    attrs = changed(change)
    body = ChannelWrite()
    for attr, field_name in CHANNEL_FIELDS.items():
        if attr in attrs:
            value = attrs[attr]
            # an empty topic is cleared with null
            setattr(body, field_name, None if attr == "topic" and not value else value)
    if "parent" in attrs:
        parent = attrs["parent"]
        body.parent_id = resolver.id_of(str(parent)) if parent else None
        if change.position is not None:
            body.position = change.position
    if "overwrites" in attrs:
        body.permission_overwrites = overwrites(change.channel, resolver)
    return body if body.model_fields_set else None
