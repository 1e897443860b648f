"""The preferences in settings.json: they survive a save and a restart, only what differs from
its default is written, and a value that cannot be read is its default with a note."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.core.preferences import DEFAULT_QUICK_ASK_SHORTCUT, SEND_CTRL_ENTER, THEME_DARK
from desktop.core.settings import Settings, SettingsStore
from tests.support.written_files import validator

# The preferences of _chosen() as settings.json holds them (docs/format.md): the keys and
# their values as a user's file has them.
CHOSEN_AS_WRITTEN: dict[str, Any] = {
    "theme": "dark",
    "language": "zh_CN",
    "thread_font_size": 15,
    "send_key": "ctrl+enter",
    "default_model": "gpt-4o",
    "start_on_login": True,
    "shortcuts": {"find": "", "new_conversation": "Ctrl+Shift+N"},
    "quick_ask_shortcut": "Meta+Space",
    "tray_icon": False,
    "notify_when_done": False,
}


def _chosen() -> Settings:
    return Settings(
        default_provider="openai",
        auto_title=False,
        theme=THEME_DARK,
        language="zh_CN",
        thread_font_size=15,
        send_key=SEND_CTRL_ENTER,
        default_model="gpt-4o",
        start_on_login=True,
        shortcuts={"new_conversation": "Ctrl+Shift+N", "find": ""},
        quick_ask_shortcut="Meta+Space",
        tray_icon=False,
        notify_when_done=False,
    )


def _written(tmp_path: Path, settings: Settings) -> dict[str, Any]:
    store = SettingsStore(tmp_path)
    store.save(settings)
    data: dict[str, Any] = json.loads(store.path.read_text(encoding="utf-8"))
    return data


def test_preferences_survive_a_save_and_a_restart(tmp_path: Path) -> None:
    chosen = _chosen()
    data = _written(tmp_path, chosen)
    assert {key: data.get(key) for key in CHOSEN_AS_WRITTEN} == CHOSEN_AS_WRITTEN

    store = SettingsStore(tmp_path)
    loaded = store.load()
    assert store.problems == []
    assert loaded == chosen
    assert not (tmp_path / "settings.corrupt.json").exists()


def test_defaults_are_not_written(tmp_path: Path) -> None:
    data = _written(tmp_path, Settings())
    assert set(CHOSEN_AS_WRITTEN) & set(data) == set()
    loaded = SettingsStore(tmp_path).load()
    assert loaded.theme == "system" and loaded.language is None
    assert loaded.thread_font_size is None and loaded.send_key == "enter"
    assert loaded.default_model is None and loaded.start_on_login is False
    assert loaded.shortcuts == {} and loaded.quick_ask_shortcut == DEFAULT_QUICK_ASK_SHORTCUT
    assert loaded.tray_icon is True and loaded.notify_when_done is True


def test_what_is_written_matches_the_schema(tmp_path: Path) -> None:
    for settings in (Settings(), _chosen(), Settings(quick_ask_shortcut="")):
        errors = [e.message for e in validator("settings").iter_errors(settings.to_dict())]
        assert errors == []


BAD_VALUES = [
    ("theme", "purple"),
    ("theme", 1),
    ("language", "../../etc"),
    ("language", ["zh_CN"]),
    ("thread_font_size", "big"),
    ("thread_font_size", 500),
    ("thread_font_size", 0),
    ("thread_font_size", True),
    ("send_key", "shift+enter"),
    ("default_model", {"id": "gpt-4o"}),
    ("start_on_login", "yes"),
    ("shortcuts", ["Ctrl+N"]),
    ("quick_ask_shortcut", 5),
    ("tray_icon", "off"),
    ("notify_when_done", 0),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES, ids=[f"{k}={v!r}" for k, v in BAD_VALUES])
def test_a_bad_value_is_read_as_its_default_with_a_note(
    tmp_path: Path, key: str, value: Any
) -> None:
    content = json.dumps(
        {"format": "confab.settings", "version": 1, "providers": [], key: value,
         "window": {"splitter": [200, 800]}, "auto_title": False}
    ).encode()  # fmt: skip
    (tmp_path / "settings.json").write_bytes(content)

    store = SettingsStore(tmp_path)
    loaded = store.load()

    assert getattr(loaded, key) == getattr(Settings(), key)
    assert any(key in problem for problem in store.problems), store.problems
    # The rest is read, and the file as it was is kept before anything is written over it.
    assert loaded.auto_title is False and loaded.window == {"splitter": [200, 800]}
    assert (tmp_path / "settings.corrupt.json").read_bytes() == content
    assert key not in loaded.extra


def test_one_bad_shortcut_loses_only_itself(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps({"shortcuts": {"find": "Ctrl+Shift+F", "quit": 3}}), encoding="utf-8"
    )
    store = SettingsStore(tmp_path)
    loaded = store.load()
    assert loaded.shortcuts == {"find": "Ctrl+Shift+F"}
    assert any("shortcuts.quit" in p for p in store.problems)


def test_values_are_read_liberally(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "theme": " Dark ",
                "send_key": "Ctrl+Enter",
                "thread_font_size": 14.0,
                "language": None,
                "default_model": "",
            }
        ),
        encoding="utf-8",
    )
    store = SettingsStore(tmp_path)
    loaded = store.load()
    assert store.problems == []
    assert loaded.theme == "dark" and loaded.send_key == "ctrl+enter"
    assert loaded.thread_font_size == 14 and loaded.language is None
    assert loaded.default_model is None
