"""Provider data types and the presets offered when adding one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from desktop.core.network import NetworkSettings

# Fields a careless hand-edit might add that must never be written back.
SECRET_FIELD_NAMES = frozenset(
    {"api_key", "apikey", "key", "token", "authorization", "password", "secret"}
)


@dataclass
class Provider:
    id: str
    name: str
    base_url: str
    default_model: str = ""
    models: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Proxy, CA bundle, TLS verification and timeouts; the proxy password is in the keyring.
    network: NetworkSettings = field(default_factory=NetworkSettings)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "base_url": self.base_url,
            "default_model": self.default_model,
            "models": list(self.models),
        }
        if not self.network.is_default():
            data["network"] = self.network.to_dict()
        for key, value in self.extra.items():
            if key not in data and key.lower() not in SECRET_FIELD_NAMES:
                data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provider:
        known = {"id", "name", "base_url", "default_model", "models", "network"}
        models = data.get("models")
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or data["id"]),
            base_url=str(data.get("base_url") or ""),
            default_model=str(data.get("default_model") or ""),
            models=[str(m) for m in models] if isinstance(models, list) else [],
            network=NetworkSettings.from_dict(data.get("network")),
            extra={
                k: v
                for k, v in data.items()
                if k not in known and k.lower() not in SECRET_FIELD_NAMES
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
