"""Settings → Providers in the real window: presets, a custom server, keys in the keyring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keyring
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.conftest import write_settings


def _button(dialog: Any, text: str) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


def test_first_start_adds_a_custom_server_with_a_key_and_chats(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    openai_server.api_key = "sk-secret-abc123"
    app = start_app()
    qtbot.waitUntil(
        lambda: app.window.provider_dialog is not None and app.window.provider_dialog.isVisible()
    )
    dialog = app.window.provider_dialog
    qtbot.mouseClick(_button(dialog, "Other OpenAI-compatible server…"), Qt.MouseButton.LeftButton)
    assert dialog.form_widget.isVisible()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "My server")
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, openai_server.base_url)
    qtbot.keyClicks(dialog.key_edit, "sk-secret-abc123")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Connected" in dialog.status.text())
    assert "2 model(s)" in dialog.status.text()
    assert [dialog.model_combo.itemText(i) for i in range(dialog.model_combo.count())] == [
        "other-model",
        "test-model",
    ]
    dialog.model_combo.setEditText("test-model")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    settings_text = (app.data_dir / "settings.json").read_text()
    assert "sk-secret-abc123" not in settings_text
    (provider,) = json.loads(settings_text)["providers"]
    assert provider["name"] == "My server" and provider["base_url"] == openai_server.base_url
    assert provider["default_model"] == "test-model"
    # The key is in the OS keyring (the private Secret Service), under service "Confab".
    assert keyring.get_password("Confab", provider["id"]) == "sk-secret-abc123"

    app.type_and_send("Hello with a key")
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "echo[1]: Hello with a key")
    assert openai_server.chat_requests()[-1]["headers"]["authorization"] == (
        "Bearer sk-secret-abc123"
    )


def test_presets_fill_in_the_known_servers(start_app: Any, qtbot: Any) -> None:
    app = start_app()
    qtbot.waitUntil(lambda: app.window.provider_dialog is not None)
    dialog = app.window.provider_dialog
    expected = {
        "OpenAI": "https://api.openai.com/v1",
        "DeepSeek": "https://api.deepseek.com/v1",
        "OpenRouter": "https://openrouter.ai/api/v1",
        "Ollama (on this computer)": "http://localhost:11434/v1",
        "LM Studio (on this computer)": "http://localhost:1234/v1",
    }
    for label, url in expected.items():
        if dialog.empty_hint.isVisible():
            qtbot.mouseClick(_button(dialog, label), Qt.MouseButton.LeftButton)
        else:
            action = next(
                a
                for a in dialog.add_menu.actions()
                if a.text().replace("(local)", "(on this computer)") == label
            )
            action.trigger()
        assert dialog.url_edit.text() == url
    assert [p.base_url for p in app.settings.providers()] == list(expected.values())
    assert app.window.provider_combo.count() == 5


def test_a_local_server_needs_no_key_and_removing_a_provider_forgets_its_key(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(
        tmp_path / "data",
        [
            {
                "id": "local",
                "name": "Loopback",
                "base_url": openai_server.base_url,
                "default_model": "test-model",
            }
        ],
    )
    app = start_app()
    app.type_and_send("no key")
    app.wait_idle()
    assert "authorization" not in openai_server.chat_requests()[-1]["headers"]

    dialog = app.window.open_providers()
    qtbot.keyClicks(dialog.key_edit, "sk-to-forget")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert keyring.get_password("Confab", "local") == "sk-to-forget"
    assert dialog.forget_key_button.isVisible()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert app.settings.providers() == []
    assert keyring.get_password("Confab", "local") is None


def test_a_bad_base_url_is_refused_with_a_message(start_app: Any, qtbot: Any) -> None:
    app = start_app()
    qtbot.waitUntil(lambda: app.window.provider_dialog is not None)
    dialog = app.window.provider_dialog
    qtbot.mouseClick(_button(dialog, "Other OpenAI-compatible server…"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.url_edit, "localhost:8080")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "must start with http" in dialog.status.text()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # not closed over an invalid form


def test_without_a_keyring_the_key_lives_in_memory_and_the_user_is_told(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from desktop.core.errors import KeyringUnavailableError
    from desktop.core.secrets import _KeyringModule

    def unavailable(self: Any, *args: Any) -> None:
        raise KeyringUnavailableError("org.freedesktop.secrets was not provided by any file")

    monkeypatch.setattr(_KeyringModule, "_call", unavailable)
    openai_server.api_key = "sk-memory-only-1"
    write_settings(
        tmp_path / "data",
        [
            {
                "id": "local",
                "name": "Loopback",
                "base_url": openai_server.base_url,
                "default_model": "test-model",
            }
        ],
    )
    app = start_app()
    dialog = app.window.open_providers()
    qtbot.keyClicks(dialog.key_edit, "sk-memory-only-1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "memory" in dialog.key_note.text()
    assert app.window.banner.isVisible() and "keyring" in app.window.banner.text.text()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    app.type_and_send("works anyway")
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "echo[1]: works anyway")
    for path in app.data_dir.rglob("*"):
        if path.is_file():
            assert b"sk-memory-only-1" not in path.read_bytes(), path


def test_an_invalid_form_is_not_thrown_away_by_add_or_switching(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(
        tmp_path / "data",
        [
            {"id": "a", "name": "A", "base_url": "http://127.0.0.1:1/v1", "default_model": "m"},
            {"id": "b", "name": "B", "base_url": "http://127.0.0.1:2/v1", "default_model": "m"},
        ],
    )
    app = start_app()
    dialog = app.window.open_providers()
    assert dialog.list.currentItem().text() == "A"
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "no-scheme.example")
    dialog.add_menu.actions()[-1].trigger()  # Add → Other OpenAI-compatible server…
    assert dialog.url_edit.text() == "no-scheme.example"
    assert "must start with http" in dialog.status.text()
    dialog.list.setCurrentRow(1)
    assert dialog.list.currentItem().text() == "A"  # stays until the form is fixed
    assert dialog.url_edit.text() == "no-scheme.example"
    assert len(app.settings.providers()) == 2
