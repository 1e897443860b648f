"""LaTeX drawn as math in the real widgets: on the text's baseline, display formulas centred
and never wider than the view, in the dark theme's colour, copied back as LaTeX, a bad one
shown as its source, each drawn once while a reply streams, and a reply of formulas streamed
from the loopback server ending with every formula drawn."""

from __future__ import annotations

import base64
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QTextDocument
from PySide6.QtWidgets import QLabel

from desktop.core import formulas
from desktop.core.markdown import render_markdown
from desktop.core.models import Conversation, Message
from desktop.ui import formula_images, marks
from desktop.ui.chat_view import ChatView
from desktop.ui.message_view import BlockLabel, FormulaBlockWidget, MessageWidget


@pytest.fixture
def drawn_formulas(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """A formula thread of this test's own (nothing cached from another), and how many times
    each LaTeX was drawn."""
    monkeypatch.setattr(formula_images, "_controller", None)
    monkeypatch.setattr(formula_images, "_rasters", formula_images.OrderedDict())
    controller = formula_images.controller()
    counts: Counter[str] = Counter()
    real = formulas.draw

    def counting(latex: str, display: bool, **kwargs: Any) -> Any:
        counts[latex] += 1
        return real(latex, display, **kwargs)

    monkeypatch.setattr(formulas, "draw", counting)
    yield counts
    controller.close()


def _reply(text: str, *, streaming: bool = False) -> tuple[Conversation, Message]:
    conversation = Conversation.new()
    now = datetime.now(UTC)
    conversation.append(Message("q", None, "user", "Tell me", now))
    reply = conversation.append(Message("r", "q", "assistant", text, now, streaming=streaming))
    return conversation, reply


def _shown(
    qtbot: Any, text: str, *, width: int = 640, dark: bool = False, style: str = ""
) -> MessageWidget:
    """The reply in a ChatView (which swaps the drawings in), once every formula is drawn."""
    conversation, _ = _reply(text)
    view = ChatView(dark=dark)
    view.setStyleSheet(style)
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    view.show_conversation(conversation, "Bot")
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: not formula_images.controller().drawer.waiting(), timeout=30_000)
    qtbot.wait(20)  # the drawn signal's slot, and the layout after it
    widget = view.message_widget("r")
    assert widget is not None
    _KEPT.append(view)  # the view owns the widget: kept until the next test
    return widget


_KEPT: list[ChatView] = []


@pytest.fixture(autouse=True)
def _release_views() -> Iterator[None]:
    yield
    _KEPT.clear()


def _labels(widget: MessageWidget) -> list[QLabel]:
    """The message's text labels, a display formula's own included."""
    assert widget.markdown is not None
    return [
        b.label if isinstance(b, FormulaBlockWidget) else b
        for b in widget.markdown.blocks()
        if isinstance(b, QLabel | FormulaBlockWidget)
    ]


def _images(label: QLabel) -> list[QImage]:
    out = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', label.text()):
        image = QImage()
        assert image.loadFromData(base64.b64decode(data), "PNG")
        out.append(image)
    return out


def _ink_columns(image: QImage, dark_ink: bool) -> list[tuple[int, int, int]]:
    """Runs of columns with ink: (first x, last x, lowest row with ink)."""
    runs: list[tuple[int, int, int]] = []
    current: list[int] | None = None
    for x in range(image.width()):
        rows = [
            y
            for y in range(image.height())
            if (image.pixelColor(x, y).lightness() < 110)
            == dark_ink  # dark ink on light, or light ink on dark
        ]
        if rows:
            if current is None:
                current = [x, x, max(rows)]
            else:
                current[1], current[2] = x, max(current[2], max(rows))
        elif current is not None:
            runs.append((current[0], current[1], current[2]))
            current = None
    if current is not None:
        runs.append((current[0], current[1], current[2]))
    return runs


def test_inline_formulas_sit_on_the_baseline_of_the_text(
    qtbot: Any, drawn_formulas: Counter[str]
) -> None:
    # H's foot is on the baseline in the text's font and in the formula's; a "y" hangs below
    # it (the formula's depth), a fraction's 2 too: neither may move the formula's baseline.
    widget = _shown(
        qtbot,
        "H $\\mathrm{H} \\quad y$ H $\\frac{1}{2} \\quad \\mathrm{H}$ H",
        style="QLabel { font-size: 32px; }",
    )
    (label,) = _labels(widget)
    assert len(_images(label)) == 2
    runs = _ink_columns(label.grab().toImage(), dark_ink=True)
    assert len(runs) == 7, runs  # H | H, y | H | ½, H | H
    baseline = runs[0][2]  # the first H, text
    assert runs[3][2] == baseline and runs[6][2] == baseline  # the other text H's
    assert abs(runs[1][2] - baseline) <= 1  # the formula's H
    assert runs[2][2] > baseline + 3  # its y hangs below the baseline
    assert abs(runs[5][2] - baseline) <= 1  # the H after the fraction
    assert runs[4][2] > baseline  # the fraction's 2 below the baseline
    # One line, only as tall as the formulas need.
    assert label.height() < 2.5 * label.fontMetrics().height()


