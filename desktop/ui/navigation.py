"""The sidebar's navigation: All conversations, the folders (a tree, with counts), the tags and
the Archive. Choosing one filters the list (``filter_chosen``); conversations dragged from the
list onto a folder (or onto All conversations: out of any folder) are moved there
(``move_requested``). Folder names are asked for here and checked (desktop/core/folders.py);
what becomes of them is the window's to carry out through the controllers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from desktop.core import folders
from desktop.core.views import ALL, ARCHIVE, FOLDER, TAG, ListFilter, Tally
from desktop.ui import plain
from desktop.ui.access import row_menus_by_keyboard

# What the list's rows carry when dragged: their ids, one a line.
CONVERSATIONS_MIME = "application/x-confab-conversations"

FilterRole = Qt.ItemDataRole.UserRole + 10
_HEADER = "header"  # the Folders and Tags headings: not a filter themselves


def conversations_mime(ids: Sequence[str]) -> QMimeData:
    data = QMimeData()
    data.setData(CONVERSATIONS_MIME, QByteArray("\n".join(ids).encode()))
    return data


def ids_of(data: QMimeData) -> list[str]:
    if not data.hasFormat(CONVERSATIONS_MIME):
        return []
    raw = bytes(data.data(CONVERSATIONS_MIME).data()).decode("utf-8", "replace")
    return [line for line in raw.split("\n") if line]


class Navigation(QTreeWidget):
    filter_chosen = Signal(object)  # ListFilter
    # (ids, folder path; "": out of any folder)
    move_requested = Signal(list, str)
    folder_created = Signal(str)  # a new folder's path
    folder_renamed = Signal(str, str)  # old path, new path
    folder_deleted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigation")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)
        row_menus_by_keyboard(self)
        self.setAccessibleName(self.tr("Folders and tags"))
        self.currentItemChanged.connect(self._on_current_item_changed)
        self._made: list[str] = []
        self._tally = Tally()
        self._current = ListFilter()
        self._filling = False
        # Entries the user folded (every other one is unfolded, new folders too).
        self._collapsed: set[object] = set()
        self.itemCollapsed.connect(lambda item: self._note_folded(item, True))
        self.itemExpanded.connect(lambda item: self._note_folded(item, False))
        self.name_dialog: QInputDialog | None = None
        self.confirm_box: QMessageBox | None = None
        # Filled at the first set_contents (the window's attach, after the first paint): a
        # tree's second column costs ~8 ms to make, on the way to the first paint otherwise.
        self._columns = False

    def _make_columns(self) -> None:
        self._columns = True
        self.setColumnCount(2)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setMinimumSectionSize(8)
        header.resizeSection(1, 48)

    # ---- what it shows ---------------------------------------------------------------

    def set_contents(self, tally: Tally | None = None, made: Sequence[str] | None = None) -> None:
        """The counts (``tally``) and the folders the user made (settings.json)."""
        if tally is not None:
            self._tally = tally
        if made is not None:
            self._made = list(made)
        self.rebuild()

    def folder_paths(self) -> list[str]:
        """Every folder: those made and those conversations are in, with their parents."""
        return folders.all_folders([*self._made, *self._tally.folders])

    def tags(self) -> list[str]:
        return sorted(self._tally.tags, key=lambda t: (t.casefold(), t))

    def rebuild(self) -> None:
        if not self._columns:
            self._make_columns()
        self._filling = True
        scrolled = self.verticalScrollBar().value()
        try:
            self.clear()
            tally = self._tally
            self._add(None, self.tr("All conversations"), ListFilter(ALL), tally.all)
            heading = self._add(None, self.tr("Folders"), _HEADER + "folders", None)
            by_path: dict[str, QTreeWidgetItem] = {}
            for path in self.folder_paths():
                parent = folders.parent_of(path)
                item = self._add(
                    by_path.get(parent, heading) if parent else heading,
                    folders.name_of(path),
                    ListFilter(FOLDER, path),
                    tally.folders.get(path, 0),
                )
                by_path[path] = item
            if not by_path:
                hint = self._add(heading, self.tr("New Folder…"), _HEADER + "new", None)
                hint.setForeground(0, self.palette().placeholderText())
            tags = self._add(None, self.tr("Tags"), _HEADER + "tags", None)
            for tag in self.tags():
                self._add(tags, "# " + tag, ListFilter(TAG, tag), tally.tags[tag])
            if not tally.tags:
                none = self._add(tags, self.tr("No tags yet"), _HEADER + "none", None)
                none.setForeground(0, self.palette().placeholderText())
                none.setFlags(Qt.ItemFlag.NoItemFlags)
            self._add(None, self.tr("Archive"), ListFilter(ARCHIVE), tally.archived)
            for item in self._items():
                if item.childCount():
                    item.setExpanded(item.data(0, FilterRole) not in self._collapsed)
            self._select(self._current, scroll=False)
            self.verticalScrollBar().setValue(scrolled)
        finally:
            self._filling = False

    def _note_folded(self, item: QTreeWidgetItem, folded: bool) -> None:
        if self._filling:
            return
        key = item.data(0, FilterRole)
        if folded:
            self._collapsed.add(key)
        else:
            self._collapsed.discard(key)

    def _add(
        self, parent: QTreeWidgetItem | None, text: str, key: Any, count: int | None
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text, "" if count is None else _number(count)])
        item.setData(0, FilterRole, key)
        item.setToolTip(
            0, plain.tooltip(key.value) if isinstance(key, ListFilter) and key.value else ""
        )
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(1, self.palette().placeholderText())
        flags = Qt.ItemFlag.ItemIsEnabled
        if isinstance(key, ListFilter):
            flags |= Qt.ItemFlag.ItemIsSelectable
            if key.kind in (ALL, FOLDER):
                flags |= Qt.ItemFlag.ItemIsDropEnabled
        elif key == _HEADER + "new":
            flags |= Qt.ItemFlag.ItemIsSelectable
        item.setFlags(flags)
        if parent is None:
            self.addTopLevelItem(item)
            font = item.font(0)
            font.setBold(isinstance(key, str))
            item.setFont(0, font)
        else:
            parent.addChild(item)
        return item

    def _items(self) -> list[QTreeWidgetItem]:
        """Every entry, in the order shown (a few dozen)."""
        found: list[QTreeWidgetItem] = []
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            if item is None:
                continue
            found.append(item)
            stack[0:0] = [item.child(i) for i in range(item.childCount())]
        return found

    def item_of(self, list_filter: ListFilter) -> QTreeWidgetItem | None:
        for item in self._items():
            if item.data(0, FilterRole) == list_filter:
                return item
        return None

    def _select(self, list_filter: ListFilter, *, scroll: bool = True) -> None:
        item = self.item_of(list_filter)
        if item is None:  # its folder or tag is gone: back to All
            item = self.item_of(ListFilter(ALL))
            self._current = ListFilter(ALL)
            if list_filter != self._current:
                self.filter_chosen.emit(self._current)
        if item is not None:
            parent = item.parent()
            while parent is not None:
                parent.setExpanded(True)
                parent = parent.parent()
            self.setAutoScroll(scroll)
            self.setCurrentItem(item)
            self.setAutoScroll(True)

    def choose(self, list_filter: ListFilter) -> None:
        """Select ``list_filter``'s entry (and so filter the list)."""
        self._current = list_filter
        self._select(list_filter)
        self.filter_chosen.emit(list_filter)

    @property
    def current_filter(self) -> ListFilter:
        return self._current

    def _on_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        if self._filling or current is None:
            return
        key = current.data(0, FilterRole)
        if key == _HEADER + "new":
            self.ask_new_folder(None)
            return
        if isinstance(key, ListFilter) and key != self._current:
            self._current = key
            self.filter_chosen.emit(key)

    # ---- folders -------------------------------------------------------------------

    def _ask_name(self, title: str, label: str, text: str, then: Callable[[str], None]) -> None:
        """A name, asked in a small dialog that does not block; ``then`` gets it checked."""
        dialog = QInputDialog(self.window())
        dialog.setObjectName("folderNameDialog")
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        for shown in dialog.findChildren(QLabel):  # a folder's name: data, never markup
            shown.setTextFormat(Qt.TextFormat.PlainText)
        dialog.setTextValue(text)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted(value: str) -> None:
            name = folders.clean_name(value)
            if name is None:
                box = plain.message_box(
                    self.window(),
                    QMessageBox.Icon.Warning,
                    self.tr("Folder name"),
                    self.tr("A folder needs a name, without “/” in it."),
                )
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.open()
                return
            then(name)

        dialog.textValueSelected.connect(accepted)
        self.name_dialog = dialog
        dialog.open()

    def ask_new_folder(self, parent: str | None) -> None:
        def made(name: str) -> None:
            path = folders.join(parent, name)
            self.folder_created.emit(path)
            self._made = [*self._made, path]
            self.rebuild()

        self._ask_name(
            self.tr("New Folder") if parent is None else self.tr("New Sub-folder"),
            self.tr("Name:")
            if parent is None
            else self.tr("Name of the folder inside “{parent}”:").format(
                parent=folders.name_of(parent)
            ),
            "",
            made,
        )

    def ask_rename_folder(self, path: str) -> None:
        def renamed(name: str) -> None:
            new = folders.join(folders.parent_of(path), name)
            if new != path:
                self.folder_renamed.emit(path, new)
                if folders.is_within(self._current.value, path) and self._current.kind == FOLDER:
                    moved = folders.moved(self._current.value, path, new)
                    self._current = ListFilter(FOLDER, moved)
                    self.filter_chosen.emit(self._current)

        self._ask_name(self.tr("Rename Folder"), self.tr("Name:"), folders.name_of(path), renamed)

    def confirm_delete_folder(self, path: str) -> None:
        from desktop.ui.confirm import ask

        self.confirm_box = ask(
            self.window(),
            name="confirmDeleteFolder",
            title=self.tr("Delete folder"),
            text=self.tr("Delete the folder “{name}”?").format(name=folders.name_of(path)),
            informative=self.tr(
                "Its conversations, and those of its sub-folders, stay: they are then in no folder."
            ),
            action=self.tr("Delete Folder"),
            on_confirm=lambda: self.folder_deleted.emit(path),
        )

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        key = item.data(0, FilterRole) if item is not None else None
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(key, ListFilter) and key.kind == FOLDER and key.value:
            path = key.value
            menu.addAction(self.tr("New Sub-folder…"), lambda: self.ask_new_folder(path))
            menu.addAction(self.tr("Rename…"), lambda: self.ask_rename_folder(path))
            menu.addSeparator()
            menu.addAction(self.tr("Delete Folder…"), lambda: self.confirm_delete_folder(path))
        else:
            menu.addAction(self.tr("New Folder…"), lambda: self.ask_new_folder(None))
        menu.popup(self.viewport().mapToGlobal(pos))

    # ---- dropping conversations onto a folder -----------------------------------------

    def mimeTypes(self) -> list[str]:
        return [CONVERSATIONS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def _target(self, item: QTreeWidgetItem | None) -> str | None:
        """The folder a drop on ``item`` moves into ("": none), or None: not a target."""
        key = item.data(0, FilterRole) if item is not None else None
        if isinstance(key, ListFilter):
            if key.kind == ALL:
                return folders.NO_FOLDER
            if key.kind == FOLDER and key.value:
                return key.value
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(CONVERSATIONS_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        target = self._target(self.itemAt(event.position().toPoint()))
        if target is not None and event.mimeData().hasFormat(CONVERSATIONS_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        if self.dropMimeData(item, 0, event.mimeData(), event.dropAction()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropMimeData(
        self,
        parent: QTreeWidgetItem | None,
        index: int,
        data: QMimeData,
        action: Qt.DropAction,
    ) -> bool:
        target = self._target(parent)
        ids = ids_of(data)
        if target is None or not ids:
            return False
        self.move_requested.emit(ids, target)
        return True


def _number(count: int) -> str:
    from desktop.ui import formats

    return formats.number(count)
