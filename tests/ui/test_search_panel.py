"""Search everything (Ctrl+K and the sidebar's field) in the real window: results as the user
types, the matched words marked in the snippets, the keyboard, the filters, and the states
(searching, nothing found, an error); Enter opens the conversation at the message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desktop.ui import marks
from desktop.ui.search_panel import MARK_BACKGROUND
from tests.ui.test_open_at_and_find import _in_view, _settled, _start_branched


def _marked_pixels(panel: Any) -> int:
    """Pixels of the marks' colour in the results as painted."""
    image = panel.results.viewport().grab().toImage()
    wanted = QColor(MARK_BACKGROUND).rgb()
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixel(x, y) == wanted
    )


def _active(app: Any, qtbot: Any) -> None:
    """The window active, as the user's is (keyboard focus and shortcuts need it)."""
    app.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window)


def _results(panel: Any) -> list[Any]:
    return [panel.model.hit(row) for row in range(panel.model.rowCount())]


def test_typing_shows_hits_with_the_words_marked_and_enter_opens_at_the_message(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, conversation_id = _start_branched(start_app, tmp_path)
    app.conversations.wait_for_index()
    _active(app, qtbot)
    # Typed into the sidebar's field: the panel takes the text over.
    field = app.window.sidebar.search_field
    field.setFocus()
    qtbot.keyClicks(field, "z")
    panel = app.window.search_panel
    qtbot.waitUntil(panel.isVisible)
    assert panel.field.text() == "z" and panel.field.hasFocus()
    qtbot.keyClicks(panel.field, "ebra")
    qtbot.waitUntil(lambda: panel.results.isVisible(), timeout=10_000)
    hits = _results(panel)
    assert hits and hits[0].conversation_id == conversation_id and hits[0].message_id == "b15"
    for start, end in hits[0].marks:
        assert hits[0].snippet[start:end].lower() == "zebra"
    assert hits[0].marks
    qtbot.waitUntil(lambda: _marked_pixels(panel) > 20)  # the snippet's marks, painted

    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    view = app.window.chat_view
    qtbot.waitUntil(lambda: view.message_widget("b15") is not None)
    _settled(qtbot, view)
    assert not panel.isVisible()
    assert app.conversations.current.head == "b129"
    widget = view.message_widget("b15")
    assert _in_view(view, widget)
    assert ("zebra", True) in marks.marked_text(widget)


def test_chinese_is_found_and_nothing_found_says_so(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, _ = _start_branched(start_app, tmp_path)
    app.conversations.wait_for_index()
    _active(app, qtbot)
    app.window.open_search()
    panel = app.window.search_panel
    panel.field.insert("斑马")  # as an input method commits it
    qtbot.waitUntil(lambda: panel.results.isVisible(), timeout=10_000)
    hit = _results(panel)[0]
    assert hit.message_id == "b15"
    assert any(hit.snippet[s:e] == "斑马" for s, e in hit.marks)
    panel.field.clear()
    qtbot.keyClicks(panel.field, "nowhere to be found")
    qtbot.waitUntil(lambda: "No results for" in panel.status_label.text(), timeout=10_000)
    assert "nowhere to be found" in panel.status_label.text()
    assert not panel.results.isVisible()
    qtbot.keyClick(panel.field, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    assert app.window.composer.edit.hasFocus()


def test_the_role_filter_keeps_only_my_messages(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, _ = _start_branched(start_app, tmp_path)
    app.conversations.wait_for_index()
    app.window.open_search("ordinary")
    panel = app.window.search_panel
    qtbot.waitUntil(lambda: panel.results.isVisible(), timeout=10_000)
    assert {hit.role for hit in _results(panel)} == {"user", "assistant"}
    panel.filters_button.click()
    assert panel.filters_row.isVisible()
    panel.role_combo.setCurrentIndex(panel.role_combo.findData("user"))
    assert panel.filters_button.text() == "Filters (1)"
    qtbot.waitUntil(
        lambda: bool(_results(panel)) and {h.role for h in _results(panel)} == {"user"},
        timeout=10_000,
    )


class _Backend:
    """A search that answers when the test says."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Any, Callable[[object], None]]] = []

    def __call__(self, query: str, filters: Any, then: Callable[[object], None]) -> None:
        self.asked.append((query, filters, then))


def _hit(conversation_id: str, title: str, snippet: str, word: str) -> Any:
    from desktop.core.search import Hit

    start = snippet.index(word)
    return Hit(
        conversation_id,
        "m1",
        title,
        1_700_000_000_000_000,
        "user",
        snippet,
        ((start, start + len(word)),),
    )


def test_one_query_in_flight_and_a_stale_answer_is_dropped(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app = start_app(tmp_path / "data")
    panel = app.window.search_panel
    backend = _Backend()
    panel.search = backend
    app.window.open_search()
    qtbot.keyClicks(panel.field, "zeb")
    qtbot.waitUntil(lambda: len(backend.asked) == 1)
    assert backend.asked[0][0] == "zeb"
    assert panel.status_label.text() == "Searching…"
    qtbot.keyClicks(panel.field, "ra")
    panel.run_query()  # the debounce's end: still one in flight, nothing more asked
    assert len(backend.asked) == 1
    backend.asked[0][2]([_hit("c1", "Old", "a zeb here", "zeb")])
    # The answer to "zeb" is not what the field says any more: dropped, "zebra" asked.
    assert panel.model.rowCount() == 0
    assert [query for query, _, _ in backend.asked] == ["zeb", "zebra"]
    backend.asked[1][2](
        [_hit("c2", "Zoo", "the zebra ran", "zebra"), _hit("c3", "Z", "zebra", "zebra")]
    )
    assert [hit.conversation_id for hit in _results(panel)] == ["c2", "c3"]
    assert panel.status_label.text() == "2 results"
    # Down and Up move through the results, from the field.
    assert panel.results.currentIndex().row() == 0
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 1
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 1
    qtbot.keyClick(panel.field, Qt.Key.Key_Up)
    assert panel.results.currentIndex().row() == 0
    # A click chooses too.
    chosen: list[tuple[str, str, str]] = []
    panel.open_requested.disconnect()
    panel.open_requested.connect(lambda *args: chosen.append(args))
    rect: QRect = panel.results.visualRect(panel.model.index(1))
    qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen == [("c3", "m1", "zebra")]


def test_a_failed_query_says_so(start_app: Callable[..., Any], qtbot: Any, tmp_path: Path) -> None:
    app = start_app(tmp_path / "data")
    panel = app.window.search_panel
    backend = _Backend()
    panel.search = backend
    app.window.open_search('"unbalanced')
    qtbot.waitUntil(lambda: len(backend.asked) == 1)
    backend.asked[0][2](ValueError('fts5: syntax error near ""'))
    assert "could not be run" in panel.status_label.text()
    assert panel.status_label.property("error") is True
    assert not panel.results.isVisible()


def test_the_index_being_built_is_said(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app = start_app(tmp_path / "data")
    panel = app.window.search_panel
    app.window.open_search()
    panel.set_index_progress((1200, 100_000))
    assert panel.index_label.isVisible()
    assert "1,200 of 100,000" in panel.index_label.text()
    panel.set_index_progress(None)
    assert not panel.index_label.isVisible()


def test_ctrl_k_from_the_composer_opens_the_panel(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    """The composer takes Ctrl+K as "delete to the end of the line" under X11 unless the
    window claims it."""
    app, _ = _start_branched(start_app, tmp_path)
    _active(app, qtbot)
    edit = app.window.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "draft")
    edit.moveCursor(edit.textCursor().MoveOperation.Start)
    qtbot.keyClick(edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    panel = app.window.search_panel
    qtbot.waitUntil(panel.isVisible)
    assert panel.field.hasFocus()
    assert edit.toPlainText() == "draft"  # not deleted


def test_every_filter_reaches_the_query(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    app = start_app(tmp_path / "data")
    panel = app.window.search_panel
    backend = _Backend()
    panel.search = backend
    app.window.open_search("poem")
    qtbot.waitUntil(lambda: len(backend.asked) == 1)
    backend.asked[0][2]([])
    assert backend.asked[0][1] == type(backend.asked[0][1])()  # nothing set: everything
    panel.filters_button.click()
    panel.set_choices(models=["gpt-4o"], providers=[("openai", "OpenAI")])
    panel.folder_combo.setEditText("Work/Clients")
    panel.tag_combo.setEditText("poetry")
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("gpt-4o"))
    panel.provider_combo.setCurrentIndex(panel.provider_combo.findData("openai"))
    panel.role_combo.setCurrentIndex(panel.role_combo.findData("assistant"))
    panel.period_combo.setCurrentIndex(panel.period_combo.count() - 1)  # between dates
    assert panel.since_edit.isVisible() and panel.until_edit.isVisible()
    panel.since_edit.setDate(panel.since_edit.date().fromString("2026-01-05", "yyyy-MM-dd"))
    panel.until_edit.setDate(panel.until_edit.date().fromString("2026-01-31", "yyyy-MM-dd"))
    panel.archived_box.setChecked(False)
    chosen = panel.filters()
    assert (chosen.folder, chosen.tag, chosen.model, chosen.provider, chosen.role) == (
        "Work/Clients",
        "poetry",
        "gpt-4o",
        "openai",
        "assistant",
    )
    assert chosen.archived is False
    assert chosen.since is not None and chosen.until is not None
    local_since = chosen.since.astimezone()
    assert (local_since.year, local_since.month, local_since.day) == (2026, 1, 5)
    assert chosen.until - chosen.since > (
        datetime(2026, 2, 1, tzinfo=UTC) - datetime(2026, 1, 6, tzinfo=UTC)
    )
    assert panel.filters_button.text() == "Filters (7)"
    # The query asked at the first change is still in flight: its answer is stale, so the
    # newest filters are asked then.
    asked = len(backend.asked)
    backend.asked[-1][2]([])
    assert len(backend.asked) == asked + 1
    assert backend.asked[-1][1] == chosen
    # Reset: everything again.
    backend.asked[-1][2]([])
    panel.reset_filters()
    assert panel.filters() == type(chosen)()
    assert panel.filters_button.text() == "Filters"
