"""settings.json: providers and preferences. Never an API key (those live in the keyring)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.atomic import json_bytes, write_bytes_atomic
from desktop.core.errors import NewerFormatError, StorageError
from desktop.core.fileformat import SETTINGS_FORMAT as SETTINGS_FORMAT  # re-exported
from desktop.core.fileformat import SETTINGS_VERSION
from desktop.core.files import read_regular_file
from desktop.core.personas import Persona
from desktop.core.preferences import DEFAULT_QUICK_ASK_SHORTCUT, SEND_ENTER, THEME_SYSTEM
from desktop.core.pricing import Price
from desktop.core.providers import PRESETS, Preset, Provider, normalize_base_url, slugify
from desktop.core.tools.config import McpServer

__all__ = [
    "PRESETS",
    "Preset",
    "Provider",
    "Settings",
    "SettingsStore",
    "normalize_base_url",
    "slugify",
]

log = logging.getLogger("confab.settings")

# Providers and preferences are a few kilobytes; anything this size is not a settings file.
MAX_SETTINGS_BYTES = 16 * 1024 * 1024


@dataclass
class Settings:
    providers: list[Provider] = field(default_factory=list)
    default_provider: str | None = None
    window: dict[str, Any] = field(default_factory=dict)
    # Ask the model for a short title after the first reply.
    auto_title: bool = True
    # The user's own prices (on top of the shipped table), by lower-case model id.
    prices: dict[str, Price] = field(default_factory=dict)
    # The user's own personas (the built-in ones are not kept here).
    personas: list[Persona] = field(default_factory=list)
    # Folders the user made (paths, desktop/core/folders.py), shown even while empty.
    folders: list[str] = field(default_factory=list)
    # MCP servers (desktop/core/tools/config.py; their secrets are in the keyring) and the
    # tools the user always allows, as (server id, tool name).
    mcp_servers: list[McpServer] = field(default_factory=list)
    tool_approvals: list[tuple[str, str]] = field(default_factory=list)
    # Preferences. Each is written only when not its default.
    # "system" | "light" | "dark"; the command line's --theme wins over it.
    theme: str = THEME_SYSTEM
    # An interface language such as "en" or "zh_CN"; None = the system's. --lang wins.
    language: str | None = None
    # The thread's font size in points; None = the platform's default.
    thread_font_size: int | None = None
    # "enter" (Shift+Enter = newline) | "ctrl+enter" (Enter = newline).
    send_key: str = SEND_ENTER
    # The model new conversations use, with ``default_provider``; None = the provider's own.
    default_model: str | None = None
    start_on_login: bool = False
    # Shortcuts the user changed: action id (desktop/ui/shortcuts.py) -> QKeySequence
    # PortableText ("" = no key). Actions not here have their default key.
    shortcuts: dict[str, str] = field(default_factory=dict)
    # The global quick-ask shortcut, PortableText; "" = off.
    quick_ask_shortcut: str = DEFAULT_QUICK_ASK_SHORTCUT
    tray_icon: bool = True
    notify_when_done: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def provider(self, provider_id: str | None) -> Provider | None:
        for provider in self.providers:
            if provider.id == provider_id:
                return provider
        return None

    def mcp_server(self, server_id: str | None) -> McpServer | None:
        for server in self.mcp_servers:
            if server.id == server_id:
                return server
        return None

    def to_dict(self) -> dict[str, Any]:
        from desktop.core.fileformat import settings_to_dict

        return settings_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], notes: list[str] | None = None) -> Settings:
        """Liberal: what cannot be read is left out, with a line in ``notes`` (the caller
        keeps the file as it was before anything is written over it)."""
        from desktop.core.fileformat import settings_from_dict

        return settings_from_dict(data, notes)


class SettingsStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "settings.json"
        # Set when settings.json was written by a newer Confab: then it is never overwritten.
        self.newer_version: int | None = None
        # What could not be read at the last load, and where the file was kept.
        self.problems: list[str] = []
        self.kept_as: str | None = None

    def load(self) -> Settings:
        """The settings, as far as they can be read. Whatever could not be read is said in
        ``problems``, and the file as it was is kept as ``kept_as`` (settings.corrupt.json)
        before Confab writes anything over it."""
        self.problems = []
        self.kept_as = None
        try:
            raw = read_regular_file(self.path, limit=MAX_SETTINGS_BYTES)
        except FileNotFoundError:
            return Settings()
        except StorageError as exc:
            log.error("cannot read settings: %s", exc.detail)
            self.problems.append(exc.detail)
            # Not read, so not to be written over either: kept aside like a broken file.
            self._keep_aside(move=True)
            return Settings()
        try:
            data = json.loads(raw.decode("utf-8-sig"))
            if not isinstance(data, dict):
                raise ValueError("settings is not an object")
        except (ValueError, RecursionError) as exc:
            # UnicodeDecodeError is a ValueError. Keep the broken file for the user (never
            # over an earlier one); start with defaults.
            log.error("settings.json unreadable (%s)", exc)
            self.problems.append(f"settings.json: {exc}")
            self._keep_aside(move=True)
            return Settings()
        version = data.get("version", SETTINGS_VERSION)
        if (
            isinstance(version, int)
            and not isinstance(version, bool)
            and version > SETTINGS_VERSION
        ):
            log.warning("settings.json is in format version %d: read-only", version)
            self.newer_version = version
        notes: list[str] = []
        settings = Settings.from_dict(data, notes)
        if notes and self.newer_version is None:
            for note in notes:
                log.warning("settings.json: %s", note)
            self.problems.extend(notes)
            # Read as far as possible; the next save would drop the rest, so copy it first.
            self._keep_aside(move=False, raw=raw)
        return settings

    def _keep_aside(self, *, move: bool, raw: bytes | None = None) -> None:
        backup = self._free_backup_path()
        try:
            if move:
                self.path.replace(backup)
            else:
                write_bytes_atomic(backup, raw or b"")
        except (OSError, StorageError) as exc:
            log.error("could not keep settings.json as %s: %s", backup.name, exc)
            return
        log.error("settings.json kept as %s", backup.name)
        self.kept_as = backup.name

    def _free_backup_path(self) -> Path:
        backup = self.path.with_name("settings.corrupt.json")
        counter = 1
        while backup.exists():
            backup = self.path.with_name(f"settings.corrupt.{counter}.json")
            counter += 1
        return backup

    def encode(self, settings: Settings) -> bytes:
        """The bytes of settings.json for ``settings``; NewerFormatError for a file of a newer
        Confab (never written)."""
        if self.newer_version is not None:
            raise NewerFormatError(
                f"settings.json is in format version {self.newer_version}, newer than this "
                f"Confab's ({SETTINGS_VERSION})",
                self.newer_version,
            )
        return json_bytes(settings.to_dict())

    def save(self, settings: Settings) -> None:
        write_bytes_atomic(self.path, self.encode(settings))
