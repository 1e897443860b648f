"""Preferences, in the real window against the loopback server: each one changes what a user
notices, at once where it says so, and survives a restart; Cancel undoes what was shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from desktop.ui.message_view import CodeBlockWidget
from tests.conftest import RunningApp, write_settings
from tests.support.openai_server import Reply

DARK_WINDOW = "#1e1f22"  # desktop/ui/theme.py's dark palette


def _saved(app: RunningApp) -> dict[str, Any]:
    app.settings.wait_for_writes()
    data: dict[str, Any] = json.loads((app.data_dir / "settings.json").read_text("utf-8"))
    return data


def _choose(combo: Any, data: object) -> None:
    """As a user picks an item of a combo box."""
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def _active(app: RunningApp, qtbot: Any) -> None:
    """The window active, its message box focused: where the window's shortcuts work."""
    app.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window)
    app.window.composer.edit.setFocus()


def _window_colour() -> str:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.palette().color(QPalette.ColorRole.Window).name()


def test_the_theme_shows_at_once_cancel_takes_it_back_and_ok_keeps_it(
    start_chat_app: Callable[..., RunningApp], apply_app_theme: Any, openai_server: Any
) -> None:
    app = start_chat_app()
    openai_server.enqueue(Reply(text="```python\nprint('hi')\n```"))
    app.type_and_send("code please")
    app.wait_idle()
    light = _window_colour()
    assert light != DARK_WINDOW

    dialog = app.window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    assert _window_colour() == DARK_WINDOW
    assert app.window.dark and app.window.chat_view.message_widgets()  # shown again, dark
    dialog.reject()
    assert _window_colour() == light and not app.window.dark
    assert "theme" not in _saved(app)

    dialog = app.window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    assert dialog.save()
    assert _window_colour() == DARK_WINDOW
    assert _saved(app)["theme"] == "dark"
    assert [m.role for m in app.window.chat_view.message_widgets()] == ["user", "assistant"]


def test_the_font_size_changes_the_thread_text_and_its_height(
    start_chat_app: Callable[..., RunningApp], apply_app_theme: Any, openai_server: Any, qtbot: Any
) -> None:
    apply_app_theme(False)  # its QWidget { font-size } is what a preference must beat
    app = start_chat_app()
    words = "A reply of a few words, long enough to wrap. " * 8
    openai_server.enqueue(
        Reply(text=f"{words}\n\n```python\nfor i in range(3):\n    print(i)\n```")
    )
    app.type_and_send("hello")
    app.wait_idle()
    app.bubbles()
    reply = app.window.chat_view.message_widgets()[-1]
    body_label = reply.body.findChild(QLabel, "markdownBlock")
    code = reply.findChild(CodeBlockWidget)
    before_points = body_label.font().pointSizeF()
    before_height = reply.height()
    before_code = code.scroller.height()
    header_points = reply.header.font().pointSizeF()

    dialog = app.window.open_preferences()
    dialog.font_spin.setValue(20)
    qtbot.waitUntil(lambda: reply.height() > before_height * 1.3)
    assert body_label.font().pointSizeF() == 20 != before_points
    assert reply.header.font().pointSizeF() == header_points  # the headings keep theirs
    # The code grew too, and its box with it: no line cut off.
    assert code.code.font().pointSizeF() == 20
    assert code.scroller.height() > before_code * 1.3
    assert code.scroller.height() >= code.code.sizeHint().height()
    assert app.window.chat_view.font_size == 20
    assert dialog.save()
    assert _saved(app)["thread_font_size"] == 20

    dialog = app.window.open_preferences()
    dialog.font_spin.setValue(dialog.font_spin.minimum())  # "Default"
    assert dialog.font_spin.text() == "Default"
    assert dialog.save()
    qtbot.waitUntil(lambda: body_label.font().pointSizeF() == before_points)
    assert "thread_font_size" not in _saved(app)


def test_ctrl_enter_sends_and_enter_starts_a_new_line_and_back(
    start_chat_app: Callable[..., RunningApp], openai_server: Any, qtbot: Any
) -> None:
    app = start_chat_app()
    composer = app.window.composer
    dialog = app.window.open_preferences()
    _choose(dialog.send_combo, "ctrl+enter")
    assert "Ctrl+Enter" in composer.edit.placeholderText()  # already, before OK
    assert dialog.save()
    assert _saved(app)["send_key"] == "ctrl+enter"

    edit = composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "first line")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "second line")
    assert edit.toPlainText() == "first line\nsecond line"
    assert openai_server.chat_requests() == []
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    app.wait_idle()
    sent = openai_server.chat_requests()[0]["json"]["messages"][-1]["content"]
    assert sent == "first line\nsecond line"
    assert edit.toPlainText() == ""

    dialog = app.window.open_preferences()
    _choose(dialog.send_combo, "enter")
    assert dialog.save()
    assert "Shift+Enter" in edit.placeholderText()
    qtbot.keyClicks(edit, "one")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "two")
    assert len(openai_server.chat_requests()) == 1
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    app.wait_idle()
    assert len(openai_server.chat_requests()) == 2
    assert openai_server.chat_requests()[1]["json"]["messages"][-1]["content"] == "one\ntwo"


