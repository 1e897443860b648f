"""How the thread looks, in the real window under Confab's own style sheets: the actions are
icons with tooltips that appear on hover and on keyboard focus without moving anything; the
user's words sit in a bubble on the right, a reply spans the column; nothing is cut at a wide
or a narrow window; each kind of message reads (contrast) in both themes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop.ui import icons
from tests.conftest import write_settings

CONVERSATION = "c0ffee00c0ffee00c0ffee00c0ffee00"
LONG = (
    "A list is mutable; a tuple is not. Use a tuple for a fixed record and a list for a "
    "collection that grows, and keep each to one kind of thing. " * 3
)
REPLY = f"{LONG}\n\n```python\npoint = (3, 4)\nnames = ['Ada', 'Lin']\n```\n"


def _message(ident: str, parent: str | None, role: str, content: str, **extra: Any) -> dict:
    return {
        "id": ident,
        "parent": parent,
        "role": role,
        "content": content,
        "created_at": "2026-12-01T09:00:00Z",
        **extra,
    }


def _write_conversation(data: Path) -> None:
    write_settings(data, [{"id": "local", "name": "Local", "base_url": "http://127.0.0.1:9/v1"}])
    messages = [
        _message("s1", None, "system", "You are terse."),
        _message("u1", "s1", "user", "Tuple or list?"),
        _message("a1", "u1", "assistant", REPLY, model="gpt-4o-mini", finish_reason="stop"),
        _message("u2", "a1", "user", "And a set?"),
        _message(
            "a2",
            "u2",
            "assistant",
            "",
            model="gpt-4o-mini",
            error="ServerError: upstream failed",
            error_info={"kind": "server", "status": 500, "detail": "upstream failed"},
        ),
    ]
    conversation = {
        "format": "confab.conversation",
        "version": 1,
        "id": CONVERSATION,
        "title": "Tuples",
        "created_at": "2026-12-01T09:00:00Z",
        "updated_at": "2026-12-01T09:00:00Z",
        "provider": "local",
        "model": "gpt-4o-mini",
        "head": "a2",
        "messages": messages,
    }
    folder = data / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{CONVERSATION}.json").write_text(json.dumps(conversation), encoding="utf-8")


def _open(start_app: Any, qtbot: Any, tmp_path: Path, *, dark: bool = False, width: int = 1100):
    data = tmp_path / "data"
    _write_conversation(data)
    app = start_app(data, dark=dark)
    app.window.resize(width, 760)
    app.open(CONVERSATION)
    widgets = _widgets(app, qtbot)
    return app, widgets


def _widgets(app: Any, qtbot: Any) -> dict[str, Any]:
    qtbot.waitUntil(lambda: len(app.window.chat_view.message_widgets()) == 5)
    qtbot.waitUntil(lambda: not app.window.chat_view.building)
    app.window.chat_view.flush()
    QApplication.processEvents()
    return {w.message_id: w for w in app.window.chat_view.message_widgets()}


def _rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def _luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(one: QColor, other: QColor) -> float:
    """WCAG 2's contrast ratio of two colours."""
    a, b = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _background(widget: QWidget) -> QColor:
    """The colour the widget is painted on, read from the window as drawn (a pixel of its
    padding, clear of any text)."""
    window = widget.window()
    image = window.grab().toImage()
    corner = widget.mapTo(window, QPoint(widget.width() // 2, 3))
    return image.pixelColor(corner)


def _text_colour(label: QWidget) -> QColor:
    return label.palette().color(QPalette.ColorRole.WindowText)


def test_every_action_is_an_icon_with_a_tooltip_that_names_it(
    start_app: Any, apply_app_theme: Callable[[bool], None], qtbot: Any, tmp_path: Path
) -> None:
    apply_app_theme(False)
    app, widgets = _open(start_app, qtbot, tmp_path)
    for widget in widgets.values():
        buttons = [*widget.action_buttons.values()]
        buttons += [widget.switcher.previous_button, widget.switcher.next_button]
        for button in buttons:
            assert icons.icon_of(button), button.objectName()
            assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
            assert button.toolTip() and button.accessibleName() == button.toolTip()
            # Drawn at 1x and at 2x: sharp on either screen.
            icon = icons.icon(icons.icon_of(button))
            assert not icon.isNull()
            sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
            assert {(16, 16), (32, 32)} <= sizes or {(14, 14), (28, 28)} <= sizes
    reply = widgets["a1"]
    assert reply.action_buttons["regenerate"].toolTip() == "Regenerate this reply"
    assert reply.action_buttons["copy"].text() == "Copy"  # the context menu's word
    # The composer's, the header's and the sidebar's buttons have theirs.
    window = app.window
    assert icons.icon_of(window.composer.send_button) == "arrow-up"
    assert icons.icon_of(window.composer.attach_button) == "paperclip"
    assert icons.icon_of(window.settings_button) == "sliders-horizontal"
    assert icons.icon_of(window.sidebar.new_button) == "square-pen"


def test_hovering_a_message_shows_its_actions_and_nothing_moves(
    start_app: Any, apply_app_theme: Callable[[bool], None], qtbot: Any, tmp_path: Path
) -> None:
    apply_app_theme(False)
    _app, widgets = _open(start_app, qtbot, tmp_path)
    reply = widgets["a1"]
    copy = reply.action_buttons["copy"]
    assert not reply.revealed
    # Hidden: the place is kept, but nothing is drawn there.
    hidden = copy.grab().toImage()
    assert len({hidden.pixelColor(x, y).name() for x in range(16) for y in range(16)}) == 1
    before = (reply.geometry(), reply.actions_row.geometry(), reply.body.geometry())

    qtbot.mouseMove(reply, QPoint(reply.width() // 2, 10))
    qtbot.waitUntil(lambda: reply.revealed)
    shown = copy.grab().toImage()
    assert len({shown.pixelColor(x, y).name() for x in range(24) for y in range(24)}) > 2
    assert (reply.geometry(), reply.actions_row.geometry(), reply.body.geometry()) == before

    other = widgets["u1"]
    qtbot.mouseMove(other, QPoint(other.width() - 20, 10))
    qtbot.waitUntil(lambda: other.revealed and not reply.revealed)


def test_tabbing_to_an_action_shows_the_actions_and_names_it(
    start_app: Any, apply_app_theme: Callable[[bool], None], qtbot: Any, tmp_path: Path
) -> None:
    apply_app_theme(False)
    app, widgets = _open(start_app, qtbot, tmp_path)
    question = widgets["u2"]
    assert question.plain is not None
    question.plain.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: question.revealed)  # focus in the message shows them
    assert question.action_label.text() == ""
    qtbot.keyClick(question.plain, Qt.Key.Key_Tab)
    copy = question.action_buttons["copy"]
    qtbot.waitUntil(copy.hasFocus)
    assert question.revealed
    # Its name beside the row, as its tooltip says it (the key's release would hide a
    # tooltip at once), and drawn: not cut to nothing.
    assert question.action_label.text() == copy.toolTip() == "Copy the message as Markdown"
    assert question.action_label.isVisible() and question.action_label.width() > 100
    qtbot.keyClick(copy, Qt.Key.Key_Tab)
    edit = question.action_buttons["edit"]
    qtbot.waitUntil(edit.hasFocus)
    assert question.action_label.text() == "Edit this message"
    # Focus elsewhere (the message box): the actions hide again, and so does the name.
    app.window.composer.edit.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: not question.revealed)
    assert question.action_label.text() == ""


@pytest.mark.parametrize("width", [1100, 600])
def test_bubbles_sit_by_role_and_nothing_is_cut(
    start_app: Any,
    apply_app_theme: Callable[[bool], None],
    qtbot: Any,
    tmp_path: Path,
    width: int,
) -> None:
    apply_app_theme(False)
    app, widgets = _open(start_app, qtbot, tmp_path, width=width)
    window = app.window
    viewport = window.chat_view.viewport()
    window.chat_view.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    for widget in widgets.values():
        frame = _rect_in(widget, window)
        assert _rect_in(widget.bubble, window).right() <= frame.right()
        # The actions below the text, never over it.
        actions = _rect_in(widget.actions_row, window)
        if widget.body.isVisible():
            assert not actions.intersects(_rect_in(widget.body, window))
        assert actions.top() >= _rect_in(widget.bubble, window).bottom()
        for button in widget.action_buttons.values():
            if button.isVisible():
                assert frame.contains(_rect_in(button, window)), button.objectName()
                assert button.width() >= 20 and button.height() >= 20
        # Wrapped text gets the height it needs: no line cut off.
        label = widget.body
        assert label.height() >= label.heightForWidth(label.width()) or label.isHidden()
    short, long_reply = widgets["u1"], widgets["a1"]
    bubble = _rect_in(short.bubble, window)
    frame = _rect_in(short, window)
    # The user's bubble on the right, as wide as its words (not the column).
    assert bubble.right() == frame.right()
    assert bubble.left() > frame.left() + frame.width() // 3
    # A reply's text spans the column.
    assert long_reply.body.width() >= long_reply.width() - 2
    assert long_reply.width() >= min(viewport.width() - 60, 860 - 2)
    # Nothing of the window cut off at this width.
    for part in (
        window.composer.send_button,
        window.composer.attach_button,
        window.settings_button,
    ):
        assert window.rect().contains(_rect_in(part, window)), part.objectName()
    assert _rect_in(window.chat_view, window).right() <= window.width()


def test_a_failed_reply_is_marked_and_the_system_prompt_set_apart(
    start_app: Any, apply_app_theme: Callable[[bool], None], qtbot: Any, tmp_path: Path
) -> None:
    apply_app_theme(False)
    _app, widgets = _open(start_app, qtbot, tmp_path)
    failed, fine = widgets["a2"], widgets["a1"]
    assert failed.property("failed") is True and not fine.property("failed")
    assert failed.status_icon.isVisible() and failed.status.isVisible()
    assert failed.status.text() == "Reply failed: upstream failed"
    assert widgets["s1"].objectName() == "systemMessage"
    assert widgets["s1"].header.text() == "System"
    # Each its own background: the failed reply's box, the plain page, the user's bubble.
    backgrounds = {
        _background(failed.bubble).name(),
        _background(fine.bubble).name(),
        _background(widgets["u1"].bubble).name(),
    }
    assert len(backgrounds) == 3


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_kind_of_message_reads_in_both_themes(
    start_app: Any,
    apply_app_theme: Callable[[bool], None],
    qtbot: Any,
    tmp_path: Path,
    dark: bool,
) -> None:
    apply_app_theme(dark)
    _app, widgets = _open(start_app, qtbot, tmp_path, dark=dark)
    pairs = {
        "user": (widgets["u1"].body, widgets["u1"].bubble),
        "assistant": (widgets["a1"].markdown.blocks()[0], widgets["a1"].bubble),
        "header": (widgets["a1"].header, widgets["a1"]),
        "system": (widgets["s1"].markdown.blocks()[0], widgets["s1"].bubble),
        "error": (widgets["a2"].status, widgets["a2"].bubble),
    }
    seen = {}
    for role, (text, behind) in pairs.items():
        fore, back = _text_colour(text), _background(behind)
        seen[role] = (fore.name(), back.name())
        assert contrast(fore, back) >= 4.5, (role, fore.name(), back.name())
    # The icons read too (3:1, a control's part).
    button = widgets["a1"].action_buttons["copy"]
    colour = icons._colours(QApplication.palette())["muted"]
    assert contrast(colour, _background(widgets["a1"].bubble)) >= 3
    assert not button.icon().isNull()
    # The dark theme is its own: dark pages and bubbles under light text, and the other way
    # round in the light one.
    for role, (fore, back) in seen.items():
        dark_back = _luminance(QColor(back)) < _luminance(QColor(fore))
        assert dark_back is dark, (role, fore, back)
    assert (_luminance(QColor(seen["assistant"][1])) < 0.05) is dark
