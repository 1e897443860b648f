"""settings.json: providers and preferences. Never an API key (those live in the keyring)."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.atomic import write_json_atomic

log = logging.getLogger("confab.settings")

SETTINGS_FORMAT = "confab.settings"
SETTINGS_VERSION = 1

# Fields a careless hand-edit might add that must never be written back.
_SECRET_KEYS = {"api_key", "apikey", "key", "token", "authorization", "password", "secret"}


@dataclass
class Provider:
    id: str
    name: str
    base_url: str
    default_model: str = ""
    models: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "base_url": self.base_url,
            "default_model": self.default_model,
            "models": list(self.models),
        }
        for key, value in self.extra.items():
            if key not in data and key.lower() not in _SECRET_KEYS:
                data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provider:
        known = {"id", "name", "base_url", "default_model", "models"}
        models = data.get("models")
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or data["id"]),
            base_url=str(data.get("base_url") or ""),
            default_model=str(data.get("default_model") or ""),
            models=[str(m) for m in models] if isinstance(models, list) else [],
            extra={
                k: v for k, v in data.items()
                if k not in known and k.lower() not in _SECRET_KEYS
            },
        )


@dataclass(frozen=True)
class Preset:
    name: str
    base_url: str
    default_model: str
    needs_key: bool


PRESETS: tuple[Preset, ...] = (
    Preset("OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", True),
    Preset("DeepSeek", "https://api.deepseek.com/v1", "deepseek-chat", True),
    Preset("OpenRouter", "https://openrouter.ai/api/v1", "openai/gpt-4o-mini", True),
    Preset("Ollama", "http://localhost:11434/v1", "llama3.2", False),
    Preset("LM Studio", "http://localhost:1234/v1", "", False),
)


def slugify(name: str, taken: set[str]) -> str:
    """A stable provider id from its name: lower-case ASCII, unique among ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "provider"
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def normalize_base_url(url: str) -> str:
    return url.strip().rstrip("/")


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
            if key not in data and key.lower() not in _SECRET_KEYS:
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
            extra={k: v for k, v in data.items()
                   if k not in known and k.lower() not in _SECRET_KEYS},
        )


class SettingsStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "settings.json"

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
            return Settings.from_dict(data)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            # UnicodeDecodeError is a ValueError. Keep the broken file for the user (never
            # over an earlier one); start with defaults.
            backup = self._free_backup_path()
            log.error("settings.json unreadable (%s); kept as %s", exc, backup.name)
            try:
                self.path.replace(backup)
            except OSError:
                pass
            return Settings()

    def _free_backup_path(self) -> Path:
        backup = self.path.with_name("settings.corrupt.json")
        counter = 1
        while backup.exists():
            backup = self.path.with_name(f"settings.corrupt.{counter}.json")
            counter += 1
        return backup

    def save(self, settings: Settings) -> None:
        write_json_atomic(self.path, settings.to_dict())