def test_a_display_formula_is_centred_and_a_wide_one_shrinks_to_the_view(
    qtbot: Any, drawn_formulas: Counter[str]
) -> None:
    widget = _shown(qtbot, "Before.\n\n$$\n\\int_0^1 x^2\\,dx = \\frac{1}{3}\n$$\n\nAfter.")
    assert widget.markdown is not None
    display = widget.markdown.blocks()[1]
    assert isinstance(display, FormulaBlockWidget)
    runs = _ink_columns(display.grab().toImage(), dark_ink=True)
    left, right = runs[0][0], runs[-1][1]
    assert abs((left + right) / 2 - display.width() / 2) <= 3
    assert display.horizontalScrollBar().maximum() == 0  # fits: no scrolling

    # Too wide for the view: shrunk a little, then scrolled sideways, never cut.
    wide = " + ".join(f"x_{{{i}}}^{{{i}}}" for i in range(60))
    widget = _shown(qtbot, f"$$\n{wide}\n$$\n\nand $${wide}$$ inline", width=420)
    assert widget.markdown is not None
    block, paragraph = widget.markdown.blocks()
    assert isinstance(block, FormulaBlockWidget)
    (image,) = _images(block.label)
    assert block.label.width() > block.viewport().width()  # wider: it scrolls
    assert block.horizontalScrollBar().maximum() > 0
    assert block.height() >= block.label.height()  # its whole height in view
    assert image.height() >= 0.75 * 0.5 * 16  # not shrunk unreadably small
    # Within a paragraph it cannot scroll: shrunk to the view's width.
    assert isinstance(paragraph, QLabel)
    shown_width = int(re.search(r'width="(\d+)"', paragraph.text())[1])  # type: ignore[index]
    assert shown_width <= paragraph.width()


def test_in_the_dark_theme_a_formula_is_drawn_in_the_text_colour_without_a_box(
    qtbot: Any, drawn_formulas: Counter[str], apply_app_theme: Callable[[bool], None]
) -> None:
    apply_app_theme(True)
    widget = _shown(qtbot, "Dark $\\sqrt{x^2+y^2}$ here.", dark=True)
    (label,) = _labels(widget)
    (image,) = _images(label)
    opaque = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 200
    ]
    assert opaque
    text = label.palette().color(label.foregroundRole())
    assert text.lightness() > 180  # the dark theme's light text
    assert all(abs(c.lightness() - text.lightness()) < 30 for c in opaque)  # not black ink
    assert image.pixelColor(0, 0).alpha() == 0  # no box around it
    # On screen: light ink on the dark bubble, no white area.
    picture = label.grab().toImage()
    assert _ink_columns(picture, dark_ink=False)
    white = sum(
        1
        for x in range(picture.width())
        for y in range(picture.height())
        if picture.pixelColor(x, y).lightness() > 240
    )
    assert white < picture.width() * picture.height() * 0.05


def test_copying_a_selection_gives_the_formulas_latex_source(
    qtbot: Any, drawn_formulas: Counter[str]
) -> None:
    widget = _shown(qtbot, "Energy $E = mc^2$ and \\(a^2\\), for $5 and $10.")
    (label,) = _labels(widget)
    assert isinstance(label, BlockLabel) and len(_images(label)) == 2
    label.setFocus()
    document = QTextDocument()
    document.setHtml(label.text())
    label.setSelection(0, len(document.toPlainText()))
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == (
        "Energy $E = mc^2$ and \\(a^2\\), for $5 and $10."
    )
    label.setSelection(7, 5)  # "$E = mc^2$" is one character on screen: "￼ and"
    label.copy_selection()
    assert QGuiApplication.clipboard().text() == "$E = mc^2$ and"


