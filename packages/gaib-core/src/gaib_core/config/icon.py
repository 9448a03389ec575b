"""The server icon a config names: found beside the file that names it, read once, checked.

``server.icon: icon.png`` is a path relative to the file it is written in: the user's
``discord-server.yaml``, or a theme file when the theme ships the icon (a rendered document keeps
each value's file, so the icon is found beside the theme's YAML). The image is read when the
config is loaded, so a missing or broken file is a one-line config error naming the file and
line, and the plan compares icons by the SHA-256 of the bytes, never by file name or date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gaib_core import images
from gaib_core.config.models import ServerConfig
from gaib_core.config.source import LoadedYaml
from gaib_core.errors import ConfigError

FIELD = "server.icon"


@dataclass(frozen=True)
class IconFile:
    """An icon image as written (``written``), where it was found, and its content."""

    written: str
    path: Path
    image: images.ImageData

    @property
    def sha256(self) -> str:
        """The content hash gaib compares."""
        return self.image.sha256

    def data_uri(self) -> str:
        """The image as Discord takes it in a request body."""
        return self.image.data_uri()


def resolve_icon(config: ServerConfig, source: LoadedYaml) -> None:
    """Read the icon ``config`` names (if any) and attach it; ``ConfigError`` if it is unusable."""
    written = config.server.icon
    if not written:
        config.server.attach_icon(None)
        return
    location = source.locate(("server", "icon"))
    base = Path(location.file).parent
    path = (base / written).resolve()
    beside = "beside the file that names it" if location.file else "beside the config"
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"icon file '{written}' not found (looked for {path})",
            location=location,
            field=FIELD,
            hint=f"put the image {beside}, or fix the path",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read icon file '{written}': {exc.strerror or exc}",
            location=location,
            field=FIELD,
            hint="check that it is a readable file",
        ) from None
    try:
        image = images.from_bytes(content)
    except images.ImageError as exc:
        raise ConfigError(
            f"icon file '{written}': {exc}",
            location=location,
            field=FIELD,
            hint="use a PNG, JPEG or GIF image (Discord shows it at 1024x1024)",
        ) from None
    config.server.attach_icon(IconFile(written, path, image))