def test_a_new_conversation_uses_the_default_model(
    start_chat_app: Callable[..., RunningApp], openai_server: Any
) -> None:
    app = start_chat_app()
    app.settings.remember_models("local", ["test-model", "other-model"])
    dialog = app.window.open_preferences()
    assert dialog.model_combo.currentText() == "test-model"
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findText("other-model"))
    assert dialog.save()
    assert _saved(app)["default_model"] == "other-model"

    app.window.new_conversation()
    assert app.window.model_combo.currentText() == "other-model"
    app.type_and_send("which model?")
    app.wait_idle()
    assert openai_server.chat_requests()[-1]["json"]["model"] == "other-model"


def test_titles_off_sends_no_title_request(
    start_chat_app: Callable[..., RunningApp], openai_server: Any, qtbot: Any
) -> None:
    app = start_chat_app(auto_title=True)
    dialog = app.window.open_preferences()
    assert dialog.titles_check.isChecked()
    dialog.titles_check.setChecked(False)
    assert dialog.save()
    assert _saved(app)["auto_title"] is False

    openai_server.enqueue(Reply(text="An answer about spring."))
    app.type_and_send("Give me ideas for a poem about spring, please, with rhymes")
    app.wait_idle()
    qtbot.waitUntil(lambda: len(app.chat._tasks) == 0)  # a title request would be one
    assert len(openai_server.chat_requests()) == 1
    assert app.conversation_files()[0]["title"].startswith("Give me ideas")

    dialog = app.window.open_preferences()
    dialog.titles_check.setChecked(True)
    assert dialog.save()
    openai_server.enqueue(Reply(text="Another."), Reply(text="Autumn Leaves"))
    app.window.new_conversation()
    app.type_and_send("And autumn?")
    app.wait_idle()
    qtbot.waitUntil(lambda: len(openai_server.chat_requests()) == 3)  # the title's


