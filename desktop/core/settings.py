"""settings.json: providers and preferences. Never an API key (those live in the keyring)."""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.atomic import write_json_atomic
from desktop.core.errors import NewerFormatError
from desktop.core.providers import (
    PRESETS,
    SECRET_FIELD_NAMES,
    Preset,
    Provider,
    normalize_base_url,
    slugify,
)

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

SETTINGS_FORMAT = "confab.settings"
SETTINGS_VERSION = 1


@dataclass
class Settings:
    providers: list[Provider] = field(default_factory=list)
    default_provider: str | None = None
    window: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def provider(self, provider_id: str | None) -> Provider | None:
        for provider in self.providers:
            if provider.id == provider_id:
                return provider
        return None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": SETTINGS_FORMAT,
            "version": SETTINGS_VERSION,
            "providers": [p.to_dict() for p in self.providers],
            "default_provider": self.default_provider,
            "window": dict(self.window),
        }
        for key, value in self.extra.items():
            if key not in data and key.lower() not in SECRET_FIELD_NAMES:
                data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = {"format", "version", "providers", "default_provider", "window"}
        providers = []
        for item in data.get("providers") or []:
            if isinstance(item, dict) and "id" in item:
                providers.append(Provider.from_dict(item))
        window = data.get("window")
        return cls(
            providers=providers,
            default_provider=data.get("default_provider"),
            window=window if isinstance(window, dict) else {},
            extra={
                k: v
                for k, v in data.items()
                if k not in known and k.lower() not in SECRET_FIELD_NAMES
            },
        )


class SettingsStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "settings.json"
        # Set when settings.json was written by a newer Confab: then it is never overwritten.
        self.newer_version: int | None = None

    def load(self) -> Settings:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            log.error("cannot read settings: %s", exc)
            return Settings()
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("settings is not an object")
            version = data.get("version", SETTINGS_VERSION)
            if (
                isinstance(version, int)
                and not isinstance(version, bool)
                and version > SETTINGS_VERSION
            ):
                log.warning("settings.json is in format version %d: read-only", version)
                self.newer_version = version
            return Settings.from_dict(data)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            # UnicodeDecodeError is a ValueError. Keep the broken file for the user (never
            # over an earlier one); start with defaults.
            backup = self._free_backup_path()
            log.error("settings.json unreadable (%s); kept as %s", exc, backup.name)
            with contextlib.suppress(OSError):
                self.path.replace(backup)
            return Settings()

    def _free_backup_path(self) -> Path:
        backup = self.path.with_name("settings.corrupt.json")
        counter = 1
        while backup.exists():
            backup = self.path.with_name(f"settings.corrupt.{counter}.json")
            counter += 1
        return backup

    def save(self, settings: Settings) -> None:
        if self.newer_version is not None:
            raise NewerFormatError(
                f"settings.json is in format version {self.newer_version}, newer than this "
                f"Confab's ({SETTINGS_VERSION})",
                self.newer_version,
            )
        write_json_atomic(self.path, settings.to_dict())