def test_a_formula_that_does_not_parse_shows_its_source(
    qtbot: Any, drawn_formulas: Counter[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        widget = _shown(qtbot, "Bad $\\frac{a$ and good $x^2$.")
    (label,) = _labels(widget)
    assert len(_images(label)) == 1
    document = QTextDocument()
    document.setHtml(label.text())
    assert "$\\frac{a$" in document.toPlainText()
    assert drawn_formulas["\\frac{a"] == 1  # tried once, not again at every render
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert widget.status.text() == ""


def test_a_streaming_reply_draws_each_formula_once(
    qtbot: Any, drawn_formulas: Counter[str]
) -> None:
    parts = [f"Step {i}: $x_{{{i}}} = \\frac{{{i}}}{{2}}$ holds, at $5 a go." for i in range(12)]
    text = "\n\n".join(parts) + "\n\n$$\n\\sum_i x_i\n$$\n\nDone."
    conversation, reply = _reply("", streaming=True)
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(640, 600)
    view.show()
    view.show_conversation(conversation, "Bot")
    view.set_streaming(True)
    for end in range(5, len(text) + 5, 5):
        reply.content = text[:end]
        view.queue_delta(reply)
        view.flush()
        qtbot.wait(1)
    view.set_streaming(False)
    reply.streaming = False
    view.refresh_message(reply)
    view.flush()
    qtbot.waitUntil(lambda: not formula_images.controller().drawer.waiting(), timeout=30_000)
    qtbot.wait(20)
    widget = view.message_widget("r")
    assert widget is not None
    images = sum(len(_images(label)) for label in _labels(widget))
    assert images == 13
    # Every formula drawn once, though the growing block was rendered at every flush and
    # each finished block again when the reply ended.
    assert set(drawn_formulas.values()) == {1}
    assert len(drawn_formulas) == 13


def test_formulas_are_rasterised_in_the_formula_thread(
    qtbot: Any, drawn_formulas: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from desktop.controllers import formulas as formula_rasters

    monkeypatch.setattr(formula_images, "rasterised_here", 0)
    threads: list[str] = []
    real = formula_rasters.rasterise

    def noting(drawing: Any, style: Any, *pace: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(drawing, style, *pace)

    monkeypatch.setattr(formula_rasters, "rasterise", noting)
    text = "\n\n".join(f"Row {i}: $y_{{{i}}} = {i}x^2$ and $\\sqrt{{{i}}}$." for i in range(6))
    widget = _shown(qtbot, text + "\n\n$$\\int_0^1 t\\,dt$$")

    assert sum(len(_images(label)) for label in _labels(widget)) == 13
    # Each rasterised once, in the formula thread; the UI thread took them ready.
    assert threads.count("confab-math") == 13
    assert formula_images.rasterised_here == 0
    assert formula_images.controller().rasters.made == 13


def test_a_reply_of_formulas_through_the_server_ends_with_every_formula_drawn(
    start_chat_app: Callable[..., Any],
    openai_server: Any,
    qtbot: Any,
    drawn_formulas: Counter[str],
) -> None:
    from tests.support.openai_server import Reply

    text = "\n\n".join(
        f"Term {i}: $a_{{{i}}} + b^{{{i}}}$, costs ${i}.\n\n\\[\n\\int_0^{{{i}}} t\\,dt\n\\]"
        for i in range(15)
    )
    openai_server.enqueue(Reply(text=text, chunk_size=7, delay=0.001))
    app = start_chat_app()
    app.type_and_send("Formulas, please")
    app.wait_idle(timeout=30_000)
    qtbot.waitUntil(lambda: not formula_images.controller().drawer.waiting(), timeout=30_000)
    qtbot.wait(20)
    widget = app.window.chat_view.message_widget(app.conversations.current.head)
    assert widget is not None and widget.content == text
    expected = sum(len(block.formulas) for block in render_markdown(text))
    assert expected == 30
    assert sum(len(_images(label)) for label in _labels(widget)) == expected
    assert not any("<!--f" in label.text() for label in _labels(widget))  # no source left
    assert set(drawn_formulas.values()) == {1}

    # Find counts the formulas' source, drawn or not.
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = app.window.find_bar
    qtbot.waitUntil(bar.isVisible)
    qtbot.keyClicks(bar.field, "\\int_0")
    qtbot.waitUntil(lambda: bar.total == 15)
    assert bar.count_label.text().endswith(" of 15")
    # Going to one in a formula: it is in the message's marks (the image, where its source
    # is), tinted behind, the current one in the current match's colour.
    state = [getattr(label, "_confab_marks", None) for label in _labels(widget)]
    assert sum(len(marked.spans) for marked in state if marked is not None) == 15
    tinted = marks.marked_text(widget)
    assert len(tinted) == 15 and {text for text, _ in tinted} == {"\ufffc"}
    assert [current for _, current in tinted].count(True) == 1
    bar.field.setText("Term 3")
    qtbot.waitUntil(lambda: bar.total == 1)
    qtbot.waitUntil(lambda: ("Term 3", True) in marks.marked_text(widget))
    (label,) = [label for label in _labels(widget) if "Term 3" in label.text()]
    assert len(_images(label)) == 1  # marked, its formula still drawn


def test_formula_colour_follows_the_label(qtbot: Any, drawn_formulas: Counter[str]) -> None:
    widget = _shown(qtbot, "Red $y = 2x$ text.")
    (label,) = _labels(widget)
    label.setStyleSheet("color: #c00000")
    widget.markdown.formulas_drawn({("y = 2x", False)})  # type: ignore[union-attr]
    (image,) = _images(label)
    inked = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 220
    ]
    assert inked and all(c.red() > 150 and c.green() < 60 for c in inked)


def test_the_users_own_formulas_are_drawn_the_rest_shown_as_typed(
    qtbot: Any, drawn_formulas: Counter[str]
) -> None:
    conversation = Conversation.new()
    now = datetime.now(UTC)
    typed = "Is  $e^{i\\pi} + 1 = 0$ true?\n*not bold* <b>x</b>, for $5 and $10"
    conversation.append(Message("q", None, "user", typed, now))
    conversation.append(Message("p", "q", "user", "Just $5 and $10, *plain*", now))
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(640, 600)
    view.show()
    view.show_conversation(conversation, "Bot")
    qtbot.waitUntil(lambda: not formula_images.controller().drawer.waiting(), timeout=30_000)
    qtbot.wait(20)
    widget = view.message_widget("q")
    assert widget is not None and widget.plain is not None
    label = widget.plain
    assert label.textFormat() == Qt.TextFormat.RichText and len(_images(label)) == 1
    document = QTextDocument()
    document.setHtml(label.text())
    # As typed: the double space, the line break, the asterisks and the markup as text.
    assert document.toPlainText() == ("Is  \ufffc true?\n*not bold* <b>x</b>, for $5 and $10")
    label.setSelection(0, len(document.toPlainText()))
    label.copy_selection()
    assert QGuiApplication.clipboard().text() == typed
    other = view.message_widget("p")
    assert other is not None and other.plain is not None
    assert other.plain.textFormat() == Qt.TextFormat.PlainText  # no formula: as before
    assert other.plain.text() == "Just $5 and $10, *plain*"


def test_formulas_swapped_in_above_keep_the_message_read_in_place(
    qtbot: Any, drawn_formulas: Counter[str]
) -> None:
    from PySide6.QtWidgets import QAbstractSlider

    conversation = Conversation.new()
    now = datetime.now(UTC)
    parent = None
    for i in range(8):
        question = conversation.append(Message(f"q{i}", parent, "user", f"Question {i}", now))
        display = f"\\frac{{a_{{{i}}}}}{{b}} + \\sqrt{{{i}}}"
        text = f"Answer {i}: $y_{{{i}}}$ and\n\n$$\n{display}\n$$\n\nEnd."
        parent = conversation.append(Message(f"r{i}", question.id, "assistant", text, now)).id
    drawer = formula_images.controller().drawer
    drawer.held = True  # nothing drawn until the view is where the user reads
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(640, 400)
    view.show()
    view.show_conversation(conversation, "Bot")
    qtbot.waitUntil(lambda: not view.building)
    bar = view.verticalScrollBar()
    for _ in range(3):
        bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)
    assert not view.following
    top, offset = view._top_message()
    assert top is not None and top.message_id not in ("q0", "r7")
    drawer.held = False
    qtbot.waitUntil(lambda: not drawer.waiting(), timeout=30_000)
    replies = [w for w in view.message_widgets() if w.role == "assistant"]
    qtbot.waitUntil(lambda: all("<img" in _labels(w)[0].text() for w in replies))
    qtbot.wait(20)
    assert view._top_message() == (top, offset)  # the same message, at the same place


def test_a_formulas_source_cannot_become_markup(qtbot: Any, drawn_formulas: Counter[str]) -> None:
    widget = _shown(qtbot, 'See $x"><img src="http://e.example/a.png$ and $\\text{<b>}$.')
    (label,) = _labels(widget)
    assert _images(label)
    tags = re.findall(r"<(\w+)", label.text())
    assert tags.count("img") == len(_images(label))  # only the formulas' own images
    assert "b" not in tags
    sources = re.findall(r'src="([^"]*)"', label.text())
    assert all(src.startswith("data:image/png;base64,") for src in sources)
