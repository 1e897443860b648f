"""File → Tools… in the real window: a server added in the form (its secret to the keyring,
never shown again), servers imported from a pasted config (what was found and what was not
shown before anything is added), and each server's state as it changes: starting, ready with
its tools (the real mcp-server-time), failed with the reason from its stderr."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from PySide6.QtCore import Qt

from desktop.ui.tools_dialog import ImportServersDialog, ToolsDialog
from tests.conftest import write_settings

TIME_SERVER = [sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"]
SECRET = "tok-9f8e7d6c5b4a"


@pytest.fixture(autouse=True)
def _forget_secrets(secret_service: Any) -> Iterator[None]:
    names = ["mcp:weather:WEATHER_TOKEN", "mcp:search:BRAVE_API_KEY", "mcp:remote:Authorization"]

    def forget() -> None:
        for name in names:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password("Confab", name)

    forget()
    yield
    forget()


def _saved(app: Any, qtbot: Any, until: Callable[[list[dict[str, Any]]], bool]) -> dict[str, Any]:
    """settings.json once the settings writer has written servers that pass ``until``."""
    path = app.data_dir / "settings.json"
    found: dict[str, Any] = {}

    def written() -> bool:
        nonlocal found
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return until(found.get("mcp_servers", []))

    qtbot.waitUntil(written)
    return found


def test_a_server_added_in_the_page_is_saved_its_secret_in_the_keyring(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [])
    app = start_app()
    dialog = app.window.open_tools()
    assert isinstance(dialog, ToolsDialog)
    assert dialog.empty_hint.isVisible() and not dialog.form_widget.isVisible()

    dialog.add_server("stdio")
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Weather")
    qtbot.keyClicks(dialog.command_edit, "uvx")
    qtbot.keyClicks(dialog.args_edit, 'weather-mcp --city "New York"')
    qtbot.mouseClick(dialog.env_editor.add_button, Qt.MouseButton.LeftButton)
    units = dialog.env_editor.rows[-1]
    qtbot.keyClicks(units.name_edit, "UNITS")
    qtbot.keyClicks(units.value_edit, "metric")
    qtbot.mouseClick(dialog.env_editor.add_button, Qt.MouseButton.LeftButton)
    token = dialog.env_editor.rows[-1]
    qtbot.keyClicks(token.name_edit, "WEATHER_TOKEN")
    token.secret_check.setChecked(True)
    assert token.value_edit.echoMode() == token.value_edit.EchoMode.Password
    qtbot.keyClicks(token.value_edit, SECRET)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Saved."

    saved = _saved(app, qtbot, lambda servers: [s["name"] for s in servers] == ["Weather"])
    (server,) = saved["mcp_servers"]
    assert server["name"] == "Weather" and server["command"] == "uvx"
    assert server["args"] == ["weather-mcp", "--city", "New York"]
    assert server["env"] == {"UNITS": "metric"}
    assert SECRET not in (app.data_dir / "settings.json").read_text(encoding="utf-8")
    app.settle_keyring()
    assert keyring.get_password("Confab", f"mcp:{server['id']}:WEATHER_TOKEN") == SECRET

    # Shown again: the secret as stored, its value never.
    dialog.close()
    again = app.window.open_tools()
    row = next(r for r in again.env_editor.rows if r.name == "WEATHER_TOKEN")
    assert row.secret and row.value_edit.text() == ""
    assert row.value_edit.placeholderText() == "Stored in the keyring"
    assert again.args_edit.text() == "weather-mcp --city 'New York'"


def test_an_invalid_form_says_what_to_fix_and_keeps_what_was_typed(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [])
    app = start_app()
    dialog = app.window.open_tools()
    dialog.add_server("http")
    qtbot.keyClicks(dialog.url_edit, "example.com/mcp")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.property("error") is True
    assert "http:// or https://" in dialog.status.text()
    assert dialog.url_edit.text() == "example.com/mcp"
    assert dialog.isVisible()


CONFIG = {
    "mcpServers": {
        "time": {"command": "uvx", "args": ["mcp-server-time"]},
        "search": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-brave-search"],
            "env": {"BRAVE_API_KEY": "BSA-secret-value-123"},
        },
        "broken": ["not", "a", "server"],
    }
}


def test_servers_imported_by_paste_show_what_was_found_before_they_are_added(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [])
    app = start_app()
    dialog = app.window.open_tools()
    importer = dialog.open_import()
    assert isinstance(importer, ImportServersDialog)
    assert not importer.add_button.isEnabled()
    importer.text_edit.setFocus()
    importer.text_edit.insertPlainText(json.dumps(CONFIG, indent=2))
    qtbot.waitUntil(lambda: importer.found.count() == 2)
    lines = [importer.found.item(i).text() for i in range(importer.found.count())]
    assert lines[0] == "time: uvx mcp-server-time"
    assert lines[1].startswith("search: npx -y @modelcontextprotocol/server-brave-search")
    assert "1 secret to the system keyring" in lines[1]
    assert "BSA-secret" not in " ".join(lines)
    assert importer.problems.isVisible() and "broken" in importer.problems.text()
    assert importer.add_button.text() == "Add 2 Servers"
    assert dialog.list.count() == 0  # nothing added yet

    qtbot.mouseClick(importer.add_button, Qt.MouseButton.LeftButton)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["time", "search"]
    saved = _saved(app, qtbot, lambda servers: len(servers) == 2)
    assert {s["id"] for s in saved["mcp_servers"]} == {"time", "search"}
    assert "BSA-secret" not in (app.data_dir / "settings.json").read_text(encoding="utf-8")
    app.settle_keyring()
    assert keyring.get_password("Confab", "mcp:search:BRAVE_API_KEY") == "BSA-secret-value-123"


def test_text_that_is_no_config_is_said_so_and_nothing_can_be_added(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [])
    app = start_app()
    importer = app.window.open_tools().open_import()
    importer.set_text("{ not json")
    assert importer.found.count() == 0
    assert importer.summary.text() == "No server could be read from this text."
    assert importer.problems.isVisible()
    assert not importer.add_button.isEnabled()


def test_a_config_file_is_read_and_shown(start_app: Any, qtbot: Any, tmp_path: Path) -> None:
    write_settings(tmp_path / "data", [])
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    app = start_app()
    importer = app.window.open_tools().open_import()
    importer.read_file(str(config))
    assert importer.found.count() == 2


def _servers(**servers: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": key, "name": key.title(), **value} for key, value in servers.items()]


def test_the_state_of_each_server_is_shown_ready_with_its_tools_or_failed_with_why(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    crash = [
        sys.executable,
        "-c",
        "import sys; sys.stderr.write('cannot open ~/.notes: no such file\\n'); sys.exit(3)",
    ]
    write_settings(
        tmp_path / "data",
        [],
        mcp_servers=_servers(
            clock={"transport": "stdio", "command": TIME_SERVER[0], "args": TIME_SERVER[1:]},
            notes={"transport": "stdio", "command": crash[0], "args": crash[1:]},
        ),
    )
    app = start_app()
    dialog = app.window.open_tools()
    assert dialog.state_label.text().startswith("Not running")
    assert dialog.restart_button.text() == "Start"
    qtbot.mouseClick(dialog.restart_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state_label.text() == "Ready", timeout=30_000)
    assert dialog.state_label.property("state") == "ready"
    qtbot.waitUntil(lambda: dialog.tool_list.count() > 0, timeout=10_000)
    tools = [dialog.tool_list.item(i).text() for i in range(dialog.tool_list.count())]
    assert any(t.startswith("get_current_time") for t in tools)

    dialog.list.setCurrentRow(1)
    assert dialog.name_edit.text() == "Notes"
    qtbot.mouseClick(dialog.restart_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state_label.text() == "Failed", timeout=30_000)
    assert dialog.state_label.property("state") == "failed"
    assert "cannot open ~/.notes" in dialog.state_detail.text()
    assert dialog.state_detail.isVisible()
    assert "Restart" in dialog.tools_note.text()


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_each_config_problem_has_a_window_text_with_its_fields(qapp: Any) -> None:
    from desktop.core.tools import reasons
    from desktop.ui.tools_dialog import problem_texts

    texts = problem_texts()
    assert set(texts) == set(reasons.ENGLISH)
    for code, english in reasons.ENGLISH.items():
        assert _fields(texts[code]) == _fields(english.replace("!r", "")), code


def test_a_pasted_configs_problems_are_in_chinese_in_chinese(
    chinese: None, start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    from desktop.core.tools import reasons
    from desktop.ui.tools_dialog import problem_texts

    for code, text in problem_texts().items():
        assert text != reasons.ENGLISH[code], code
    write_settings(tmp_path / "data", [])
    app = start_app()
    importer = app.window.open_tools().open_import()
    importer.set_text(
        json.dumps({"mcpServers": {"ok": {"command": "uvx"}, "ws": {"type": "websocket"}}})
    )
    text = importer.problems.text()
    assert importer.problems.isVisible()
    # The name and the type as written, the words around them Chinese.
    assert "ws" in text and "websocket" in text
    assert "unknown transport" not in text and "传输" in text
