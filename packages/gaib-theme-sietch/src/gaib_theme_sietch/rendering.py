"""The Sietch theme rendered through gaib-core's theme system, and what it asks of the bot."""

from __future__ import annotations

from collections.abc import Mapping

from gaib_core import permissions as perms
from gaib_core.config.models import ServerConfig
from gaib_core.themes import Theme, load_theme, render_theme

from gaib_theme_sietch.plugin import THEME_DIR

#: What the bot needs besides the permissions its overwrites name: creating and editing roles
#: and channels, and seeing channels at all.
BOT_BASE_PERMISSIONS: tuple[str, ...] = ("MANAGE_ROLES", "MANAGE_CHANNELS", "VIEW_CHANNEL")


def load() -> Theme:
    """The Sietch theme shipped in this package."""
    return load_theme(THEME_DIR)


def render(values: Mapping[str, str | bool | int] | None = None) -> ServerConfig:
    """The Sietch theme rendered with ``values`` (defaults for everything not given)."""
    return render_theme(load(), dict(values or {}))


def required_bot_permissions(config: ServerConfig) -> list[str]:
    """The guild permissions the bot's role needs to apply ``config``, in bit order.

    Discord lets a bot allow or deny in an overwrite only what it holds itself, so every
    permission an overwrite names is required, and so is every permission a role is given (a bot
    can only grant what it holds), on top of ``BOT_BASE_PERMISSIONS``; MANAGE_GUILD too when the
    config manages any of the server's own settings (the theme sets the server's name).
    """
    names = set(BOT_BASE_PERMISSIONS)
    if config.server.managed():
        names.add("MANAGE_GUILD")  # the server's own settings (server.name: ${community_name})
    for role in config.roles:
        names.update(role.permissions)
    overwrite_sets = [category.overwrites for category in config.categories]
    overwrite_sets += [
        ServerConfig.effective_overwrites(category, channel)
        for category, channel in config.all_channels()
    ]
    for overwrites in overwrite_sets:
        for overwrite in overwrites.values():
            names.update(overwrite.allow)
            names.update(overwrite.deny)
    return perms.to_names(perms.to_bits(names))