def test_a_changed_shortcut_fires_on_its_new_key_only(
    start_chat_app: Callable[..., RunningApp], qtbot: Any
) -> None:
    app = start_chat_app()
    fired: list[bool] = []
    app.window.new_action.triggered.connect(lambda: fired.append(True))
    dialog = app.window.open_preferences()
    dialog.show_tab("shortcuts")
    dialog.set_shortcut("new_conversation", "Ctrl+Shift+J")
    assert dialog.save()
    assert _saved(app)["shortcuts"] == {"new_conversation": "Ctrl+Shift+J"}

    edit = app.window.composer.edit
    _active(app, qtbot)
    qtbot.keyClick(edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert fired == []
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(edit, Qt.Key.Key_J, modifiers)
    assert fired == [True]
    assert "Ctrl+Shift+J" in app.window.new_action.shortcut().toString()
    assert app.window.sidebar.search_field.text() == "Search (Ctrl+K)"

    dialog = app.window.open_preferences()
    dialog.reset_shortcut("new_conversation")
    assert dialog.save()
    assert "shortcuts" not in _saved(app)
    _active(app, qtbot)
    qtbot.keyClick(edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True, True]


def test_two_actions_on_one_key_are_both_marked_and_not_saved(
    start_chat_app: Callable[..., RunningApp],
) -> None:
    app = start_chat_app()
    dialog = app.window.open_preferences("shortcuts")
    dialog.set_shortcut("find", "Ctrl+N")

    assert dialog.conflicts() == {"find": {"new_conversation"}, "new_conversation": {"find"}}
    marked = [
        dialog.shortcut_table.item(row, 0).text()
        for row in range(dialog.shortcut_table.rowCount())
        if dialog.shortcut_table.item(row, 0).text().startswith("⚠")
    ]
    assert sorted(marked) == ["⚠ Find in Conversation", "⚠ New Conversation"]
    assert dialog.conflict_label.isVisible()
    assert "Ctrl+N" in dialog.conflict_label.text()
    assert "New Conversation" in dialog.conflict_label.text()

    assert not dialog.save()
    assert dialog.isVisible() and dialog.status.text()
    assert "shortcuts" not in _saved(app)
    assert app.window.find_action.shortcut().toString() != "Ctrl+N"

    dialog.set_shortcut("find", "Ctrl+Shift+F")
    assert dialog.conflicts() == {} and not dialog.conflict_label.isVisible()
    assert dialog.save()
    assert _saved(app)["shortcuts"] == {"find": "Ctrl+Shift+F"}


def test_the_global_quick_ask_key_is_listed_and_saved(
    start_chat_app: Callable[..., RunningApp],
) -> None:
    app = start_chat_app()
    dialog = app.window.open_preferences()
    edit = dialog.key_edits["global_quick_ask"]
    assert edit.keySequence().toString() == "Ctrl+Alt+Space"
    dialog.set_shortcut("global_quick_ask", "Ctrl+K")  # Search Everything's
    assert "search" in dialog.conflicts()["global_quick_ask"]
    dialog.set_shortcut("global_quick_ask", "Meta+Space")
    assert dialog.save()
    assert _saved(app)["quick_ask_shortcut"] == "Meta+Space"


def test_start_on_login_writes_and_removes_the_autostart_file(
    start_chat_app: Callable[..., RunningApp],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    qtbot: Any,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = tmp_path / "config" / "autostart" / "io.github.confab.Confab.desktop"
    app = start_chat_app()
    dialog = app.window.open_preferences()
    dialog.login_check.setChecked(True)
    assert dialog.save()
    qtbot.waitUntil(entry.exists)
    text = entry.read_text("utf-8")
    assert "-m desktop" in text and str(app.data_dir) in text
    assert _saved(app)["start_on_login"] is True

    dialog = app.window.open_preferences()
    dialog.login_check.setChecked(False)
    assert dialog.save()
    qtbot.waitUntil(lambda: not entry.exists())
    assert "start_on_login" not in _saved(app)


def test_a_failed_start_on_login_is_said(
    start_chat_app: Callable[..., RunningApp],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    qtbot: Any,
) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    app = start_chat_app()
    dialog = app.window.open_preferences()
    dialog.login_check.setChecked(True)
    assert dialog.save()
    qtbot.waitUntil(lambda: app.window.banner.isVisible())
    assert "log in" in app.window.banner.text.text()


def test_preferences_survive_a_restart(
    start_app: Callable[..., RunningApp],
    server_provider: dict[str, Any],
    apply_app_theme: Any,
    tmp_path: Path,
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    app = start_app()
    dialog = app.window.open_preferences()
    _choose(dialog.language_combo, "zh_CN")
    dialog.font_spin.setValue(16)
    _choose(dialog.send_combo, "ctrl+enter")
    dialog.set_shortcut("search", "Ctrl+Shift+K")
    dialog.tray_check.setChecked(False)
    dialog.notify_check.setChecked(False)
    assert dialog.save()
    app.quit()

    again = start_app()
    assert again.settings.problems == []
    assert again.window.chat_view.font_size == 16
    assert "Ctrl+Enter" in again.window.composer.edit.placeholderText()
    assert again.window.search_action.shortcut().toString() == "Ctrl+Shift+K"
    assert again.window.sidebar.search_field.text() == "Search (Ctrl+Shift+K)"
    dialog = again.window.open_preferences()
    assert dialog.language_combo.currentData() == "zh_CN"
    assert not dialog.tray_check.isChecked() and not dialog.notify_check.isChecked()
    assert dialog.key_edits["search"].keySequence().toString() == "Ctrl+Shift+K"


def test_bad_values_in_settings_json_are_read_as_defaults_with_a_note(
    start_app: Callable[..., RunningApp], server_provider: dict[str, Any], tmp_path: Path
) -> None:
    write_settings(
        tmp_path / "data",
        [server_provider],
        theme="purple",
        thread_font_size="huge",
        send_key="shift+enter",
        shortcuts={"search": 5, "find": "Ctrl+Shift+F"},
        tray_icon="no",
    )
    app = start_app()
    assert app.window.banner.isVisible()
    shown = app.window.banner.text.text() + app.window.banner.detail.text()
    assert "could not be read" in shown and "thread_font_size" in shown
    assert (app.data_dir / "settings.corrupt.json").exists()
    assert app.window.chat_view.font_size is None
    assert "Shift+Enter" in app.window.composer.edit.placeholderText()
    assert app.window.search_action.shortcut().toString() == "Ctrl+K"  # its default
    assert app.window.find_action.shortcut().toString() == "Ctrl+Shift+F"  # the good one
    dialog = app.window.open_preferences()
    assert dialog.theme_combo.currentData() == "system" and dialog.tray_check.isChecked()


def test_the_providers_are_a_tab_and_still_a_dialog_of_their_own(
    start_chat_app: Callable[..., RunningApp],
) -> None:
    app = start_chat_app()
    dialog = app.window.open_preferences("providers")
    page = dialog.provider_page
    assert page is not None and page.isVisible()
    assert page.list.count() == 1 and page.list.item(0).text() == "Loopback"
    assert not page.close_button.isVisible()
    assert page.window() is dialog  # inside it, not a window of its own
    dialog.reject()

    app.window.providers_action.trigger()
    own = app.window.provider_dialog
    assert own is not None and own.isVisible() and own.window() is own
    own.close()


def test_the_menu_opens_preferences_on_ctrl_comma(
    start_chat_app: Callable[..., RunningApp], qtbot: Any
) -> None:
    app = start_chat_app()
    assert app.window.preferences_action.shortcut().toString() == "Ctrl+,"
    assert (
        app.window.preferences_action.menuRole()
        == app.window.preferences_action.MenuRole.PreferencesRole
    )
    edit = app.window.composer.edit
    _active(app, qtbot)
    qtbot.keyClick(edit, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert app.window.preferences_dialog is not None
    qtbot.waitUntil(app.window.preferences_dialog.isVisible)


def test_the_shortcuts_are_reached_with_tab(
    start_chat_app: Callable[..., RunningApp], qtbot: Any
) -> None:
    app = start_chat_app()
    dialog = app.window.open_preferences("shortcuts")
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    first = dialog.key_edits["new_conversation"]
    first.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    reset = QApplication.focusWidget()
    assert reset.objectName() == "reset_new_conversation"
    assert "New Conversation" in reset.accessibleName()
    qtbot.keyClick(reset, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.key_edits["import"]
    # Keys pressed there are the action's new keys.
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_I, modifiers)
    assert dialog.key_edits["import"].keySequence().toString() == "Ctrl+Shift+I"
    assert dialog.preferences().shortcuts == {"import": "Ctrl+Shift+I"}


def test_the_shortcuts_can_be_found_by_action_or_key(
    start_chat_app: Callable[..., RunningApp],
) -> None:
    app = start_chat_app()
    dialog = app.window.open_preferences("shortcuts")
    table = dialog.shortcut_table

    def shown_rows() -> list[str]:
        return [
            table.item(row, 0).text()
            for row in range(table.rowCount())
            if not table.isRowHidden(row)
        ]

    everything = shown_rows()
    dialog.shortcut_filter.setText("find")
    assert shown_rows() == ["Find in Conversation", "Find Next", "Find Previous"]
    dialog.shortcut_filter.setText("ctrl+q")
    assert shown_rows() == ["Quit"]
    dialog.shortcut_filter.clear()
    assert shown_rows() == everything and len(everything) > 15


def test_every_action_of_the_window_is_listed_with_its_keys(
    start_chat_app: Callable[..., RunningApp],
) -> None:
    app = start_chat_app()
    dialog = app.window.open_preferences("shortcuts")
    listed = {a: e.keySequence().toString() for a, e in dialog.key_edits.items()}
    assert listed["compare"] == "Ctrl+Shift+M"
    assert listed["focus_next_pane"] == "F6" and listed["focus_thread"] == "Ctrl+Up"
    assert listed["stop_reply"] == "Esc" and listed["quit"] == "Ctrl+Q"
    assert "quick_ask" in listed and listed["global_quick_ask"] == "Ctrl+Alt+Space"
    menus = [a for m in app.window.menuBar().actions() for a in m.menu().actions()]
    with_keys = [a for a in menus if not a.isSeparator() and a.shortcuts()]
    registered = {id(t) for e in app.window.shortcuts.entries() for t in e.targets}
    assert with_keys and all(id(a) in registered for a in with_keys)


def test_the_language_note_is_whole_in_a_dialog_a_small_screen_squeezes(
    start_chat_app: Callable[..., RunningApp], qtbot: Any
) -> None:
    app = start_chat_app()
    dialog = app.window.open_preferences()
    dialog.resize(dialog.width(), 200)  # as short as the layout lets it be
    qtbot.waitUntil(lambda: dialog.language_note.isVisible())
    note = dialog.language_note
    metrics = note.fontMetrics()
    assert note.height() >= metrics.height()
    assert note.width() >= metrics.horizontalAdvance(note.text())
    # Nothing of the next row drawn over it.
    below = dialog.theme_combo.mapTo(dialog, dialog.theme_combo.rect().topLeft()).y()
    assert note.mapTo(dialog, note.rect().bottomLeft()).y() < below
