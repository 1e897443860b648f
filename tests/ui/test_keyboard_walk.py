"""A keyboard-only session, from start: every step by key events sent to whatever has the
focus, as a user without a mouse works; at each step the focus is where they expect it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from tests.support.openai_server import Reply

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
NONE = Qt.KeyboardModifier.NoModifier


def _focus() -> QWidget:
    focus = QApplication.focusWidget()
    assert focus is not None, "nothing has the keyboard"
    return focus


def test_a_whole_session_by_the_keyboard_alone(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    openai_server.enqueue(
        Reply(text="Berlin is the capital."),
        Reply(text="The capital is Berlin."),
        Reply(text="Madrid."),
    )
    app = start_chat_app()
    window = app.window
    view = window.chat_view

    def key(k: Qt.Key, modifiers: Any = NONE) -> None:
        qtbot.keyClick(_focus(), k, modifiers)

    def type_text(text: str) -> None:
        qtbot.keyClicks(_focus(), text)

    window.activateWindow()  # (as the window manager does for a window just opened)
    qtbot.waitUntil(window.isActiveWindow)
    # At start the keyboard is in the message box.
    assert _focus() is window.composer.edit
    type_text("Capital of Germany?")
    key(Qt.Key.Key_Return)
    app.wait_idle()
    app.bubbles()
    assert _focus() is window.composer.edit  # sending leaves it there, for the next one

    # Up into the thread: the newest message, the reply; copy it.
    key(Qt.Key.Key_Up, CTRL)
    reply = view.message_widgets()[-1]
    assert _focus() is reply and reply.content == "Berlin is the capital."
    key(Qt.Key.Key_C, CTRL | SHIFT)
    assert QGuiApplication.clipboard().text() == "Berlin is the capital."

    # Regenerate: the keyboard goes on to the new reply; back to the first version.
    key(Qt.Key.Key_R, CTRL)
    app.wait_idle()
    app.bubbles()
    second = view.message_widgets()[-1]
    assert second.content == "The capital is Berlin."
    assert _focus() is second
    key(Qt.Key.Key_Left, ALT)
    first = view.message_widgets()[-1]
    assert first.content == "Berlin is the capital."
    assert _focus() is first and first.switcher.position == "Version 1 of 2"
    # Tab goes to that version's switcher (Next; Previous is disabled), Space presses it.
    key(Qt.Key.Key_Tab)
    assert _focus() is first.switcher.next_button
    key(Qt.Key.Key_Space)
    assert view.message_widgets()[-1].content == "The capital is Berlin."
    assert view.message_widgets()[-1].isAncestorOf(_focus()) or (
        _focus() is view.message_widgets()[-1]
    )

    # Up from the reply to the question, F2 edits it in place, Enter... is a new line there:
    # Tab to Cancel, Tab to Send, Space sends the edit.
    key(Qt.Key.Key_Escape)  # (nothing streams: Escape changes nothing)
    view.focus_current()
    key(Qt.Key.Key_Up)
    question = view.message_widgets()[0]
    assert _focus() is question
    key(Qt.Key.Key_F2)
    assert _focus() is question.editor
    key(Qt.Key.Key_A, CTRL)
    type_text("Capital of Spain?")
    key(Qt.Key.Key_Tab)
    assert _focus().objectName() == "cancelEdit"
    key(Qt.Key.Key_Tab)
    assert _focus().objectName() == "sendEdit"
    key(Qt.Key.Key_Space)
    app.wait_idle()
    assert app.bubbles() == [("user", "Capital of Spain?"), ("assistant", "Madrid.")]
    assert view.isAncestorOf(_focus())  # still reading the thread

    # F6 to the message box; Ctrl+N: a new conversation, the keyboard in its message box.
    key(Qt.Key.Key_F6)
    assert _focus() is window.composer.edit
    key(Qt.Key.Key_N, CTRL)
    assert _focus() is window.composer.edit and app.bubbles() == []

    # Shift+F6: the conversations (the empty thread has nothing to stop at); Home opens the
    # first, and the list keeps the keys.
    key(Qt.Key.Key_F6, SHIFT)
    sidebar = window.sidebar.view
    assert _focus() is sidebar
    key(Qt.Key.Key_Home)
    qtbot.waitUntil(
        lambda: app.bubbles() == [("user", "Capital of Spain?"), ("assistant", "Madrid.")]
    )
    assert _focus() is sidebar

    # Preferences (Ctrl+,): its window has the keyboard; Escape closes it, back where it was.
    key(Qt.Key.Key_Comma, CTRL)
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget() or _focus().window(), QDialog)
    )
    dialog = _focus().window()
    assert isinstance(dialog, QDialog) and dialog is not window
    key(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert _focus().window() is window
