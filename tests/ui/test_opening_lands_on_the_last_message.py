"""Opening a conversation shows its end: the last message in view, its bottom at the bottom of
the pane, never a blank area with the messages out of sight above."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt

from tests.benchmarks.workload import BIG_ID, SMALL_ID, open_folder

# The column's bottom margin (chat_view: 16 px) plus a few pixels of rounding.
BOTTOM_SLACK = 24


def _click_conversation(app: Any, qtbot: Any, conversation_id: str) -> None:
    sidebar = app.window.sidebar
    index = sidebar.model.index(sidebar.model.row_of(conversation_id))
    rect = sidebar.view.visualRect(index)
    assert rect.isValid() and sidebar.view.viewport().rect().contains(rect.center())
    qtbot.mouseClick(sidebar.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(
        lambda: (
            app.conversations.current is not None
            and app.conversations.current.id == conversation_id
        )
    )


def _last_message_gap(app: Any) -> int | None:
    """Pixels between the last message's bottom edge and the viewport's bottom (negative:
    below it, out of sight); None when the last message is not in the viewport at all."""
    view = app.window.chat_view
    widgets = view.message_widgets()
    if not widgets:
        return None
    last = widgets[-1]
    viewport = view.viewport()
    top = last.mapTo(viewport, QPoint(0, 0)).y()
    bottom = top + last.height()
    if bottom <= 0 or top >= viewport.height():
        return None
    return viewport.height() - bottom


def _saved(data: Any, texts: list[str]) -> str:
    """A conversation of ``texts``, the user's and the assistant's in turn, saved in ``data``;
    returns its id."""
    from datetime import UTC, datetime

    from desktop.core.models import Conversation, Message
    from desktop.core.storage import ConversationStore

    conversation = Conversation.new(model="m")
    conversation.title = texts[0]
    parent = None
    for i, text in enumerate(texts):
        role = "user" if i % 2 == 0 else "assistant"
        parent = conversation.append(Message(f"m{i}", parent, role, text, datetime.now(UTC))).id
    store = ConversationStore(data)
    store.save(conversation)
    store.close()
    return conversation.id


class _PaintWatch(QObject):
    """Calls ``seen`` at every paint of ``widget``."""

    def __init__(self, widget: Any, seen: Callable[[], None]) -> None:
        super().__init__()
        self._widget, self._seen = widget, seen
        widget.installEventFilter(self)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._seen()
        return False

    def stop(self) -> None:
        self._widget.removeEventFilter(self)


def _assert_lands_on_the_end(app: Any, qtbot: Any) -> None:
    view = app.window.chat_view
    qtbot.waitUntil(lambda: not view.building)  # the initial window, built a step at a time

    def at_the_end() -> bool:
        gap = _last_message_gap(app)
        return gap is not None and 0 <= gap <= BOTTOM_SLACK

    qtbot.waitUntil(at_the_end, timeout=5000)
    # And it stays there once every pending layout and scroll has run.
    for _ in range(5):
        qtbot.wait(20)
    gap = _last_message_gap(app)
    bar = view.verticalScrollBar()
    assert gap is not None and 0 <= gap <= BOTTOM_SLACK, (gap, bar.value(), bar.maximum())
    assert bar.value() == bar.maximum()
    # Nothing but the margin below the last message: the content ends where it does.
    last = view.message_widgets()[-1]
    content = view.widget()
    below = content.height() - last.mapTo(content, QPoint(0, last.height())).y()
    assert below <= BOTTOM_SLACK, below


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("resize_first", [False, True], ids=["as-is", "resized"])
@pytest.mark.parametrize("messages", [40, 2000])
def test_opening_a_long_conversation_shows_its_last_message(
    start_app: Callable[..., Any],
    apply_app_theme: Callable[[bool], None],
    qtbot: Any,
    tmp_path: Any,
    dark: bool,
    resize_first: bool,
    messages: int,
) -> None:
    data = tmp_path / "data"
    open_folder(data, messages=messages)
    apply_app_theme(dark)
    app = start_app(data, dark=dark)
    if resize_first:
        app.window.resize(1100, 720)
        qtbot.waitUntil(lambda: app.window.width() == 1100)
    _click_conversation(app, qtbot, BIG_ID)
    _assert_lands_on_the_end(app, qtbot)

    # Away and back, and after the window is resized while it is open.
    _click_conversation(app, qtbot, SMALL_ID)
    _click_conversation(app, qtbot, BIG_ID)
    _assert_lands_on_the_end(app, qtbot)
    app.window.resize(1400, 900)
    qtbot.waitUntil(lambda: app.window.width() == 1400)
    _assert_lands_on_the_end(app, qtbot)


def test_a_short_conversation_starts_at_the_top(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Any
) -> None:
    """Shorter than the pane: the messages sit at the top, no scroll bar."""
    data = tmp_path / "data"
    small = _saved(data, ["Hello", "Hi! **How** can I help?", "Thanks", "You're welcome."])
    app = start_app(data)
    qtbot.waitUntil(lambda: app.window.sidebar.model.rowCount() == 1)
    _click_conversation(app, qtbot, small)
    view = app.window.chat_view
    qtbot.waitUntil(lambda: len(view.message_widgets()) == 4 and not view.building)
    qtbot.waitUntil(lambda: view.message_widgets()[0].mapTo(view.viewport(), QPoint()).y() < 40)
    # Once the layout has taken in the last of them.
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() == 0, timeout=3000)
    assert view.message_widgets()[0].mapTo(view.viewport(), QPoint()).y() < 40


def test_a_conversation_paints_its_newest_messages_first_and_builds_the_rest_in_view(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Any
) -> None:
    """Building 30 Markdown messages before the first paint made opening take up to half a
    second: the newest few, as many as fill the pane, come first and are painted, then the
    rest of the window above them, the end in view."""
    from desktop.ui.chat_view import FIRST_PAINT, INITIAL_WINDOW

    data = tmp_path / "data"
    open_folder(data, messages=2000)
    app = start_app(data)
    view = app.window.chat_view
    at_first: list[int] = []
    heights: list[int] = []  # of the messages built, at the width they are laid out at

    def shown(_conversation: Any) -> None:
        # Heard right after the window's own slot has shown the conversation, before any
        # paint.
        if view.building:
            built = view.message_widgets()
            at_first.append(len(built))
            heights.append(sum(w.heightForWidth(view.widget().width() - 48) for w in built))

    app.conversations.current_changed.connect(shown)
    at_paint: list[int] = []
    gaps: list[int | None] = []  # below the last message, at each paint

    def painted() -> None:
        if at_first:
            at_paint.append(len(view.message_widgets()))
            gaps.append(_last_message_gap(app))

    paints = _PaintWatch(view.widget(), painted)
    app.conversations.select(BIG_ID)
    qtbot.waitUntil(lambda: bool(at_first))
    assert 1 <= at_first[0] <= FIRST_PAINT  # what the first paint builds
    qtbot.waitUntil(lambda: bool(at_paint))
    assert at_paint[0] == at_first[0]  # painted before anything more was built
    # And that first paint already shows the end, laid out: it showed the new messages
    # unsized at the top of an empty pane for a frame (a gap of hundreds of pixels).
    first_gap = gaps[0]
    assert first_gap is not None and 0 <= first_gap <= BOTTOM_SLACK
    # Enough to fill the pane (or all six are there).
    assert at_first[0] == FIRST_PAINT or heights[0] >= view.viewport().height()
    qtbot.waitUntil(lambda: not view.building)
    paints.stop()
    widgets = view.message_widgets()
    assert len(widgets) == INITIAL_WINDOW
    thread = app.conversations.current.thread()
    assert [w.message_id for w in widgets] == [m.id for m in thread[-INITIAL_WINDOW:]]
    _assert_lands_on_the_end(app, qtbot)


def test_a_long_reply_opens_at_its_end_and_is_whole_once_built(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Any
) -> None:
    """Of a reply many screens long only its end is in sight when it opens: that is built
    and painted first, the blocks above it after, and then all of it is there, the end
    still in view."""
    data = tmp_path / "data"
    paragraphs = [f"Paragraph {i}: " + "words in a long reply " * 12 for i in range(120)]
    paragraphs.insert(60, "```python\nprint('in the middle')\n```")
    text = "\n\n".join(paragraphs)
    long_reply = _saved(data, ["Write a lot", text])
    app = start_app(data)
    view = app.window.chat_view
    at_paint: list[int] = []

    def blocks_now() -> int:
        widgets = view.message_widgets()
        return len(widgets[-1].markdown.blocks()) if widgets and widgets[-1].markdown else 0

    paints = _PaintWatch(view.widget(), lambda: at_paint.append(blocks_now()))
    qtbot.waitUntil(lambda: app.window.sidebar.model.rowCount() == 1)
    _click_conversation(app, qtbot, long_reply)
    qtbot.waitUntil(lambda: any(at_paint))
    first_blocks = next(n for n in at_paint if n)
    assert 1 <= first_blocks < 121 // 2  # only its end
    qtbot.waitUntil(lambda: not view.building)
    paints.stop()
    reply = view.message_widgets()[-1]
    assert reply.markdown is not None
    assert len(reply.markdown.blocks()) == 121  # every paragraph and the code block
    shown = [getattr(block, "source", None) or block.text() for block in reply.markdown.blocks()]
    assert "<p>Paragraph 0:" in shown[0] and "<p>Paragraph 119:" in shown[-1]
    assert "in the middle" in shown[60]  # in order, the code block among them
    _assert_lands_on_the_end(app, qtbot)


def _squeezed(app: Any) -> list[str]:
    """What the next paint would show out of shape: a message given less (or more) height
    than it needs at its width, a code block cut off, the last message away from the
    bottom."""
    from desktop.ui.message_view import CodeBlockWidget

    view = app.window.chat_view
    found = []
    for widget in view.message_widgets():
        needed = widget.heightForWidth(widget.width())
        if widget.height() != needed:
            found.append(f"{widget.message_id}: {widget.height()} px of {needed}")
        for block in widget.findChildren(CodeBlockWidget):
            if block.isVisibleTo(widget) and block.height() < block.minimumSizeHint().height():
                found.append(f"{widget.message_id}: a code block cut to {block.height()} px")
    gap = _last_message_gap(app)
    if view.verticalScrollBar().maximum() > 0 and not (
        gap is not None and 0 <= gap <= BOTTOM_SLACK
    ):
        found.append(f"the last message {gap} px from the bottom")
    return found


@pytest.mark.parametrize("what", ["long reply", "many messages"])
def test_nothing_is_squeezed_or_moves_while_the_rest_is_built(
    start_app: Callable[..., Any],
    apply_app_theme: Callable[[bool], None],
    qtbot: Any,
    tmp_path: Any,
    what: str,
) -> None:
    """Seen under X11: while the blocks above a long reply were built, its last code block
    was cut short and grew back over the next frames, and the last of many messages was
    squeezed (Qt laid out what was built in a chain of posted events, paints between them).
    At every turn of the loop the opening and each step of the backfill hand back, what
    would paint is in shape, the end at the bottom."""
    data = tmp_path / "data"
    code = "```python\n" + "\n".join(f"def f{k}(x):\n    return x * {k}" for k in range(6))
    if what == "long reply":
        paragraphs = [f"Paragraph {i}: " + "words in a long reply " * 12 for i in range(150)]
        for at in range(10, 150, 20):
            paragraphs.insert(at, code + "\n```")
        paragraphs.insert(len(paragraphs) - 1, code + "\n```")
        texts = ["Write a lot", "\n\n".join(paragraphs)]
    else:
        texts = [f"Answer {n}: " + "words " * (5 + n % 30) for n in range(120)]
    opened = _saved(data, texts)
    apply_app_theme(False)
    app = start_app(data, dark=False)
    app.window.resize(1100, 720)
    qtbot.waitUntil(lambda: app.window.width() == 1100)
    qtbot.waitUntil(lambda: app.window.sidebar.model.rowCount() == 1)
    view = app.window.chat_view
    seen: list[list[str]] = []
    step = view._backfill_step

    def stepped() -> None:
        step()
        seen.append(_squeezed(app))

    view._backfill_step = stepped  # type: ignore[method-assign]
    app.conversations.current_changed.connect(lambda _c: seen.append(_squeezed(app)))
    _click_conversation(app, qtbot, opened)
    qtbot.waitUntil(lambda: not view.building, timeout=10_000)
    assert len(seen) > 2  # opened, and built in steps
    assert [found for found in seen if found] == []
    _assert_lands_on_the_end(app, qtbot)
