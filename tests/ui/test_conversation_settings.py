"""Per-conversation settings and personas, through the real dialog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.conftest import write_settings


def test_system_prompt_model_and_parameters_reach_the_request_and_the_file(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    app = start_app()
    dialog = app.window.open_conversation_settings()
    assert dialog.isVisible()
    assert dialog.temperature.text() == "Server default"
    dialog.prompt_edit.setPlainText("Answer like a pirate.")
    dialog.model_combo.setEditText("other-model")
    dialog.temperature.setValue(0.3)
    dialog.max_tokens.setValue(512)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert app.window.model_combo.currentText() == "other-model"
    app.type_and_send("Ahoy?")
    app.wait_idle()
    body = openai_server.chat_requests()[-1]["json"]
    assert body["messages"][0] == {"role": "system", "content": "Answer like a pirate."}
    assert body["model"] == "other-model"
    assert body["temperature"] == 0.3 and body["max_tokens"] == 512
    assert "top_p" not in body  # server default: not sent at all
    saved = app.conversation_files()[0]
    assert saved["system_prompt"] == "Answer like a pirate."
    assert saved["params"] == {"temperature": 0.3, "top_p": None, "max_tokens": 512}


def test_new_conversations_take_the_provider_defaults(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    app = start_app()
    dialog = app.window.open_conversation_settings()
    dialog.temperature.setValue(1.5)
    dialog.accept()
    app.window.new_conversation()
    fresh = app.window.open_conversation_settings()
    assert fresh.temperature.text() == "Server default"
    assert fresh.model_combo.currentText() == "test-model"
    assert fresh.prompt_edit.toPlainText() == ""
    fresh.reject()


def test_personas_built_in_and_saved_by_the_user(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    app = start_app()
    dialog = app.window.open_conversation_settings()
    names = [dialog.persona_combo.itemText(i) for i in range(dialog.persona_combo.count())]
    assert "Translator · 中英互译" in names and "中文写作助手" in names
    index = names.index("中文写作助手")
    dialog.persona_combo.setCurrentIndex(index)
    dialog.persona_combo.activated.emit(index)
    assert dialog.prompt_edit.toPlainText().startswith("你是一位严谨的中文写作助手")

    dialog.prompt_edit.setPlainText("You are a terse Unix greybeard.")
    qtbot.keyClicks(dialog.persona_name, "Greybeard")
    qtbot.mouseClick(dialog.save_persona_button, Qt.MouseButton.LeftButton)
    assert dialog.persona_combo.currentText() == "Greybeard"
    app.settings.wait_for_writes()  # settings.json is written in its thread
    stored = json.loads((app.data_dir / "settings.json").read_text())["personas"]
    assert stored == [
        {"id": "greybeard", "name": "Greybeard", "prompt": "You are a terse Unix greybeard."}
    ]
    dialog.accept()
    app.window.new_conversation()
    again = app.window.open_conversation_settings()
    names = [again.persona_combo.itemText(i) for i in range(again.persona_combo.count())]
    assert names[-1] == "Greybeard"
    again.reject()


def test_the_persona_reads_none_without_a_prompt_and_custom_with_ones_own(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    app = start_app()
    dialog = app.window.open_conversation_settings()
    combo = dialog.persona_combo
    assert combo.currentIndex() == 0 and combo.currentText() == "None"
    dialog.prompt_edit.setPlainText("Answer in haiku.")
    assert combo.currentIndex() == 0 and combo.currentText() == "Custom"
    names = [combo.itemText(i) for i in range(combo.count())]
    index = names.index("中文写作助手")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert combo.currentText() == "中文写作助手"
    dialog.prompt_edit.appendPlainText("Be brief.")  # no longer the persona's own prompt
    assert combo.currentIndex() == 0 and combo.currentText() == "Custom"
    dialog.prompt_edit.clear()
    assert combo.currentText() == "None"
    # The gap the persona's status line leaves stays closed until it has something to say.
    assert not dialog.persona_status.isVisible()
    dialog.save_persona_button.click()
    assert dialog.persona_status.isVisible()
    assert "Type a system prompt" in dialog.persona_status.text()
    dialog.reject()

    app.conversations.current.system_prompt = "An old prompt of my own."
    again = app.window.open_conversation_settings()
    assert again.persona_combo.currentText() == "Custom"
    again.reject()
