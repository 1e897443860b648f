"""A theme switched live recolours what is already drawn: switched through Preferences in the
real window, the replies' code and formulas (and a reply still streaming, the quick-ask
window's thread) take the new theme's colours, readable (code text at least 4.5:1 against its
background), and Cancel takes them back; in a long thread the messages in view change at once,
the others built a few at a time after, without a rebuild."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel

from desktop.ui import formula_images
from desktop.ui.message_view import CodeBlockWidget, FormulaBlockWidget, MessageWidget
from tests.conftest import RunningApp
from tests.support.openai_server import Reply

CODE_REPLY = (
    "Here it is:\n\n"
    "```python\n"
    "# square a number\n"
    "def square(x: int) -> int:\n"
    '    return x ** 2  # "the" square\n'
    "print(square(12), 'done', True, None)\n"
    "```\n\n"
    "So $x^2 + y$ grows, and\n\n"
    "$$\\int_0^1 x\\,dx = \\frac{1}{2}$$\n"
)
# WCAG 2's contrast for normal text (AA).
MIN_CONTRAST = 4.5


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def _contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _choose(combo: Any, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def _code_colours(block: CodeBlockWidget) -> tuple[QColor, list[tuple[str, QColor]]]:
    """The code's background and each run of its text with its colour, as the label's
    document has them (its char formats)."""
    document = QTextDocument()
    document.setHtml(block.code.text())
    runs: list[tuple[str, QColor]] = []
    background = QColor()
    text_block = document.begin()
    while text_block.isValid():
        if text_block.blockFormat().background().style() != 0:
            background = text_block.blockFormat().background().color()
        it = text_block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.text().strip():
                runs.append((fragment.text(), fragment.charFormat().foreground().color()))
            it += 1
        text_block = text_block.next()
    return background, runs


def _ink(markup: str) -> list[QColor]:
    """The colours of the formula images' ink in ``markup`` (their opaque pixels)."""
    inks = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', markup):
        image = QImage.fromData(base64.b64decode(data), "PNG")
        assert not image.isNull()
        best = QColor(0, 0, 0, 0)
        for y in range(image.height()):
            for x in range(image.width()):
                pixel = image.pixelColor(x, y)
                if pixel.alpha() > best.alpha():
                    best = pixel
        assert best.alpha() > 200  # ink, not a blank image
        inks.append(best)
    return inks


def _reply_widget(app: RunningApp) -> MessageWidget:
    widgets = [w for w in app.window.chat_view.message_widgets() if w.role == "assistant"]
    assert widgets
    return widgets[-1]


def _parts(widget: MessageWidget) -> tuple[CodeBlockWidget, list[str]]:
    """The reply's code block, and the markup of its blocks that hold formulas."""
    assert widget.markdown is not None
    blocks = widget.markdown.blocks()
    code = [b for b in blocks if isinstance(b, CodeBlockWidget)]
    assert len(code) == 1
    formulas = []
    for block in blocks:
        label = block.label if isinstance(block, FormulaBlockWidget) else block
        if isinstance(label, QLabel) and "<img" in label.text():
            formulas.append(label.text())
    return code[0], formulas


def _assert_looks(app: RunningApp, *, dark: bool) -> None:
    """The reply's code and formulas in the theme's colours, the code readable."""
    widget = _reply_widget(app)
    code, formulas = _parts(widget)
    background, runs = _code_colours(code)
    assert (_luminance(background) < 0.05) == dark, background.name()
    shown = "".join(text for text, _ in runs)
    assert all(word in shown for word in ("square", "print", "'done'", "# square"))
    assert len({colour.name() for _, colour in runs}) >= 3  # highlighted, not one colour
    for text, colour in runs:
        contrast = _contrast(colour, background)
        assert contrast >= MIN_CONTRAST, (text, colour.name(), background.name(), contrast)
    # Both formulas (inline and display) drawn in the text's colour of the theme.
    assert len(formulas) == 2
    page = app.window.chat_view.viewport().palette().color(QPalette.ColorRole.Window)
    for ink in [ink for markup in formulas for ink in _ink(markup)]:
        assert (ink.lightness() > 160) == dark, ink.name()
        assert _contrast(ink, page) >= MIN_CONTRAST, (ink.name(), page.name())


def _formulas_drawn(qtbot: Any) -> None:
    qtbot.waitUntil(lambda: not formula_images.controller().drawer.waiting(), timeout=30_000)
    qtbot.wait(20)  # the drawn signal's slot


def test_switching_the_theme_recolours_the_code_and_formulas_drawn_and_cancel_takes_it_back(
    start_chat_app: Callable[..., RunningApp], apply_app_theme: Any, openai_server: Any, qtbot: Any
) -> None:
    apply_app_theme(False)
    app = start_chat_app()
    openai_server.enqueue(Reply(text=CODE_REPLY))
    app.type_and_send("code and a formula")
    app.wait_idle()
    _formulas_drawn(qtbot)
    _assert_looks(app, dark=False)
    before = _reply_widget(app)
    drawn = formula_images.controller().drawer

    dialog = app.window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    # At once, in the same widgets (nothing rebuilt), the formulas not drawn again (their
    # drawing serves both themes; only the ink is new).
    assert not drawn.waiting()
    assert _reply_widget(app) is before
    _assert_looks(app, dark=True)

    dialog.reject()
    assert not app.window.dark
    _assert_looks(app, dark=False)

    dialog = app.window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    assert dialog.save()
    _assert_looks(app, dark=True)


