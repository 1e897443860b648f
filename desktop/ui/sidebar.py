"""The list of conversations, newest first, with rename and delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.views import ALL, ARCHIVE, TAG, ListFilter
from desktop.ui import icons, plain
from desktop.ui.access import row_menus_by_keyboard
from desktop.ui.confirm import ask
from desktop.ui.navigation import Navigation

if TYPE_CHECKING:
    from desktop.core.index import ListRow

ConversationIdRole = Qt.ItemDataRole.UserRole + 1
UpdatedRole = Qt.ItemDataRole.UserRole + 2
PinnedRole = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


class ConversationListModel(QStringListModel):
    """The conversations, newest first: a list of ``ListRow`` tuples (desktop/core/index.py),
    100,000 of them if need be.

    A QStringListModel (holding as many empty strings as there are rows) rather than a
    QAbstractListModel: after any change, even to one title, the list view lays out every row
    again and asks rowCount() twice per row. Answered in C++ that takes about 1 ms for 10,000
    conversations; answered in Python it took 13 ms, each time a streaming reply was saved.
    Only data() is Python, and the view asks it for the rows on screen alone. A change to a
    few rows (a title, a conversation moving to the top, one added or removed) changes those
    rows only; only a change all over the list (or of more than ``IN_PLACE_ROWS`` rows) is
    redone whole. No step here loops in Python over the whole list: the lists are compared in
    C, a slice at a time, so that a cold start's merges of 100,000 rows cost the UI thread a
    few milliseconds (the view's layout of the rows, in C++, most of it).
    """

    rename_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[ListRow] = []
        self._rows: dict[str, int] | None = None  # id -> row, built when first asked

    def set_items(self, items: list[ListRow]) -> None:
        """Show ``items``. Where only titles or dates changed, one conversation moved up (to
        the top, as when a reply to it is saved), or rows were added or removed in one place,
        the rows change in place, so that the selection, the scroll position and an open
        editor survive."""
        old = self._items
        if items is old or items == old:
            return
        items = list(items)
        # The changed stretch: rows old[first:old_end] became items[first:new_end].
        first = _common_prefix(old, items)
        tail = _common_suffix(old, items, first)
        old_end, new_end = len(old) - tail, len(items) - tail
        if old_end - first > IN_PLACE_ROWS or new_end - first > IN_PLACE_ROWS:
            pass  # a change all over the list: redone whole, below
        elif old_end - first == new_end - first:
            last = old_end - 1
            if all(old[row].id == items[row].id for row in range(first, old_end)):
                self._items = items
                self.dataChanged.emit(self.index(first), self.index(last))
                return
            if _moved_up(old, items, first, last):
                self._items = items
                self._rows = None
                # Qt's destination is the row it goes before, counted before the move.
                if self.moveRows(QModelIndex(), last, 1, QModelIndex(), first):
                    self.dataChanged.emit(self.index(first), self.index(last))
                    return
        elif old_end == first and (new_end - first <= IN_PLACE_INSERT or first == 0):
            # Rows added at one place (QStringListModel inserts rows below the top one at a
            # time, each moving the rows under it: 4,096 in the middle of 100,000 took 115 ms).
            self._rows = None
            self._items = items
            self.insertRows(first, new_end - first)
            return
        elif new_end == first:  # rows removed from one place
            self._items = items
            self._rows = None
            QStringListModel.removeRows(self, first, old_end - first)
            return
        self._items = items
        self._rows = None
        # All rows out and the new ones in, at the top: in C++ (a setStringList of 100,000
        # empty strings converted each from Python, 7 ms; QStringListModel inserts rows
        # below the top one at a time, 250 ms for 25,000).
        QStringListModel.removeRows(self, 0, self.rowCount())
        self.insertRows(0, len(items))

    def removeRows(self, row: int, count: int, parent: Any = None) -> bool:
        """Refused: rows leave when the list does (``set_items``). Dropped on a folder, a drag
        of rows ends as a move, and the view would take them out of the model itself; the
        change of folder is the controller's, and All still lists them."""
        return False

    def row_of(self, conversation_id: str) -> int:
        if self._rows is None:
            self._rows = {item.id: row for row, item in enumerate(self._items)}
        return self._rows.get(conversation_id, -1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return item.title or self.tr("New conversation")
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain.tooltip(item.title)
        if role == ConversationIdRole:
            return item.id
        if role == UpdatedRole:
            return item.updated_at
        if role == PinnedRole:
            return bool(item.pinned)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = QAbstractListModel.flags(self, index)  # not QStringListModel's drag and drop
        if not index.isValid():
            return base
        return base | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled

    # Dragged onto a folder of the navigation (desktop/ui/navigation.py): the rows' ids.
    def mimeTypes(self) -> list[str]:
        from desktop.ui.navigation import CONVERSATIONS_MIME

        return [CONVERSATIONS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        from desktop.ui.navigation import conversations_mime

        rows = sorted({i.row() for i in indexes if i.isValid() and i.row() < len(self._items)})
        return conversations_mime([self._items[row].id for row in rows])

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def row_at(self, row: int) -> ListRow | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        title = " ".join(str(value).split())
        if not title:
            return False
        self.rename_requested.emit(self._items[index.row()].id, title)
        return True


# A change to more rows than this is shown by redoing the list, not row by row, and so are
# more rows than IN_PLACE_INSERT added below the top.
IN_PLACE_ROWS = 4096
IN_PLACE_INSERT = 64
# The lists are compared this many rows at a time (in C), then row by row in the slice that
# differs.
_SLICE = 512


def _common_prefix(old: list[ListRow], new: list[ListRow]) -> int:
    """How many rows at the top are the same."""
    count = min(len(old), len(new))
    row = 0
    while row + _SLICE <= count and old[row : row + _SLICE] == new[row : row + _SLICE]:
        row += _SLICE
    while row < count and (old[row] is new[row] or old[row] == new[row]):
        row += 1
    return row


def _common_suffix(old: list[ListRow], new: list[ListRow], floor: int) -> int:
    """How many rows at the bottom are the same (above ``floor`` in both)."""
    count = min(len(old), len(new)) - floor
    old_len, new_len = len(old), len(new)
    tail = 0
    while (
        tail + _SLICE <= count
        and old[old_len - tail - _SLICE : old_len - tail]
        == new[new_len - tail - _SLICE : new_len - tail]
    ):
        tail += _SLICE
    while tail < count and (old[-1 - tail] is new[-1 - tail] or old[-1 - tail] == new[-1 - tail]):
        tail += 1
    return tail


def _moved_up(old: list[ListRow], new: list[ListRow], first: int, last: int) -> bool:
    """True if ``new`` has the ids of ``old`` with row ``last`` moved up to ``first``."""
    return new[first].id == old[last].id and all(
        new[row + 1].id == old[row].id for row in range(first, last)
    )


class RowLayout:
    """Where a row's title and date go (a plain class: dataclasses cost ~3 ms to import on the
    way to the first paint)."""

    __slots__ = ("date", "date_font", "date_rect", "title", "title_rect")

    def __init__(
        self, title: str, title_rect: QRect, date: str, date_rect: QRect, date_font: QFont
    ) -> None:
        self.title, self.title_rect = title, title_rect
        self.date, self.date_rect, self.date_font = date, date_rect, date_font


class ConversationDelegate(QStyledItemDelegate):
    """Title on the left, date on the right, one compact row."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QWidget().style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        row = self.row_layout(opt, index)
        # The style sheet gives selection a light tint, so the normal text colour reads best.
        text_color = opt.palette.text().color()
        painter.save()
        if index.data(PinnedRole):
            # Pinned: a small mark in the margin, in the accent colour.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(opt.palette.highlight().color())
            middle = opt.rect.center().y()
            painter.drawEllipse(QRect(opt.rect.left() + 3, middle - 2, 5, 5))
        dim = QColor(text_color)
        dim.setAlpha(150)
        painter.setPen(dim)
        painter.setFont(row.date_font)
        painter.drawText(
            row.date_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, row.date
        )
        painter.setFont(opt.font)
        painter.setPen(text_color)
        painter.drawText(
            row.title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, row.title
        )
        view = opt.widget
        if opt.state & QStyle.StateFlag.State_HasFocus and view is not None and view.hasFocus():
            # The keyboard's row (the style sheet removes Qt's dotted focus rectangle).
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(opt.palette.highlight().color(), 2))
            painter.drawRoundedRect(QRectF(opt.rect).adjusted(1, 1, -1, -1), 5, 5)
        painter.restore()

    def row_layout(self, option: QStyleOptionViewItem, index: _Index) -> RowLayout:
        """Where the title and the date go in a row: the date always whole at the right, the
        title in what is left, elided with "…"."""
        rect: QRect = option.rect.adjusted(10, 0, -10, 0)
        when = index.data(UpdatedRole)
        from desktop.ui import formats  # rows are painted after the first paint

        date = formats.when(when) if isinstance(when, datetime) else ""
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.85))
        date_width = QFontMetrics(small).horizontalAdvance(date)
        date_rect = QRect(rect.right() - date_width + 1, rect.top(), date_width, rect.height())
        title_rect = QRect(
            rect.left(), rect.top(), max(0, rect.width() - date_width - 8), rect.height()
        )
        title = QFontMetrics(option.font).elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)),
            Qt.TextElideMode.ElideRight,
            title_rect.width(),
        )
        return RowLayout(title, title_rect, date, date_rect, small)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        # Rows change under an open editor (a reply saved each second): keep what was typed.
        if isinstance(editor, QLineEdit) and editor.isModified():
            return
        super().setEditorData(editor, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        # No width of its own: a row is as wide as the list, and paint() elides the title to
        # fit beside the date. The title's full width here made the list scroll sideways,
        # cut the title without "…" and pushed the date out of sight.
        size = super().sizeHint(option, index)
        return QSize(0, max(34, size.height() + 14))


class SearchField(QPushButton):
    """The search field at the top of the sidebar: it looks like a field, and a click, Enter
    or a key typed there opens the search panel, which takes the text over
    (desktop/ui/search_panel.py). A button, not a QLineEdit: the first line edit a process
    makes costs ~9 ms, and this one is on the way to the first paint (the panel's own field,
    made when it first opens, takes input methods)."""

    search_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebarSearch")
        self.setText(self.tr("Search (Ctrl+K)"))
        self.setToolTip(self.tr("Search every message of every conversation (Ctrl+K)"))
        icons.set_icon(self, "search", size=14)
        self.setCursor(Qt.CursorShape.IBeamCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self) -> None:
        self.search_requested.emit("")

    def keyPressEvent(self, event: Any) -> None:
        text = event.text()
        if text and text.isprintable() and not text.isspace():
            self.search_requested.emit(text)
            return
        super().keyPressEvent(event)


class Sidebar(QWidget):
    new_requested = Signal()
    search_requested = Signal(str)  # the search panel, with this text ("": as it was)
    open_requested = Signal(str)
    # Enter on a row (it is open already): the keyboard goes on to the message box.
    row_entered = Signal(str)
    rename_requested = Signal(str, str)
    delete_requested = Signal(str)
    # Organising (desktop/ui/organise.py, desktop/ui/navigation.py): a change to the selected
    # conversations (ids, a folders.Change), several deleted at once, an export asked for.
    change_requested = Signal(list, object)
    delete_many_requested = Signal(list)
    export_requested = Signal(list)
    filter_chosen = Signal(object)  # views.ListFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.new_button = QPushButton(self.tr("New conversation"))
        self.new_button.setObjectName("newConversation")
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        icons.set_icon(self.new_button, "square-pen", tone="text")
        self.new_button.clicked.connect(self.new_requested)
        self.model = ConversationListModel(self)
        self.model.rename_requested.connect(self.rename_requested)
        self.view = QListView()
        self.view.setObjectName("conversationList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(ConversationDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu)
        row_menus_by_keyboard(self.view)
        self.view.activated.connect(self._on_view_activated)
        self.view.setAccessibleName(self.tr("Conversations"))
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.setFrameShape(QListView.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.empty_label = QLabel()
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setText(self.tr("No conversations yet."))
        # At the top, where the list would be, not at the bottom under an empty list.
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty_label.setContentsMargins(0, 16, 0, 0)
        self.empty_label.setObjectName("sidebarEmpty")
        # "Indexing 12,345 of 100,000 conversations…" while the index is being built.
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setObjectName("sidebarStatus")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self._text_progress: tuple[int, int] | None = None  # set_text_indexing's

        delete_action = QAction(self.tr("Delete"), self.view)
        delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(self._on_delete_action_triggered)
        self.view.addAction(delete_action)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        self.search_field = SearchField()
        self.search_field.search_requested.connect(self.search_requested)
        layout.addWidget(self.search_field)
        layout.addWidget(self.new_button)
        self.navigation = Navigation()
        self.navigation.filter_chosen.connect(self._on_navigation_filter_chosen)
        self.navigation.move_requested.connect(self._on_navigation_move_requested)
        listing = QWidget()
        listing.setObjectName("listingPane")
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.setSpacing(4)
        self.list_heading = QLabel()
        self.list_heading.setTextFormat(Qt.TextFormat.PlainText)
        self.list_heading.setObjectName("listHeading")
        listing_layout.addWidget(self.list_heading)
        listing_layout.addWidget(self.view, 1)
        listing_layout.addWidget(self.empty_label)
        listing_layout.addStretch(0)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("sidebarSplit")
        self.split.setChildrenCollapsible(False)
        self.split.setHandleWidth(7)
        self.split.addWidget(self.navigation)
        self.split.addWidget(listing)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([200, 400])
        layout.addWidget(self.split, 1)
        layout.addWidget(self.status_label)
        self._selecting = False
        self.confirm_box: QMessageBox | None = None
        self.tags_dialog: QDialog | None = None
        self._show_heading(self.navigation.current_filter)

    def set_conversations(self, items: list[ListRow], current: str | None) -> None:
        # Scroll only to a newly selected conversation: a save elsewhere (each second while a
        # reply streams) must not pull the list away from where the user scrolled it.
        scroll = current != self._current_id()
        self._selecting = True
        try:
            self.model.set_items(items)
            self.select(current, scroll=scroll)
        finally:
            self._selecting = False
        self.empty_label.setText(
            self.tr("No conversations yet.")
            if self.navigation.current_filter.kind == ALL
            else self.tr("Nothing here yet.")
        )
        self.empty_label.setVisible(not items)
        self.view.setVisible(bool(items))

    def set_indexing(self, progress: tuple[int, int] | None) -> None:
        """Say how far the index is built (None: it is not being built)."""
        self._show_progress(self.tr("Indexing {done} of {total} conversations…"), progress)

    def set_text_indexing(self, progress: tuple[int, int] | None) -> None:
        """Say how far the messages are read for search (None: done), unless the files
        themselves are being indexed (set_indexing's line comes first)."""
        if not self.status_label.isHidden() and self._text_progress is None:
            return
        self._text_progress = progress
        self._show_progress(
            self.tr("Indexing messages for search: {done} of {total} conversations…"), progress
        )

    def _show_progress(self, text: str, progress: tuple[int, int] | None) -> None:
        """The status line: ``text`` with {done} and {total} (None: hidden)."""
        if progress is None:
            self.status_label.hide()
            return
        from desktop.ui import formats  # not on the way to the first paint

        done, total = progress
        self.status_label.setText(
            text.format(done=formats.number(done), total=formats.number(total))
        )
        self.status_label.show()

    def select(self, conversation_id: str | None, *, scroll: bool = True) -> None:
        row = self.model.row_of(conversation_id) if conversation_id else -1
        self._selecting = True
        try:
            if row < 0:
                self.view.clearSelection()
                self.view.setCurrentIndex(QModelIndex())
            else:
                index = self.model.index(row)
                if self.view.currentIndex() != index:
                    # (Already current: the user's click or Shift/Ctrl+click chose it, and the
                    # selection they made stays. setCurrentIndex would select by the keys
                    # held now, after the conversation has opened: it alone.)
                    self.view.setAutoScroll(scroll)  # setCurrentIndex scrolls too
                    self.view.setCurrentIndex(index)
                    self.view.setAutoScroll(True)
                if scroll:
                    self.view.scrollTo(index)
        finally:
            self._selecting = False

    def start_rename(self, conversation_id: str) -> None:
        row = self.model.row_of(conversation_id)
        if row >= 0:
            self.view.edit(self.model.index(row))

    def confirm_delete(self, conversation_id: str) -> None:
        row = self.model.row_of(conversation_id)
        if row < 0:
            return
        title = str(self.model.index(row).data())
        self.confirm_box = ask(
            self.window(),
            name="confirmDelete",
            title=self.tr("Delete conversation"),
            text=self.tr("Delete “{title}”?").format(title=title),
            informative=self.tr("It goes to the trash: File → Trash brings it back."),
            action=self.tr("Delete"),
            on_confirm=lambda: self.delete_requested.emit(conversation_id),
        )

    def _current_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(ConversationIdRole) if index.isValid() else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._selecting and current.isValid():
            self.open_requested.emit(current.data(ConversationIdRole))

    def _on_delete_action_triggered(self) -> None:
        chosen = self.selected_ids()
        if len(chosen) > 1:
            self.confirm_delete_many(chosen)
            return
        conversation_id = self._current_id()
        if conversation_id:
            self.confirm_delete(conversation_id)

    def _on_view_activated(self, index: QModelIndex) -> None:
        conversation_id = index.data(ConversationIdRole)
        if conversation_id:
            self.row_entered.emit(conversation_id)

    def _on_view_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)  # (selects it alone, and opens it)
        # By id, not by row: rows move while the menu is open (another reply finishing).
        chosen = self.selected_ids() or [index.data(ConversationIdRole)]
        menu = self.organise_menu(chosen)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # ---- organising: selection, context menu, folders, tags ---------------------------

    def selected_ids(self) -> list[str]:
        """The selected conversations, in the list's order."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        found = [self.model.row_at(row) for row in rows]
        return [row.id for row in found if row is not None]

    def _rows_of(self, ids: Sequence[str]) -> list[ListRow]:
        found = [self.model.row_at(self.model.row_of(i)) for i in ids]
        return [row for row in found if row is not None]

    def organise_menu(self, chosen: list[str]) -> QMenu:
        rows = self._rows_of(chosen)
        single = chosen[0] if len(chosen) == 1 else None
        from desktop.ui.organise import organise_menu  # not on the way to the first paint

        return organise_menu(
            self,
            count=len(chosen),
            all_pinned=bool(rows) and all(row.pinned for row in rows),
            all_archived=bool(rows) and all(row.archived for row in rows),
            folder_paths=self.navigation.folder_paths(),
            change=lambda change: self.change_requested.emit(list(chosen), change),
            new_folder=lambda: self._move_to_new_folder(chosen),
            tags=lambda: self.edit_tags(chosen),
            export=lambda: self.export_requested.emit(list(chosen)),
            delete=lambda: self._delete_chosen(chosen),
            rename=(lambda: self.start_rename(single)) if single is not None else None,
        )

    def _delete_chosen(self, chosen: list[str]) -> None:
        if len(chosen) == 1:
            self.confirm_delete(chosen[0])
        else:
            self.confirm_delete_many(chosen)

    def confirm_delete_many(self, chosen: list[str]) -> None:
        self.confirm_box = ask(
            self.window(),
            name="confirmDelete",
            title=self.tr("Delete conversations"),
            text=self.tr("Delete {count} conversations?").format(count=len(chosen)),
            informative=self.tr("They go to the trash: File → Trash brings them back."),
            action=self.tr("Delete"),
            on_confirm=lambda: self.delete_many_requested.emit(list(chosen)),
        )

    def _move_to_new_folder(self, chosen: list[str]) -> None:
        from desktop.core.folders import Change

        def created(path: str) -> None:
            self.navigation.folder_created.disconnect(created)
            self.change_requested.emit(list(chosen), Change(folder=path))

        self.navigation.folder_created.connect(created)
        self.navigation.ask_new_folder(None)
        dialog = self.navigation.name_dialog
        if dialog is not None:
            dialog.rejected.connect(lambda: self.navigation.folder_created.disconnect(created))

    def edit_tags(self, chosen: list[str]) -> None:
        from desktop.core.folders import Change

        rows = self._rows_of(chosen)
        from desktop.ui.organise import TagsDialog

        dialog = TagsDialog(
            self.window(),
            self.navigation.tags(),
            [row.tags for row in rows],
            lambda added, removed: self.change_requested.emit(
                list(chosen), Change(add_tags=added, remove_tags=removed)
            ),
        )
        self.tags_dialog = dialog
        dialog.open()

    def _on_navigation_move_requested(self, ids: list[str], folder: str) -> None:
        from desktop.core.folders import Change

        self.change_requested.emit(ids, Change(folder=folder))

    def _on_navigation_filter_chosen(self, list_filter: ListFilter) -> None:
        self._show_heading(list_filter)
        self.filter_chosen.emit(list_filter)

    def _show_heading(self, list_filter: ListFilter) -> None:
        from desktop.core import folders

        # A heading over the list when it shows less than all conversations.
        self.list_heading.setVisible(list_filter.kind != ALL)
        if list_filter.kind == ALL:
            text = self.tr("All conversations")
        elif list_filter.kind == ARCHIVE:
            text = self.tr("Archive")
        elif list_filter.kind == TAG:
            text = "# " + (list_filter.value or "")
        else:
            text = (list_filter.value or "").replace(folders.SEPARATOR, " › ")
        self.list_heading.setText(text)
