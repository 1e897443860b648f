"""The list of conversations in the real window: rows that move as replies are saved without
losing the selection, the scroll position or a rename being typed, and rows that always
match the conversations on disk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QListView

from desktop.ui.sidebar import ConversationIdRole, UpdatedRole
from tests.core.test_versions_trash import conversation_data, write
from tests.support.openai_server import Reply
from tests.ui.test_trash_and_versions import delete_from_sidebar

OLD = datetime(2025, 1, 1, tzinfo=UTC)


def write_conversations(data_dir: Path, count: int, untitled: tuple[int, ...] = ()) -> None:
    """c000 (newest) to c<count-1>, one minute apart, saved long ago."""
    for i in range(count):
        when = (OLD - timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        title = "" if i in untitled else f"Conversation {i}"
        data = conversation_data(f"c{i:03d}", title=title, updated_at=when)
        write(data_dir / "conversations", f"c{i:03d}.json", data)


def rows(app: Any) -> list[tuple[str, str]]:
    model = app.window.sidebar.view.model()
    indexes = [model.index(row) for row in range(model.rowCount())]
    return [(i.data(ConversationIdRole), i.data()) for i in indexes]


def selected(app: Any) -> list[str]:
    view = app.window.sidebar.view
    ids = [i.data(ConversationIdRole) for i in view.selectionModel().selectedIndexes()]
    current = view.currentIndex()
    assert ids == ([current.data(ConversationIdRole)] if current.isValid() else [])
    return ids


def assert_rows_match(app: Any) -> None:
    """The rows are the saved conversations, newest first; the one on screen is selected."""
    summaries = app.conversations.summaries()
    assert rows(app) == [(s.id, s.title or "New conversation") for s in summaries]
    current = app.conversations.current
    listed = current is not None and current.id in {s.id for s in summaries}
    assert selected(app) == ([current.id] if listed else [])


def click(app: Any, qtbot: Any, conversation_id: str) -> None:
    view = app.window.sidebar.view
    (row,) = [r for r, (i, _title) in enumerate(rows(app)) if i == conversation_id]
    rect = view.visualRect(view.model().index(row))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    # Read in the loading thread: on screen a moment later.
    qtbot.waitUntil(lambda: app.conversations.current.id == conversation_id)


def reply_in_background(app: Any, qtbot: Any, conversation_id: str, text: str) -> None:
    """A reply saved in a conversation other than the one on screen (as when a reply
    started earlier finishes, or several stream at once)."""
    assert app.chat.send(app.loaded(conversation_id), text)
    qtbot.waitUntil(lambda: not app.chat.is_streaming(conversation_id))


class PaintedRows(QObject):
    """(id, title) of every row the list repainted: what the user saw change."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view.viewport())
        self.view = view
        self.seen: set[tuple[str, str]] = set()
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            model = self.view.model()
            for row in range(model.rowCount()):
                index = model.index(row)
                if event.region().intersects(self.view.visualRect(index)):
                    self.seen.add((index.data(ConversationIdRole), index.data()))
        return False


def test_a_reply_elsewhere_moves_that_conversation_up_and_leaves_the_list_where_it_was(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 300, untitled=(250, 260))
    app = start_chat_app()
    view = app.window.sidebar.view
    bar = view.verticalScrollBar()
    view.scrollTo(view.model().index(140), QAbstractItemView.ScrollHint.PositionAtTop)
    click(app, qtbot, "c150")
    scrolled = bar.value()
    assert scrolled > 0
    shown_at = view.visualRect(view.currentIndex()).top()

    reply_in_background(app, qtbot, "c250", "wake up")

    assert rows(app)[0] == ("c250", "wake up")
    assert rows(app)[1:3] == [("c000", "Conversation 0"), ("c001", "Conversation 1")]
    updated = view.model().index(0).data(UpdatedRole)
    assert updated == app.conversations.summary("c250").updated_at and updated > OLD
    assert_rows_match(app)
    assert selected(app) == ["c150"]  # the conversation, not the row it had
    assert app.conversations.current.id == "c150"
    assert app.window.title_label.text() == "Conversation 150"
    assert bar.value() == scrolled
    # On screen still, lower by at most the one row that went to the top.
    assert view.visualRect(view.currentIndex()).top() - shown_at in (0, view.sizeHintForRow(0))

    # The user scrolls up to look at the newest; another reply elsewhere must not pull the
    # list back down to the selected row.
    view.scrollToTop()
    painted = PaintedRows(view)
    reply_in_background(app, qtbot, "c260", "again")
    assert bar.value() == 0
    qtbot.waitUntil(lambda: ("c260", "again") in painted.seen)
    assert view.indexAt(QPoint(5, 5)).data(ConversationIdRole) == "c260"
    assert rows(app)[:2] == [("c260", "again"), ("c250", "wake up")]
    assert selected(app) == ["c150"]
    delete_from_sidebar(app, "c250")  # nor a row deleted up there
    assert bar.value() == 0
    assert rows(app)[:2] == [("c260", "again"), ("c000", "Conversation 0")]
    assert selected(app) == ["c150"]
    assert_rows_match(app)


