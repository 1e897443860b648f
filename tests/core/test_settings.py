"""settings.json: providers round-trip, never a key, corrupt files kept, presets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.core.settings import (
    PRESETS,
    Provider,
    Settings,
    SettingsStore,
    normalize_base_url,
    slugify,
)


def sample() -> Settings:
    return Settings(
        providers=[
            Provider(
                id="openai",
                name="OpenAI",
                base_url="https://api.openai.com/v1",
                default_model="gpt-4o-mini",
                models=["gpt-4o-mini", "gpt-4o"],
            ),
            Provider(
                id="ollama",
                name="Ollama 本地",
                base_url="http://localhost:11434/v1",
                default_model="llama3.2",
                extra={"timeout": 120},
            ),
        ],
        default_provider="ollama",
        window={"width": 1100, "height": 760, "splitter": [260, 840]},
        extra={"accent": "teal"},
    )


def test_round_trip_of_providers(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    original = sample()
    store.save(original)

    loaded = SettingsStore(tmp_path).load()

    assert loaded == original
    assert loaded.provider("ollama") == original.providers[1]
    assert loaded.provider("missing") is None


def test_file_matches_the_design(tmp_path: Path) -> None:
    SettingsStore(tmp_path).save(sample())
    data = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))

    assert data["format"] == "confab.settings"
    assert data["version"] == 1
    assert data["default_provider"] == "ollama"
    assert data["providers"][0] == {
        "id": "openai",
        "name": "OpenAI",
        "base_url": "https://api.openai.com/v1",
        "default_model": "gpt-4o-mini",
        "models": ["gpt-4o-mini", "gpt-4o"],
    }
    assert data["providers"][1]["timeout"] == 120
    assert data["accent"] == "teal"  # a field this version does not know survives


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert SettingsStore(tmp_path).load() == Settings()


def test_hand_added_api_key_is_never_written_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "format": "confab.settings",
                "version": 1,
                "api_key": "sk-top-level-secret-1",
                "providers": [
                    {
                        "id": "openai",
                        "name": "OpenAI",
                        "base_url": "https://api.openai.com/v1",
                        "api_key": "sk-provider-secret-2",
                        "apiKey": "sk-provider-secret-3",
                        "Authorization": "Bearer sk-provider-secret-4",
                        "note": "kept",
                    }
                ],
                "default_provider": "openai",
            }
        ),
        encoding="utf-8",
    )
    store = SettingsStore(tmp_path)

    settings = store.load()
    store.save(settings)

    text = path.read_text(encoding="utf-8")
    assert "secret" not in text
    assert "api_key" not in text and "apiKey" not in text
    data = json.loads(text)
    assert data["providers"][0]["note"] == "kept"
    assert data["providers"][0]["base_url"] == "https://api.openai.com/v1"


def test_keys_set_in_memory_are_not_written_either(tmp_path: Path) -> None:
    settings = sample()
    settings.providers[0].extra["api_key"] = "sk-never-on-disk-123"
    settings.extra["token"] = "sk-never-on-disk-456"
    SettingsStore(tmp_path).save(settings)
    assert "never-on-disk" not in (tmp_path / "settings.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[1, 2]",
        b'"just a string"',
        b'{"format": "confab.settings", "title": "\xff\xfe"}',
        b"[" * 100_000,
    ],
)
def test_corrupt_settings_kept_aside_and_defaults_returned(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)

    settings = SettingsStore(tmp_path).load()

    assert settings == Settings()
    assert (tmp_path / "settings.corrupt.json").read_bytes() == content
    assert not path.exists()


@pytest.mark.parametrize(
    "providers",
    [5, "openai", {"id": "openai"}, [{"id": 7}, {"name": "no id"}, "x"]],
    ids=["number", "string", "object", "bad-items"],
)
def test_providers_of_the_wrong_shape_are_kept_aside_and_said(
    tmp_path: Path, providers: Any
) -> None:
    """Not silently replaced by [] at the next save: the file as it was is kept, the user is
    told, and what could be read (the window, other providers) is used."""
    path = tmp_path / "settings.json"
    good = {"id": "local", "name": "Local", "base_url": "http://127.0.0.1:1/v1"}
    listed = [*providers, good] if isinstance(providers, list) else providers
    content = json.dumps(
        {"format": "confab.settings", "version": 1, "providers": listed,
         "window": {"splitter": [200, 800]}, "auto_title": False}
    ).encode()  # fmt: skip
    path.write_bytes(content)

    store = SettingsStore(tmp_path)
    settings = store.load()

    assert store.problems and store.kept_as == "settings.corrupt.json"
    assert (tmp_path / "settings.corrupt.json").read_bytes() == content
    assert settings.window == {"splitter": [200, 800]}
    assert [p.id for p in settings.providers] == (["local"] if isinstance(providers, list) else [])
    store.save(settings)
    assert (tmp_path / "settings.corrupt.json").read_bytes() == content  # still there


def test_a_settings_file_that_is_not_a_file_is_kept_aside(tmp_path: Path) -> None:
    (tmp_path / "settings.json").mkdir()
    store = SettingsStore(tmp_path)
    assert store.load() == Settings()
    assert store.problems and store.kept_as == "settings.corrupt.json"
    assert (tmp_path / "settings.corrupt.json").is_dir()


def test_a_second_corrupt_file_does_not_destroy_the_first(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"{first")
    SettingsStore(tmp_path).load()
    path.write_bytes(b"{second")
    SettingsStore(tmp_path).load()

    kept = sorted(p.read_bytes() for p in tmp_path.glob("settings.corrupt*.json"))
    assert kept == [b"{first", b"{second"]


def test_providers_without_id_are_skipped_others_kept(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "format": "confab.settings",
                "version": 1,
                "providers": [{"name": "no id"}, "junk", {"id": "x", "base_url": "http://h/v1"}],
            }
        ),
        encoding="utf-8",
    )
    settings = SettingsStore(tmp_path).load()
    assert [p.id for p in settings.providers] == ["x"]
    assert settings.providers[0].name == "x"


def test_slugify_is_unique_and_ascii() -> None:
    taken: set[str] = set()
    ids = []
    for name in ["OpenAI", "OpenAI", "openai", "  Open AI!  ", "通义千问", "通义千问", ""]:
        slug = slugify(name, taken)
        taken.add(slug)
        ids.append(slug)
    assert ids == [
        "openai",
        "openai-2",
        "openai-3",
        "open-ai",
        "provider",
        "provider-2",
        "provider-3",
    ]
    assert all(s.isascii() for s in ids)
    assert len(set(ids)) == len(ids)


def test_presets_have_the_right_base_urls() -> None:
    by_name = {p.name: p for p in PRESETS}
    assert by_name["OpenAI"].base_url == "https://api.openai.com/v1"
    assert by_name["DeepSeek"].base_url == "https://api.deepseek.com/v1"
    assert by_name["OpenRouter"].base_url == "https://openrouter.ai/api/v1"
    assert by_name["Ollama"].base_url == "http://localhost:11434/v1"
    assert by_name["LM Studio"].base_url == "http://localhost:1234/v1"
    assert by_name["OpenAI"].needs_key and by_name["DeepSeek"].needs_key
    assert by_name["OpenRouter"].needs_key
    assert not by_name["Ollama"].needs_key and not by_name["LM Studio"].needs_key
    for preset in PRESETS:
        assert normalize_base_url(preset.base_url) == preset.base_url


def test_normalize_base_url() -> None:
    assert normalize_base_url("  https://api.example.com/v1/ ") == "https://api.example.com/v1"
