"""The sandbox's data: guilds, roles, channels, members and users, persisted as one JSON file.

Everything is a pydantic model so that the whole store round-trips through JSON exactly; the file
is rewritten atomically after every successful write (``gaib sandbox serve --data FILE`` survives
restarts). Permissions are kept as ``int`` here and become decimal strings only on the wire.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gaib_core.errors import ConfigError, SourceLocation
from gaib_core.project import atomic_write_text

DISCORD_EPOCH_MS = 1420070400000
STORE_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class StoredRole(_Model):
    """A role as the sandbox keeps it."""

    id: str
    name: str
    permissions: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    position: int = 0
    bot_id: str | None = None


class StoredOverwrite(_Model):
    """A permission overwrite (type 0 = role, 1 = member)."""

    id: str
    type: int = 0
    allow: int = 0
    deny: int = 0


class StoredChannel(_Model):
    """A guild channel or category."""

    id: str
    type: int = 0
    name: str
    position: int = 0
    parent_id: str | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    bitrate: int | None = None
    user_limit: int | None = None
    rtc_region: str | None = None
    video_quality_mode: int | None = None
    default_auto_archive_duration: int | None = None
    flags: int = 0
    overwrites: list[StoredOverwrite] = Field(default_factory=list)


class StoredMember(_Model):
    """A guild member: a user id and its role ids (never @everyone)."""

    user_id: str
    roles: list[str] = Field(default_factory=list)
    nick: str | None = None
    joined_at: str


class StoredUser(_Model):
    """A user (the bot, guild owners, added members)."""

    id: str
    username: str
    bot: bool = False


class StoredCommand(_Model):
    """An application command (global when ``guild_id`` is None)."""

    id: str
    application_id: str
    guild_id: str | None = None
    version: str
    type: int = 1
    name: str
    description: str = ""
    options: list[dict[str, Any]] = Field(default_factory=list)
    default_member_permissions: str | None = None
    dm_permission: bool = True
    contexts: list[int] | None = None
    integration_types: list[int] = Field(default_factory=lambda: [0])
    nsfw: bool = False
    name_localizations: dict[str, str] | None = None
    description_localizations: dict[str, str] | None = None


class StoredGuild(_Model):
    """A guild with everything in it, keyed by id."""

    id: str
    name: str
    owner_id: str
    roles: dict[str, StoredRole] = Field(default_factory=dict)
    channels: dict[str, StoredChannel] = Field(default_factory=dict)
    members: dict[str, StoredMember] = Field(default_factory=dict)
    features: list[str] = Field(default_factory=lambda: ["COMMUNITY", "NEWS"])
    # The settings Modify Guild changes (Discord's defaults for a new guild).
    description: str | None = None
    icon: str | None = Field(None, description="The icon's hash (md5 of the image), or None.")
    verification_level: int = 0
    default_message_notifications: int = 0
    explicit_content_filter: int = 0
    afk_channel_id: str | None = None
    afk_timeout: int = 300
    system_channel_id: str | None = None

    @property
    def everyone(self) -> StoredRole:
        """The @everyone role (id = guild id)."""
        return self.roles[self.id]


class StoreData(_Model):
    """The whole persisted sandbox."""

    version: int = STORE_VERSION
    last_id: int = 0
    bot_user_id: str | None = None
    # The application's Server Members privileged intent (Developer Portal > Bot); without it
    # Discord answers List Guild Members with 403 / 50001.
    members_intent: bool = True
    users: dict[str, StoredUser] = Field(default_factory=dict)
    guilds: dict[str, StoredGuild] = Field(default_factory=dict)
    commands: dict[str, StoredCommand] = Field(default_factory=dict)


def now_iso() -> str:
    """The current UTC time as Discord writes timestamps (ISO 8601 with offset)."""
    return datetime.now(UTC).isoformat()


class Store:
    """The in-memory data plus its snowflake generator and optional JSON file.

    Not thread-safe on its own: ``Sandbox`` serialises every access under its lock.
    """

    def __init__(self, path: Path | None = None, *, load: bool = True) -> None:
        self.path = path
        # (inode, size, mtime) of the file as we last read or wrote it.
        self._seen: tuple[int, int, int] | None = None
        self.data = self._load() if load and path is not None and path.exists() else StoreData()

    def _signature(self) -> tuple[int, int, int] | None:
        assert self.path is not None
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def refresh(self) -> None:
        """Reload the file if another process replaced it since we last read or wrote it."""
        if self.path is None:
            return
        seen = self._signature()
        if seen is not None and seen != self._seen:
            self.data = self._load()

    def _load(self) -> StoreData:
        assert self.path is not None
        try:
            self._seen = self._signature()
            return StoreData.model_validate(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(
                f"cannot read the sandbox data file: {first}",
                location=SourceLocation(str(self.path)),
                hint="run `gaib sandbox reset` to start it empty (or fix the file)",
            ) from None

    def save(self) -> None:
        """Write the data file atomically (no-op for an in-memory sandbox)."""
        if self.path is None:
            return
        atomic_write_text(self.path, self.data.model_dump_json(indent=1), mode=0o600)
        self._seen = self._signature()

    def reset(self) -> None:
        """Forget every guild and user (the id counter keeps growing, as Discord's would)."""
        last = self.data.last_id
        self.data = StoreData(last_id=last)

    def snowflake(self) -> str:
        """A new Discord-style snowflake, strictly greater than every earlier one."""
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        value = max(stamp, self.data.last_id + 1)
        self.data.last_id = value
        return str(value)

    def guild(self, guild_id: str) -> StoredGuild | None:
        """The guild with this id, or None."""
        return self.data.guilds.get(guild_id)

    def find_channel(self, channel_id: str) -> tuple[StoredGuild, StoredChannel] | None:
        """The channel with this id and its guild, or None."""
        for guild in self.data.guilds.values():
            channel = guild.channels.get(channel_id)
            if channel is not None:
                return guild, channel
        return None

    def user(self, user_id: str) -> StoredUser | None:
        """The user with this id, or None."""
        return self.data.users.get(user_id)

    def add_user(self, username: str, *, bot: bool = False) -> StoredUser:
        """Create a user."""
        user = StoredUser(id=self.snowflake(), username=username, bot=bot)
        self.data.users[user.id] = user
        return user

    def bot_user(self) -> StoredUser:
        """The sandbox's single bot user (created on first use)."""
        if self.data.bot_user_id is None or self.data.bot_user_id not in self.data.users:
            user = self.add_user("gaib-sandbox-bot", bot=True)
            self.data.bot_user_id = user.id
        return self.data.users[self.data.bot_user_id]