def test_a_reply_streaming_while_the_theme_switches_ends_in_the_new_colours(
    start_chat_app: Callable[..., RunningApp], apply_app_theme: Any, openai_server: Any, qtbot: Any
) -> None:
    apply_app_theme(False)
    app = start_chat_app()
    openai_server.enqueue(Reply(text=CODE_REPLY))
    app.type_and_send("first")
    app.wait_idle()
    gate = threading.Event()
    openai_server.enqueue(Reply(text=CODE_REPLY, chunk_size=40, stall_after=2, gate=gate))
    app.type_and_send("second")
    view = app.window.chat_view
    qtbot.waitUntil(
        lambda: len(view.message_widgets()) == 4 and bool(view.message_widgets()[-1].content)
    )
    assert app.chat.is_streaming(app.conversations.current.id)

    dialog = app.window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    assert dialog.save()
    gate.set()
    app.wait_idle()
    _formulas_drawn(qtbot)
    assert all(widget.dark for widget in view.message_widgets())
    _assert_looks(app, dark=True)  # the reply that streamed
    first = view.message_widgets()[1]
    background, runs = _code_colours(_parts(first)[0])
    assert _luminance(background) < 0.05
    assert all(_contrast(colour, background) >= MIN_CONTRAST for _, colour in runs)


def test_in_a_long_thread_the_messages_in_view_change_at_once_the_others_after(
    start_chat_app: Callable[..., RunningApp], apply_app_theme: Any, qtbot: Any, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from desktop.core.models import Conversation, Message
    from desktop.core.storage import ConversationStore

    conversation = Conversation.new(model="m")
    conversation.title = "long"
    parent = None
    for i in range(400):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"question {i}" if role == "user" else f"Reply {i}:\n\n```python\nx = {i}\n```\n"
        parent = conversation.append(Message(f"m{i}", parent, role, text, datetime.now(UTC))).id
    store = ConversationStore(tmp_path / "data")
    store.save(conversation)
    store.close()
    apply_app_theme(False)
    app = start_chat_app()
    app.open(conversation.id)
    view = app.window.chat_view
    qtbot.waitUntil(lambda: not view.building)
    while len(view.message_widgets()) < 150:
        view.load_earlier()
    view.scroll_to_bottom()
    qtbot.waitUntil(lambda: view.following)
    built = view.message_widgets()

    dialog = app.window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    # The ones in view (and half a pane around) at once; the rest are to come.
    changed = {w.message_id for w in built if w.dark}
    assert changed == set(view.visible_message_ids(margin=0.5))
    assert built[-1].message_id in changed and len(changed) < 20
    assert view.restyling
    qtbot.waitUntil(lambda: not view.restyling)
    assert view.message_widgets() == built  # the same widgets, none rebuilt
    assert all(widget.dark for widget in built)
    code = [b for b in built[1].markdown.blocks() if isinstance(b, CodeBlockWidget)]  # type: ignore[union-attr]
    background, runs = _code_colours(code[0])
    assert _luminance(background) < 0.05 and runs
    # Those not built yet come in the new colours.
    view.load_earlier()
    assert all(widget.dark for widget in view.message_widgets())
    dialog.reject()  # Cancel: the same, back to light
    near = set(view.visible_message_ids(margin=0.5))
    assert near and view.restyling
    assert not any(w.dark for w in view.message_widgets() if w.message_id in near)
    qtbot.waitUntil(lambda: not view.restyling)
    assert not any(widget.dark for widget in view.message_widgets())


def test_the_quick_window_and_the_compare_columns_follow_the_theme(
    start_citizen: Any, apply_app_theme: Any, openai_server: Any, qtbot: Any
) -> None:
    apply_app_theme(False)
    citizen = start_citizen()
    quick = citizen.integration.open_quick()
    openai_server.enqueue(Reply(text=CODE_REPLY))
    edit = quick.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "code")
    from PySide6.QtCore import Qt

    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: quick.conversation is not None)
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    reply = [w for w in quick.chat_view.message_widgets() if w.role == "assistant"][-1]
    window = citizen.app.window
    dialog = window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    assert reply.dark and quick.chat_view.dark and window.compare_view._dark
    background, runs = _code_colours(_parts(reply)[0])
    assert _luminance(background) < 0.05
    assert all(_contrast(colour, background) >= MIN_CONTRAST for _, colour in runs)
    dialog.reject()
    assert not reply.dark
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 128


def test_find_marks_and_the_sidebar_hints_stay_readable_across_a_switch(
    start_chat_app: Callable[..., RunningApp], apply_app_theme: Any, openai_server: Any, qtbot: Any
) -> None:
    from desktop.ui import marks

    apply_app_theme(False)
    app = start_chat_app()
    openai_server.enqueue(Reply(text=CODE_REPLY))
    app.type_and_send("code")
    app.wait_idle()
    find = app.window.find_bar
    find.open_bar()
    find.find_text("square")
    reply = _reply_widget(app)
    shown = marks.marked_text(reply)
    assert len(shown) >= 3 and [current for _, current in shown].count(True) == 1

    dialog = app.window.open_preferences()
    _choose(dialog.theme_combo, "dark")
    # Drawn again in the dark colours, the matches still marked, the same one current.
    assert _luminance(_code_colours(_parts(reply)[0])[0]) < 0.05
    assert marks.marked_text(reply) == shown
    navigation = app.window.sidebar.navigation
    faint = QApplication.palette().placeholderText().color()
    hints = [
        navigation.topLevelItem(i).child(0)
        for i in range(navigation.topLevelItemCount())
        if navigation.topLevelItem(i).childCount()
    ]
    assert hints
    page = navigation.palette().color(QPalette.ColorRole.Base)
    for hint in hints:
        assert hint.foreground(0).color() == faint
        assert _contrast(hint.foreground(0).color(), page) >= 3  # (a hint, not text to read)
    dialog.reject()
    assert marks.marked_text(reply) == shown
