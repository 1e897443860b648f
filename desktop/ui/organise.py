"""The list's context menu for one or many conversations (Pin, Move to Folder, Tags…, Archive,
Export…, Delete) and the small Tags dialog. Both only say what the user asked for: the sidebar
emits it, the window has the controller carry it out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import folders
from desktop.core.folders import Change


class TagsDialog(QDialog):
    """Tags of the selected conversations: each tag checked (all have it), unchecked (none)
    or partly (some); new ones typed in. ``on_done`` gets the tags to add and to remove."""

    def __init__(
        self,
        parent: QWidget | None,
        known: Sequence[str],
        tags_of_each: Sequence[Sequence[str]],
        on_done: Callable[[tuple[str, ...], tuple[str, ...]], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tagsDialog")
        self.setWindowTitle(self.tr("Tags"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._on_done = on_done
        count = len(tags_of_each)
        intro = QLabel(
            self.tr("Tags of the selected conversation")
            if count == 1
            else self.tr("Tags of the {count} selected conversations").format(count=count)
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.setObjectName("tagsList")
        self._before: dict[str, Qt.CheckState] = {}
        every = sorted({*known, *(t for tags in tags_of_each for t in tags)}, key=str.casefold)
        for tag in every:
            having = sum(1 for tags in tags_of_each if tag in tags)
            state = (
                Qt.CheckState.Checked
                if having == count and count
                else Qt.CheckState.PartiallyChecked
                if having
                else Qt.CheckState.Unchecked
            )
            self._add(tag, state)
        self.new_tag = QLineEdit()
        self.new_tag.setObjectName("newTag")
        self.new_tag.setPlaceholderText(self.tr("New tag"))
        self.new_tag.returnPressed.connect(self._on_add_clicked)
        add = QPushButton(self.tr("Add"))
        add.setObjectName("addTag")
        add.clicked.connect(self._on_add_clicked)
        row = QHBoxLayout()
        row.addWidget(self.new_tag, 1)
        row.addWidget(add)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(320, 360)

    def _add(self, tag: str, state: Qt.CheckState) -> QListWidgetItem:
        item = QListWidgetItem(tag)
        flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
        if state == Qt.CheckState.PartiallyChecked:
            flags |= Qt.ItemFlag.ItemIsAutoTristate
        item.setFlags(flags)
        item.setCheckState(state)
        self.list.addItem(item)
        self._before[tag] = state
        return item

    def _on_add_clicked(self) -> None:
        tag = folders.clean_tag(self.new_tag.text())
        self.new_tag.clear()
        if tag is None:
            return
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.text() == tag:
                item.setCheckState(Qt.CheckState.Checked)
                return
        self._before[tag] = Qt.CheckState.Unchecked
        item = self._add(tag, Qt.CheckState.Unchecked)
        self._before[tag] = Qt.CheckState.Unchecked
        item.setCheckState(Qt.CheckState.Checked)

    def accept(self) -> None:
        if self.new_tag.text().strip():
            self._on_add_clicked()
        added: list[str] = []
        removed: list[str] = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            state = item.checkState()
            if state == self._before.get(item.text()):
                continue
            if state == Qt.CheckState.Checked:
                added.append(item.text())
            elif state == Qt.CheckState.Unchecked:
                removed.append(item.text())
        super().accept()
        if added or removed:
            self._on_done(tuple(added), tuple(removed))


def organise_menu(
    parent: QWidget,
    *,
    count: int,
    all_pinned: bool,
    all_archived: bool,
    folder_paths: Sequence[str],
    change: Callable[[Change], None],
    new_folder: Callable[[], None],
    tags: Callable[[], None],
    export: Callable[[], None],
    delete: Callable[[], None],
    rename: Callable[[], None] | None,
) -> QMenu:
    """The context menu of ``count`` selected conversations."""
    menu = QMenu(parent)
    menu.setObjectName("conversationMenu")
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    if rename is not None:
        menu.addAction(QCoreApplication.translate("OrganiseMenu", "Rename"), rename)
    _toggle(
        menu,
        "pinAction",
        QCoreApplication.translate("OrganiseMenu", "Unpin")
        if all_pinned
        else QCoreApplication.translate("OrganiseMenu", "Pin"),
        lambda: change(Change(pinned=not all_pinned)),
    )
    move = menu.addMenu(QCoreApplication.translate("OrganiseMenu", "Move to Folder"))
    move.setObjectName("moveMenu")
    for path in folder_paths:
        depth = path.count(folders.SEPARATOR)
        action = move.addAction("    " * depth + folders.name_of(path))
        action.setData(path)
        action.triggered.connect(lambda _=False, p=path: change(Change(folder=p)))
    if folder_paths:
        move.addSeparator()
    move.addAction(QCoreApplication.translate("OrganiseMenu", "New Folder…"), new_folder)
    move.addAction(
        QCoreApplication.translate("OrganiseMenu", "No Folder"),
        lambda: change(Change(folder=folders.NO_FOLDER)),
    )
    menu.addAction(QCoreApplication.translate("OrganiseMenu", "Tags…"), tags)
    _toggle(
        menu,
        "archiveAction",
        QCoreApplication.translate("OrganiseMenu", "Unarchive")
        if all_archived
        else QCoreApplication.translate("OrganiseMenu", "Archive"),
        lambda: change(Change(archived=not all_archived)),
    )
    menu.addSeparator()
    menu.addAction(QCoreApplication.translate("OrganiseMenu", "Export…"), export)
    menu.addSeparator()
    menu.addAction(
        QCoreApplication.translate("OrganiseMenu", "Delete…")
        if count == 1
        else QCoreApplication.translate("OrganiseMenu", "Delete {count}…").format(count=count),
        delete,
    )
    return menu


def _toggle(menu: QMenu, name: str, text: str, then: Callable[[], None]) -> None:
    """An entry that sets a flag on, or (every selected one has it) off."""
    action = menu.addAction(text)
    action.setObjectName(name)
    action.triggered.connect(then)