def test_a_rename_being_typed_survives_a_reply_moving_rows(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 4)
    app = start_chat_app()
    view = app.window.sidebar.view
    click(app, qtbot, "c000")
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.indexWidget(view.currentIndex())
    assert editor is not None and editor.text() == "Conversation 0"
    editor.selectAll()
    qtbot.keyClicks(editor, "Spring")
    assert editor.text() == "Spring"

    reply_in_background(app, qtbot, "c003", "more please")  # c003 goes above the editor

    assert [i for i, _title in rows(app)] == ["c003", "c000", "c001", "c002"]
    assert view.state() == QAbstractItemView.State.EditingState
    assert view.indexWidget(view.model().index(1)) is editor  # moved down with its row
    assert editor.text() == "Spring"
    qtbot.keyClicks(editor, " poems")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)
    titles = {f["id"]: f["title"] for f in app.conversation_files()}
    assert titles == {
        "c000": "Spring poems",
        "c001": "Conversation 1",
        "c002": "Conversation 2",
        "c003": "Conversation 3",
    }
    assert rows(app)[:2] == [("c003", "Conversation 3"), ("c000", "Spring poems")]
    assert_rows_match(app)


def test_the_rows_match_the_saved_conversations_through_every_change(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 2)
    openai_server.enqueue(Reply(text="Plenty of ideas."), Reply(text="Spring Poems"))
    app = start_chat_app(auto_title=True)
    window, sidebar = app.window, app.window.sidebar
    painted = PaintedRows(sidebar.view)
    assert_rows_match(app)

    sidebar.new_button.click()
    app.type_and_send("Ideas for a poem about spring")
    app.wait_idle()
    new = app.conversations.current.id
    # The generated title changes the row in place, and the row is painted again.
    qtbot.waitUntil(lambda: (new, "Spring Poems") in painted.seen)
    assert_rows_match(app)

    sidebar.start_rename("c000")  # the context menu's Rename
    editor = sidebar.view.indexWidget(sidebar.view.model().index(1))
    editor.selectAll()
    qtbot.keyClicks(editor, "Shopping")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: rows(app)[1] == ("c000", "Shopping"))
    assert rows(app)[1] == ("c000", "Shopping")
    assert_rows_match(app)

    delete_from_sidebar(app, "c001")
    assert [i for i, _title in rows(app)] == [new, "c000"]
    assert_rows_match(app)

    window.banner.action_button.click()  # Undo
    assert app.conversations.current.id == "c001"
    assert [i for i, _title in rows(app)] == [new, "c000", "c001"]
    assert_rows_match(app)

    delete_from_sidebar(app, new)
    delete_from_sidebar(app, "c000")
    assert rows(app) == [("c001", "Conversation 1")]
    assert_rows_match(app)

    window.trash_action.trigger()  # File → Trash
    dialog = window.trash_dialog
    items = [dialog.list.topLevelItem(i) for i in range(dialog.list.topLevelItemCount())]
    dialog.list.setCurrentItem(next(i for i in items if i.text(0) == "Spring Poems"))
    dialog.restore_button.click()
    assert app.conversations.current.id == new
    assert rows(app) == [(new, "Spring Poems"), ("c001", "Conversation 1")]
    assert_rows_match(app)

    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))  # Shopping
    dialog.purge_button.click()
    next(b for b in dialog.purge_box.buttons() if b.text() == "Delete").click()
    assert dialog.list.topLevelItemCount() == 0
    assert rows(app) == [(new, "Spring Poems"), ("c001", "Conversation 1")]
    assert_rows_match(app)


