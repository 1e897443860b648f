"""Keyboard and screen reader, at Qt's level: the Tab order, the messages' keys and menus,
the focus ring, and the names Qt's accessibility layer gives every control. The same tree
read through the platform's API (AT-SPI) is tests/e2e/test_atspi.py."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QMenu,
    QMessageBox,
    QWidget,
)
from shiboken6 import isValid

from desktop.ui.access import FocusRing, spoken_text
from desktop.ui.message_view import MessageWidget
from tests.support.openai_server import Reply


@pytest.fixture
def app(start_chat_app: Any) -> Any:
    return start_chat_app()


def _focus() -> QWidget | None:
    return QApplication.focusWidget()


def _press(qtbot: Any, key: Qt.Key, modifiers: Any = Qt.KeyboardModifier.NoModifier) -> None:
    """A key as the keyboard sends it: to whatever has the focus."""
    target = _focus()
    assert target is not None, "nothing has the keyboard"
    qtbot.keyClick(target, key, modifiers)


def _name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid()
    return interface.text(QAccessible.Text.Name)


def _chat(app: Any, openai_server: Any, *replies: str) -> None:
    """A question per reply, each answered."""
    for number, reply in enumerate(replies, 1):
        openai_server.enqueue(Reply(text=reply))
        app.type_and_send(f"question {number}")
        app.wait_idle()
    app.bubbles()


def _close_menu(qtbot: Any, menu: QMenu) -> None:
    """Escape closes the menu; the focus is back where it was. (Offscreen, the window loses
    its activation when the closed menu is deleted, which a window manager gives back: given
    back here.)"""
    window = menu.parentWidget().window()
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    assert not menu.isVisible()
    qtbot.waitUntil(lambda: not isValid(menu))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _messages(app: Any) -> list[MessageWidget]:
    return list(app.window.chat_view.message_widgets())


def test_every_control_on_screen_has_a_name_a_screen_reader_can_say(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    _chat(app, openai_server, "Here:\n\n```python\nprint(1)\n```\n")
    window = app.window
    window.banner.show_message("Something went wrong", "details")
    controls = [
        widget
        for widget in window.findChildren(QWidget)
        if isinstance(widget, (QAbstractButton, QComboBox)) and widget.isVisible()
    ]
    assert len(controls) > 15  # the sidebar's, the header's, the messages', the composer's
    unnamed = [c.objectName() or type(c).__name__ for c in controls if not _name(c).strip()]
    assert unnamed == []
    # Icon-like text is not a name: the switcher's arrows and the banner's cross say words.
    assert _name(window.banner.close_button) == "Dismiss"
    assert _name(window.composer.attach_button) == "Attach files"
    assert _name(window.composer.edit) == "Message"
    # A combo box's name is its choice (on Linux, Qt's way); what it chooses, its description.
    model = QAccessible.queryAccessibleInterface(window.model_combo)
    assert model.text(QAccessible.Text.Description) == "Model for this conversation"


def test_a_message_is_read_as_who_wrote_it_and_its_words(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    _chat(app, openai_server, "The answer is **42**, as `code` says.")
    question, reply = _messages(app)
    assert _name(question) == "You: question 1"
    # The reply's words, without its Markdown punctuation, after who wrote it.
    assert _name(reply) == "Assistant (test-model): The answer is 42, as code says."
    description = QAccessible.queryAccessibleInterface(reply).text(QAccessible.Text.Description)
    assert description == reply.usage.text() != ""  # its tokens, as its header shows them
    assert spoken_text("# Title\n\n- one\n- two") == "Title\none\ntwo"


def test_a_reply_being_written_says_so_and_send_says_stop(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    openai_server.enqueue(Reply(text="slow " * 200, chunk_size=5, delay=0.02))
    app.type_and_send("go slowly")
    view = app.window.chat_view
    qtbot.waitUntil(lambda: len(view.message_widgets()) == 2)
    reply = view.message_widgets()[-1]
    assert _name(reply) == "Assistant (test-model): writing…"
    send = app.window.composer.send_button
    assert _name(send) == "Stop the reply"
    app.wait_idle()
    app.bubbles()
    assert _name(reply).startswith("Assistant (test-model): slow slow")
    assert _name(send) == "Send"


def test_tab_goes_from_the_sidebar_through_one_message_to_the_composer(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    _chat(app, openai_server, "first reply", "second reply")
    window = app.window
    window.sidebar.search_field.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    while _focus() is not window.composer.edit and len(seen) < 60:
        _press(qtbot, Qt.Key.Key_Tab)
        seen.append(_focus())
    assert _focus() is window.composer.edit, [w.objectName() for w in seen]
    messages = _messages(app)
    in_thread = [w for w in seen if window.chat_view.isAncestorOf(w)]
    # The thread is entered at its newest message, and only that one's controls follow.
    assert in_thread[0] is messages[-1]
    assert all(messages[-1].isAncestorOf(w) for w in in_thread[1:])
    assert len(in_thread) <= 10  # not every message's every button
    order = [
        window.sidebar.new_button,
        window.sidebar.view,
        window.model_combo,
        messages[-1],
        window.composer.attach_button,
    ]
    assert [seen.index(w) for w in order] == sorted(seen.index(w) for w in order)
    # Back again: Shift+Tab from the message box reaches the same message.
    for _ in range(12):
        _press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
        if _focus() is messages[-1]:
            break
    assert _focus() is messages[-1]


def test_arrow_keys_go_from_message_to_message_and_tab_follows_them(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    _chat(app, openai_server, "first reply", "second reply")
    window = app.window
    messages = _messages(app)
    window.composer.edit.setFocus()
    _press(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert _focus() is messages[-1]
    _press(qtbot, Qt.Key.Key_Up)
    _press(qtbot, Qt.Key.Key_Up)
    assert _focus() is messages[1]
    assert window.chat_view.current is messages[1]
    _press(qtbot, Qt.Key.Key_Home)
    assert _focus() is messages[0]
    _press(qtbot, Qt.Key.Key_End)
    assert _focus() is messages[-1]
    _press(qtbot, Qt.Key.Key_Up)
    # Tab goes into the message now current, to its actions, then out of the thread.
    _press(qtbot, Qt.Key.Key_Tab)
    assert messages[2].isAncestorOf(_focus())
    for _ in range(10):
        _press(qtbot, Qt.Key.Key_Tab)
        if not messages[2].isAncestorOf(_focus()):
            break
    assert not window.chat_view.widget().isAncestorOf(_focus())
    # Leaving and coming back by F6 lands on the message the keyboard was at.
    window.composer.edit.setFocus()
    _press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert _focus() is messages[2]
    _press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert window.sidebar.isAncestorOf(_focus())
    _press(qtbot, Qt.Key.Key_F6)
    _press(qtbot, Qt.Key.Key_F6)
    assert _focus() is window.composer.edit


def test_a_messages_actions_have_keys_and_a_menu_from_the_keyboard(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    openai_server.enqueue(Reply(text="the first answer"), Reply(text="the second answer"))
    app.type_and_send("a question")
    app.wait_idle()
    window = app.window
    window.chat_view.focus_current()
    reply = _messages(app)[-1]
    assert _focus() is reply
    _press(
        qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert QGuiApplication.clipboard().text() == "the first answer"
    # Shift+F10 (and the Menu key): the actions, with their keys, by the message.
    _press(qtbot, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    offered = {a.text(): a.shortcut().toString() for a in menu.actions()}
    assert offered["Copy"] == "Ctrl+Shift+C" and offered["Regenerate"] == "Ctrl+R"
    assert reply.rect().contains(reply.mapFromGlobal(menu.pos() - QPoint(0, 1)))
    _close_menu(qtbot, menu)
    assert _focus() is reply
    _press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "the second answer")
    # The branch switcher by its keys, where the focus is now (the new reply).
    window.chat_view.focus_current()
    newest = _messages(app)[-1]
    assert _focus() is newest and newest.switcher.position == "Version 2 of 2"
    _press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert app.bubbles()[-1] == ("assistant", "the first answer")
    window.chat_view.focus_current()
    _press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert app.bubbles()[-1] == ("assistant", "the second answer")
    # The question: F2 edits it, in place.
    question = _messages(app)[0]
    question.setFocus()
    _press(qtbot, Qt.Key.Key_F2)
    assert question.editor is not None and question.editor.hasFocus()


def test_the_sidebars_rows_open_rename_and_delete_by_keys(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    _chat(app, openai_server, "a reply")
    window = app.window
    view = window.sidebar.view
    view.setFocus()
    _press(qtbot, Qt.Key.Key_Menu)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    texts = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    assert any(t.startswith("Rename") for t in texts) and any("Move" in t for t in texts)
    current = view.visualRect(view.currentIndex())
    assert view.viewport().rect().contains(view.viewport().mapFromGlobal(menu.pos()))
    assert abs(view.viewport().mapFromGlobal(menu.pos()).y() - current.center().y()) < 4
    _close_menu(qtbot, menu)
    assert _focus() is view
    _press(qtbot, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not view and view.isAncestorOf(editor)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    view.setFocus()
    _press(qtbot, Qt.Key.Key_Delete)
    box = window.sidebar.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    # Enter never destroys: the default button is the way out.
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.reject()
    # Enter on the open conversation's row: on to its message box.
    view.setFocus()
    _press(qtbot, Qt.Key.Key_Return)
    assert _focus() is window.composer.edit


def _ring_pixels(widget: QWidget, colour: str, outside: int = 4) -> int:
    """Pixels of ``colour`` (the ring's) in and ``outside`` pixels around ``widget``, as the
    screen shows it."""
    parent = widget.parentWidget()
    assert parent is not None
    area = widget.geometry().adjusted(-outside, -outside, outside, outside)
    image: QImage = parent.grab(area).toImage()
    target = int(colour.removeprefix("#"), 16)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixel(x, y) & 0xFFFFFF
            if all(abs(((pixel >> s) & 255) - ((target >> s) & 255)) < 40 for s in (0, 8, 16)):
                count += 1
    return count


@pytest.mark.parametrize(("dark", "ring"), [(False, "#2f6fe4"), (True, "#7aa2f7")])
def test_the_keyboard_focus_is_visible_in_both_themes(
    start_chat_app: Any, apply_app_theme: Any, openai_server: Any, qtbot: Any, dark: bool, ring: str
) -> None:
    apply_app_theme(dark)
    app = start_chat_app()
    _chat(app, openai_server, "a reply")
    reply = _messages(app)[-1]
    copy = reply.action_buttons["copy"]
    app.window.composer.edit.setFocus()
    before = _ring_pixels(copy, ring)
    reply.setFocus(Qt.FocusReason.TabFocusReason)
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focus() is copy
    rings = FocusRing.install(QApplication.instance())
    assert rings.target is copy
    assert _ring_pixels(copy, ring) > before + 40  # a ring round it, in the accent colour
    # A message itself shows it too; a field keeps its own (its :focus border).
    reply.setFocus(Qt.FocusReason.TabFocusReason)
    assert rings.target is reply
    # Drawn within it (it spans the column, which would cut a ring round it off): its edge.
    qtbot.waitUntil(lambda: _ring_pixels(reply, ring, outside=0) > reply.width())
    app.window.composer.edit.setFocus(Qt.FocusReason.TabFocusReason)
    assert rings.target is None


def test_a_finished_reply_is_announced_without_moving_the_focus(
    app: Any, openai_server: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[tuple[QWidget, str]] = []
    monkeypatch.setattr(
        "desktop.ui.main_window.announce", lambda source, text, **_: said.append((source, text))
    )
    _chat(app, openai_server, "Not said: no screen reader is running.")
    assert said == []
    QAccessible.setActive(True)  # as when a screen reader is (offscreen: no bridge to tell)
    try:
        _chat(app, openai_server, "It is *Paris*.")
    finally:
        QAccessible.setActive(False)
    reply = _messages(app)[-1]
    assert said == [(reply, "test-model replied: It is Paris.")]
    assert app.window.composer.edit.hasFocus()


def test_the_keyboards_keys_are_in_the_shortcut_registry_and_can_be_changed(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    from desktop.ui.shortcuts import conflicts

    _chat(app, openai_server, "a reply")
    registry = app.window.shortcuts
    ids = {entry.id for entry in registry.entries()}
    assert {"focus_next_pane", "focus_thread", "message_copy", "message_next_version"} <= ids
    # No two of the window's default keys clash.
    assert conflicts({e.id: e.defaults for e in registry.entries()}) == {}
    # A key the user chose (Preferences → Shortcuts) works on the messages shown.
    registry.apply({"message_copy": "Ctrl+Alt+Y"})
    reply = _messages(app)[-1]
    app.window.chat_view.focus_message(reply)
    QGuiApplication.clipboard().clear()
    _press(
        qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert QGuiApplication.clipboard().text() == ""
    _press(
        qtbot, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    assert QGuiApplication.clipboard().text() == "a reply"


def test_a_replys_links_are_reached_by_tab_and_opened_by_enter(
    app: Any, openai_server: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui import message_view

    opened: list[str] = []
    monkeypatch.setattr(
        message_view.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    _chat(
        app,
        openai_server,
        "See [the docs](https://example.com/docs) and [more](https://example.com/more).",
    )
    reply = _messages(app)[-1]
    app.window.chat_view.focus_message(reply)
    _press(qtbot, Qt.Key.Key_Tab)
    paragraph = _focus()
    assert paragraph is not None and paragraph.objectName() == "markdownBlock"
    _press(qtbot, Qt.Key.Key_Return)
    assert opened == ["https://example.com/docs"]
    _press(qtbot, Qt.Key.Key_Tab)  # the next link, in the same paragraph
    assert _focus() is paragraph
    _press(qtbot, Qt.Key.Key_Return)
    assert opened[-1] == "https://example.com/more"
    _press(qtbot, Qt.Key.Key_Tab)  # then on to the message's buttons
    assert _focus() is reply.action_buttons["copy"]


def test_the_other_windows_controls_have_names_too(
    start_citizen: Any, openai_server: Any, qtbot: Any
) -> None:
    """Preferences, Compare and Quick ask: every button and box says what it is."""
    citizen = start_citizen()
    app = citizen.app
    _chat(app, openai_server, "a reply")
    window = app.window
    windows: list[QWidget] = []
    window.preferences_action.trigger()
    qtbot.waitUntil(lambda: window.preferences_dialog is not None)
    windows.append(window.preferences_dialog)
    app.window.composer.edit.setPlainText("compare this")
    window.compare_action.trigger()
    qtbot.waitUntil(lambda: any(w.isVisible() for w in _compare_dialogs()))
    windows += [w for w in _compare_dialogs() if w.isVisible()]
    windows.append(citizen.integration.open_quick())
    assert len(windows) == 3
    for shown in windows:
        qtbot.waitUntil(shown.isVisible)
        controls = [
            w
            for w in shown.findChildren(QWidget)
            if isinstance(w, (QAbstractButton, QComboBox)) and w.isVisible()
        ]
        assert controls, shown
        unnamed = [c.objectName() or type(c).__name__ for c in controls if not _name(c).strip()]
        assert unnamed == [], (shown.objectName(), unnamed)
        shown.close()


def _compare_dialogs() -> list[QWidget]:
    from desktop.ui.compare_view import CompareDialog

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, CompareDialog)]
