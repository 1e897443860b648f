"""The quick-ask window on the real main window: opened by the global shortcut (a fake
backend presses it), the clipboard offered as context, the answer streamed there against the
loopback server, and "Continue in Confab" opening the same conversation in the main window."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.controllers import hotkeys
from tests.support.openai_server import Reply


def _ask(qtbot: Any, window: Any, text: str) -> None:
    edit = window.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def _bubbles(qtbot: Any, view: Any) -> list[tuple[str, str]]:
    qtbot.waitUntil(lambda: not view.building)
    view.flush()
    return [(w.role, w.content) for w in view.message_widgets()]


def test_the_shortcut_opens_the_window_which_asks_with_the_clipboard_and_streams_the_answer(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    citizen = start_citizen()
    app, backend = citizen.app, citizen.backend
    assert backend.registered == ["Ctrl+Alt+Space"]  # the default, grabbed at start
    QGuiApplication.clipboard().setText("def add(a, b):\n    return a - b\n")
    first_conversation = app.conversations.current
    backend.press()
    quick = citizen.integration.quick_window
    qtbot.waitUntil(quick.isVisible)
    assert quick.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    qtbot.waitUntil(quick.composer.edit.hasFocus)
    # On the screen with the cursor, whole.
    screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
    assert screen.availableGeometry().contains(quick.frameGeometry().center())
    chip = quick.chip
    assert chip.isVisible() and chip.check.isChecked()
    assert chip.check.text() == "Use clipboard (32 chars)"
    assert chip.preview.text() == "def add(a, b): return a - b"

    gate = threading.Event()
    openai_server.enqueue(
        Reply(text="The bug: it subtracts. " * 20, chunk_size=6, stall_after=3, gate=gate)
    )
    _ask(qtbot, quick, "What is wrong here?")
    # The answer streams into the quick window while the reply is still under way.
    qtbot.waitUntil(lambda: len(_bubbles(qtbot, quick.chat_view)) == 2)
    qtbot.waitUntil(lambda: _bubbles(qtbot, quick.chat_view)[1][1].startswith("The bug"))
    assert app.chat.is_streaming(quick.conversation.id)
    assert quick.composer.send_button.text() == "Stop"
    gate.set()
    qtbot.waitUntil(lambda: not app.chat.is_streaming(quick.conversation.id))
    question, answer = _bubbles(qtbot, quick.chat_view)
    assert question == (
        "user",
        "What is wrong here?\n\n```\ndef add(a, b):\n    return a - b\n```",
    )
    assert answer == ("assistant", "The bug: it subtracts. " * 20)
    sent = openai_server.chat_requests()[-1]["json"]
    assert sent["model"] == "test-model"  # the default provider's default model
    assert sent["messages"][-1]["content"] == question[1]
    assert not chip.isVisible()  # sent once, with the question
    # The main window was left alone meanwhile.
    assert app.conversations.current is first_conversation

    quick.continue_button.click()
    assert not quick.isVisible()
    qtbot.waitUntil(lambda: app.conversations.current is quick.conversation)
    assert app.window.isVisible()
    assert app.bubbles() == [question, answer]
    # A normal saved conversation, in the list like any other.
    (saved,) = app.conversation_files()
    assert [m["content"] for m in saved["messages"]] == [question[1], answer[1]]
    qtbot.waitUntil(lambda: app.window.sidebar.model.row_of(saved["id"]) >= 0)


def test_the_clipboard_chip_can_be_turned_off_or_removed(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    citizen = start_citizen()
    QGuiApplication.clipboard().setText("secret draft I did not mean to send")
    citizen.backend.press()
    quick = citizen.integration.quick_window
    qtbot.waitUntil(quick.isVisible)
    qtbot.mouseClick(quick.chip.remove_button, Qt.MouseButton.LeftButton)
    assert not quick.chip.isVisible()
    _ask(qtbot, quick, "Just this")
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    assert openai_server.chat_requests()[-1]["json"]["messages"][-1]["content"] == "Just this"

    # Esc hides it; opened again after an answer, it is a new question, chip on again.
    qtbot.keyClick(quick.composer.edit, Qt.Key.Key_Escape)
    assert not quick.isVisible()
    asked = quick.conversation
    citizen.backend.press()
    qtbot.waitUntil(quick.isVisible)
    assert quick.conversation is None and quick.chat_view.isHidden()
    assert quick.chip.isVisible() and quick.chip.check.isChecked()
    quick.chip.check.setChecked(False)  # unticked: stays, but is not sent
    _ask(qtbot, quick, "Another one")
    qtbot.waitUntil(lambda: quick.conversation is not None)
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    assert openai_server.chat_requests()[-1]["json"]["messages"] == [
        {"role": "user", "content": "Another one"}
    ]
    assert quick.conversation is not asked


def test_no_clipboard_text_no_chip_and_the_model_chooser_picks_the_model(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    citizen = start_citizen()
    QGuiApplication.clipboard().clear()
    quick = citizen.integration.open_quick()
    assert not quick.chip.isVisible()
    assert quick.model_combo.currentText() == "test-model"
    quick.model_combo.setEditText("other-model")
    _ask(qtbot, quick, "Hi")
    qtbot.waitUntil(lambda: quick.conversation is not None)
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    assert openai_server.chat_requests()[-1]["json"]["model"] == "other-model"
    assert quick.conversation.model == "other-model"


def test_a_failed_reply_is_explained_in_the_quick_window(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    citizen = start_citizen()
    quick = citizen.integration.open_quick()
    openai_server.enqueue(
        Reply(status=400, body='{"error": {"message": "This model does not exist"}}')
    )
    _ask(qtbot, quick, "Hello?")
    qtbot.waitUntil(quick.banner.isVisible)
    assert "This model does not exist" in quick.banner.text.text() + quick.banner.detail.text()
    assert not quick.chat_view.isHidden()


def test_a_shortcut_another_program_holds_is_shown_as_taken(start_citizen: Any, qtbot: Any) -> None:
    citizen = start_citizen(answer=hotkeys.TAKEN)
    integration = citizen.integration
    assert integration.shortcut.state == hotkeys.TAKEN
    note = "Ctrl+Alt+Space is in use by another program"
    qtbot.waitUntil(lambda: note in citizen.app.window.banner.text.text())
    quick = integration.open_quick()  # from the File menu or the tray, then
    assert note in quick.note.text() and quick.note.isVisible()


def test_where_no_shortcut_can_be_set_the_window_says_how_to_bind_confab_quick(
    start_citizen: Any,
) -> None:
    citizen = start_citizen(backend=lambda *_: None)
    assert citizen.integration.shortcut.state == hotkeys.UNSUPPORTED
    citizen.app.window.quick_action.trigger()
    quick = citizen.integration.quick_window
    assert quick.isVisible()
    assert "confab --quick" in quick.note.text()


def test_the_quick_window_is_closed_with_confab(start_citizen: Any) -> None:
    citizen = start_citizen()
    quick = citizen.integration.open_quick()
    assert quick in QApplication.topLevelWidgets()
    citizen.integration.close()
    assert citizen.integration.quick_window is None


def test_the_default_model_of_the_preferences_is_the_quick_windows(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    citizen = start_citizen(settings={"default_model": "other-model"})
    quick = citizen.integration.open_quick()
    assert quick.model_combo.currentText() == "other-model"
    _ask(qtbot, quick, "Hi")
    qtbot.waitUntil(lambda: quick.conversation is not None)
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    assert openai_server.chat_requests()[-1]["json"]["model"] == "other-model"


def test_a_changed_quick_ask_shortcut_applies_at_once(start_citizen: Any) -> None:
    citizen = start_citizen(settings={"quick_ask_shortcut": "Meta+Shift+K"})
    backend = citizen.backend
    assert backend.registered == ["Shift+Meta+K"]
    settings = citizen.app.settings
    # As the Preferences window saves them.
    settings.set_preferences(replace(settings.preferences(), quick_ask_shortcut=""))
    assert backend.registered == [] and citizen.integration.shortcut.state == hotkeys.OFF
    settings.set_preferences(replace(settings.preferences(), quick_ask_shortcut="Ctrl+Alt+Q"))
    assert backend.registered == ["Ctrl+Alt+Q"]
    assert citizen.integration.shortcut.state == hotkeys.ACTIVE


def test_a_reply_in_the_quick_window_can_be_regenerated_there(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    citizen = start_citizen()
    quick = citizen.integration.open_quick()
    _ask(qtbot, quick, "Hi")
    qtbot.waitUntil(lambda: quick.conversation is not None)
    qtbot.waitUntil(lambda: len(_bubbles(qtbot, quick.chat_view)) == 2)
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    reply = quick.chat_view.message_widgets()[1]
    shown = {name for name, b in reply.action_buttons.items() if b.isVisibleTo(reply)}
    assert shown == {"copy", "regenerate"}  # delete, pin, exclude: in the main window
    openai_server.enqueue(Reply(text="A second take"))
    reply.action_buttons["regenerate"].click()
    qtbot.waitUntil(lambda: _bubbles(qtbot, quick.chat_view)[-1] == ("assistant", "A second take"))
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    assert len(quick.conversation.messages) == 3  # the first reply kept, as a sibling


def test_the_send_key_and_font_size_of_the_preferences_apply_there_too(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    citizen = start_citizen()
    settings = citizen.app.settings
    quick = citizen.integration.open_quick()
    settings.set_preferences(
        replace(settings.preferences(), send_key="ctrl+enter", thread_font_size=17)
    )
    assert "Ctrl+Enter to send" in quick.composer.edit.placeholderText()
    edit = quick.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "one")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "two")
    assert edit.toPlainText() == "one\ntwo" and openai_server.chat_requests() == []
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_bubbles(qtbot, quick.chat_view)) == 2)
    assert _bubbles(qtbot, quick.chat_view)[0] == ("user", "one\ntwo")
    assert quick.isVisible()  # Ctrl+Enter sent; it did not continue in the main window
    assert quick.chat_view.font_size == citizen.app.window.chat_view.font_size == 17


def test_a_shortcut_set_in_preferences_that_is_taken_is_said_at_once(
    start_citizen: Any, qtbot: Any
) -> None:
    citizen = start_citizen()
    settings, window = citizen.app.settings, citizen.app.window
    assert not window.banner.isVisible()
    citizen.backend.answer = hotkeys.TAKEN  # another program holds Ctrl+Alt+K
    settings.set_preferences(replace(settings.preferences(), quick_ask_shortcut="Ctrl+Alt+K"))
    assert citizen.integration.shortcut.state == hotkeys.TAKEN
    assert window.banner.isVisible()
    assert "Ctrl+Alt+K is in use by another program" in window.banner.text.text()


def test_a_shortcut_that_cannot_be_global_is_named_as_typed(start_citizen: Any) -> None:
    citizen = start_citizen(settings={"quick_ask_shortcut": "Ctrl+Hyperspace"})
    assert citizen.integration.shortcut.state == hotkeys.INVALID
    assert citizen.app.window.banner.text.text() == (
        "Ctrl+Hyperspace cannot be a global shortcut: choose another in Preferences."
    )