def test_a_new_conversation_deleted_while_another_is_selected_leaves_that_one_selected(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 3)
    app = start_chat_app()
    click(app, qtbot, "c001")
    app.window.sidebar.new_button.click()
    assert selected(app) == []  # a new conversation is not listed before its first message

    openai_server.enqueue(Reply(text="word " * 200, chunk_size=5, delay=0.01))
    app.type_and_send("a question")
    new = app.conversations.current.id
    assert rows(app)[0] == (new, "a question") and selected(app) == [new]
    assert app.chat.is_streaming(new)
    click(app, qtbot, "c001")  # back to the older one while the reply streams
    assert selected(app) == ["c001"]

    delete_from_sidebar(app, new)
    qtbot.waitUntil(lambda: not app.chat.is_streaming(new))

    assert [i for i, _title in rows(app)] == ["c000", "c001", "c002"]
    assert selected(app) == ["c001"]  # row 2 before the delete, row 1 now
    assert app.conversations.current.id == "c001"
    assert app.window.title_label.text() == "Conversation 1"
    assert_rows_match(app)
    assert new not in {f["id"] for f in app.conversation_files()}


LONG_TITLE = "A remarkably long conversation title about " + "many things, " * 12 + "the end"


def _row_option(view: QListView, row: int) -> Any:
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(view.model().index(row))
    return option


def _assert_row_fits(app: Any, row: int) -> None:
    view = app.window.sidebar.view
    viewport = view.viewport().rect()
    bar = view.horizontalScrollBar()
    assert bar.maximum() == 0 and not bar.isVisible(), "the list never scrolls sideways"
    index = view.model().index(row)
    option = _row_option(view, row)
    assert option.rect.left() >= 0 and option.rect.right() <= viewport.right()
    layout = view.itemDelegate().row_layout(option, index)
    assert layout.title.endswith("…") and len(layout.title) < len(LONG_TITLE)
    assert layout.date  # the date is there, whole, inside the list, right of the title
    assert viewport.contains(layout.date_rect)
    assert layout.title_rect.right() < layout.date_rect.left()
    # And it is painted: the date's rectangle holds more than the background.
    image = view.viewport().grab(layout.date_rect).toImage()
    colours = {
        image.pixelColor(x, y).rgb() for x in range(image.width()) for y in range(image.height())
    }
    assert len(colours) > 2


def test_a_long_title_is_elided_and_its_date_stays_in_view(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = conversation_data("long", title=LONG_TITLE, updated_at="2025-01-02T12:00:00Z")
    write(tmp_path / "data" / "conversations", "long.json", data)
    write_conversations(tmp_path / "data", 3)
    app = start_app()
    app.window.resize(1100, 720)
    qtbot.waitUntil(lambda: len(rows(app)) == 4)
    (row,) = [r for r, (i, _t) in enumerate(rows(app)) if i == "long"]
    qtbot.waitUntil(lambda: app.window.sidebar.view.viewport().width() > 100)
    _assert_row_fits(app, row)
    # Narrower and wider sidebars alike.
    splitter = app.window.sidebar.parentWidget()
    for width in (210, 420):
        splitter.setSizes([width, 1100 - width])
        qtbot.waitUntil(lambda w=width: abs(app.window.sidebar.width() - w) <= 2)
        _assert_row_fits(app, row)


def test_a_long_title_never_widens_the_window_or_squeezes_the_sidebar(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = conversation_data("long", title=LONG_TITLE, updated_at="2025-01-02T12:00:00Z")
    write(tmp_path / "data" / "conversations", "long.json", data)
    app = start_app()
    window = app.window
    window.resize(780, 560)
    qtbot.waitUntil(lambda: window.width() == 780)
    sidebar_width = window.sidebar.width()
    click(app, qtbot, "long")
    for _ in range(3):
        qtbot.wait(20)
    assert window.width() == 780 and window.sidebar.width() == sidebar_width
    title = window.title_label
    assert title.text() == LONG_TITLE
    assert title.shown_text().endswith("…") and len(title.shown_text()) < len(LONG_TITLE)
    assert LONG_TITLE in title.toolTip()
    # The title stops before the token total, the pickers and the settings button.
    right = title.mapTo(window, title.rect().topRight()).x()
    for neighbour in (window.provider_combo, window.model_combo, window.settings_button):
        assert right < neighbour.mapTo(window, neighbour.rect().topLeft()).x()
