"""The verification service's settings, read from the environment only (secrets never from files).

Every variable is documented in ``.env.example`` (next to this package's README). A malformed
value is refused with one line naming the variable, what is wrong and how to fix it; a missing
one only when the command at hand needs it (``serve`` needs ``VERIFY_BASE_URL`` and Discord or
Telegram; ``register-commands`` needs the Discord application; ``whois`` only the database).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from gaib_theme_sietch.verify.errors import SettingsError

DEFAULT_SQLITE_PATH = Path(".gaib") / "verify.sqlite3"
DEFAULT_TELEGRAM_API_BASE = "https://api.telegram.org"
# Berachain mainnet, where BGT lives; the chain id is part of the signed message.
DEFAULT_CHAIN_ID = 80094
DEFAULT_SESSION_TTL = 15 * 60
MIN_SESSION_TTL, MAX_SESSION_TTL = 60, 24 * 60 * 60

_SNOWFLAKE = re.compile(r"^[0-9]{17,20}$")
_PUBLIC_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
_TELEGRAM_TOKEN = re.compile(r"^[0-9]+:[A-Za-z0-9_-]{20,}$")
# Telegram's rule for setWebhook's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ENV_EXAMPLE = "see .env.example in the gaib-theme-sietch package"

#: Every variable this module reads (``.env.example`` documents each; a test checks).
VARIABLES = (
    "VERIFY_BASE_URL",
    "DATABASE_URL",
    "VERIFY_CHAIN_ID",
    "VERIFY_SESSION_TTL",
    "DISCORD_APPLICATION_ID",
    "DISCORD_PUBLIC_KEY",
    "DISCORD_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_API_BASE",
)


@dataclass(frozen=True)
class VerifySettings:
    """What the service and the ``gaib sietch`` verification commands run with.

    Secrets (``discord_token``, ``telegram_bot_token``, ``telegram_webhook_secret``) are kept out
    of ``repr``.
    """

    base_url: str | None = None
    database_url: str | None = None
    chain_id: int = DEFAULT_CHAIN_ID
    session_ttl: int = DEFAULT_SESSION_TTL
    discord_application_id: str | None = None
    discord_public_key: str | None = None
    discord_token: str | None = None
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base: str = DEFAULT_TELEGRAM_API_BASE

    def __repr__(self) -> str:
        return (
            f"VerifySettings(base_url={self.base_url!r}, database={self.database_label!r}, "
            f"chain_id={self.chain_id}, discord={self.discord_enabled}, "
            f"telegram={self.telegram_enabled})"
        )

    @property
    def database_label(self) -> str:
        """The database without credentials: ``sqlite:PATH`` or ``postgresql://host/db``."""
        if self.database_url is None:
            return f"sqlite:{DEFAULT_SQLITE_PATH}"
        parts = urlsplit(self.database_url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
        if parts.scheme == "sqlite":
            return f"sqlite:{sqlite_path(self.database_url)}"
        return f"{parts.scheme}://{host}{port}{parts.path}"

    @property
    def discord_enabled(self) -> bool:
        """True when Discord interactions can be verified (the public key is set)."""
        return self.discord_public_key is not None

    @property
    def telegram_enabled(self) -> bool:
        """True when the Telegram webhook is configured."""
        return self.telegram_bot_token is not None

    @property
    def domain(self) -> str:
        """The EIP-4361 domain: ``VERIFY_BASE_URL``'s host (and port)."""
        base = self.require_base_url()
        return urlsplit(base).netloc

    def require_base_url(self) -> str:
        """``VERIFY_BASE_URL``, or one line saying how to set it."""
        if self.base_url is None:
            raise _missing(
                "VERIFY_BASE_URL", "https://verify.example.org", "the public URL of this service"
            )
        return self.base_url

    def require_service(self) -> None:
        """What ``gaib sietch serve`` needs: the base URL and Discord or Telegram."""
        self.require_base_url()
        if not (self.discord_enabled or self.telegram_enabled):
            raise SettingsError(
                "nothing to serve: neither DISCORD_PUBLIC_KEY nor TELEGRAM_BOT_TOKEN is set",
                hint="export DISCORD_PUBLIC_KEY=<the application's public key> for Discord, "
                "and/or TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET for Telegram "
                f"({ENV_EXAMPLE})",
            )

    def require_discord_application(self) -> tuple[str, str]:
        """``(DISCORD_APPLICATION_ID, DISCORD_TOKEN)`` for registering commands."""
        if self.discord_application_id is None:
            raise _missing(
                "DISCORD_APPLICATION_ID",
                "123456789012345678",
                "the Application ID from the Developer Portal's General Information page",
            )
        if self.discord_token is None:
            raise _missing("DISCORD_TOKEN", "<bot token>", "the bot's token")
        return self.discord_application_id, self.discord_token


def _missing(name: str, example: str, what: str) -> SettingsError:
    return SettingsError(
        f"{name} is not set", hint=f"export {name}={example} ({what}; {ENV_EXAMPLE})"
    )


def _bad(name: str, problem: str, fix: str) -> SettingsError:
    return SettingsError(f"{name} {problem}", hint=fix)


def load_settings(environ: Mapping[str, str] | None = None) -> VerifySettings:
    """Settings from ``environ`` (default ``os.environ``); empty values count as unset.

    :raises SettingsError: a set variable is malformed (one line naming it).
    """
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    telegram_token = _telegram_token(get("TELEGRAM_BOT_TOKEN"))
    secret = _telegram_secret(get("TELEGRAM_WEBHOOK_SECRET"))
    if telegram_token is not None and secret is None:
        raise _missing(
            "TELEGRAM_WEBHOOK_SECRET",
            "<1-256 characters A-Z a-z 0-9 _ ->",
            "the secret_token given to setWebhook; Telegram sends it with every update",
        )
    return VerifySettings(
        base_url=_base_url(get("VERIFY_BASE_URL")),
        database_url=_database_url(get("DATABASE_URL")),
        chain_id=_integer("VERIFY_CHAIN_ID", get("VERIFY_CHAIN_ID"), DEFAULT_CHAIN_ID, 1, 2**53),
        session_ttl=_integer(
            "VERIFY_SESSION_TTL",
            get("VERIFY_SESSION_TTL"),
            DEFAULT_SESSION_TTL,
            MIN_SESSION_TTL,
            MAX_SESSION_TTL,
        ),
        discord_application_id=_snowflake(get("DISCORD_APPLICATION_ID")),
        discord_public_key=_public_key(get("DISCORD_PUBLIC_KEY")),
        discord_token=get("DISCORD_TOKEN"),
        telegram_bot_token=telegram_token,
        telegram_webhook_secret=secret,
        telegram_api_base=_http_url(
            "TELEGRAM_API_BASE", get("TELEGRAM_API_BASE") or DEFAULT_TELEGRAM_API_BASE
        ),
    )


def _http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad(
            name,
            f"is not an http(s) URL: {value!r}",
            f"set it to a URL such as https://example.org ({ENV_EXAMPLE})",
        )
    if parts.query or parts.fragment:
        raise _bad(name, "must not have a query or fragment", "drop what follows '?' or '#' in it")
    return value.rstrip("/")


def _base_url(value: str | None) -> str | None:
    return None if value is None else _http_url("VERIFY_BASE_URL", value)


def _database_url(value: str | None, unset: Path = DEFAULT_SQLITE_PATH) -> str | None:
    if value is None:
        return None
    scheme = urlsplit(value).scheme
    if scheme in ("postgresql", "postgres"):
        return value
    if scheme == "sqlite":
        if not value.startswith("sqlite:///") or not value[len("sqlite:///") :].strip("/"):
            raise _bad(
                "DATABASE_URL",
                f"names no SQLite file: {value!r}",
                "use sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3",
            )
        return value
    raise _bad(
        "DATABASE_URL",
        f"has an unsupported scheme {scheme + '://' if scheme else '(none)'}",
        "use postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or sqlite:///PATH, or unset it for "
        f"SQLite at {unset}",
    )


def database_url_from_env(
    environ: Mapping[str, str] | None = None, unset: Path = DEFAULT_SQLITE_PATH
) -> str | None:
    """``DATABASE_URL`` alone, validated (None when unset or empty): for commands that need
    only the database (Sietch's app configuration), so other variables cannot stop them.
    ``unset`` is the SQLite file used without it, named in the error's advice.

    :raises SettingsError: it is set to something other than a PostgreSQL or SQLite URL.
    """
    env = os.environ if environ is None else environ
    return _database_url(env.get("DATABASE_URL", "").strip() or None, unset)


def sqlite_path(url: str | None) -> Path:
    """The file of a ``sqlite:///PATH`` URL (``sqlite:////abs/path`` is absolute); the default
    ``.gaib/verify.sqlite3`` for ``None``."""
    if url is None:
        return DEFAULT_SQLITE_PATH
    rest = url[len("sqlite://") :]
    return Path(rest[1:] if rest.startswith("/") else rest)


def _integer(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise _bad(
            name,
            f"must be a whole number from {low} to {high}, not {value!r}",
            f"fix or unset it (default {default})",
        )
    return int(value)


def _snowflake(value: str | None) -> str | None:
    if value is not None and not _SNOWFLAKE.match(value):
        raise _bad(
            "DISCORD_APPLICATION_ID",
            f"is not a Discord id (17-20 digits): {value!r}",
            "copy the Application ID from the Developer Portal's General Information page",
        )
    return value


def _public_key(value: str | None) -> str | None:
    if value is not None and not _PUBLIC_KEY.match(value):
        raise _bad(
            "DISCORD_PUBLIC_KEY",
            "is not an Ed25519 public key (64 hex characters)",
            "copy the Public Key from the Developer Portal's General Information page",
        )
    return value.lower() if value is not None else None


def _telegram_token(value: str | None) -> str | None:
    if value is not None and not _TELEGRAM_TOKEN.match(value):
        raise _bad(
            "TELEGRAM_BOT_TOKEN",
            "is not a Telegram bot token (<digits>:<secret>)",
            "copy the token @BotFather gave you",
        )
    return value


def _telegram_secret(value: str | None) -> str | None:
    if value is not None and not _TELEGRAM_SECRET.match(value):
        raise _bad(
            "TELEGRAM_WEBHOOK_SECRET",
            "may only hold 1-256 characters A-Z, a-z, 0-9, _ and -",
            "pick one such as the output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
        )
    return value
