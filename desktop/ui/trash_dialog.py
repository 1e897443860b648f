"""File → Trash: deleted conversations, to restore or to delete for good."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.conversations import ConversationsController
from desktop.ui import formats
from desktop.ui.confirm import ask


class TrashDialog(QDialog):
    def __init__(
        self, conversations: ConversationsController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trashDialog")
        self.setWindowTitle(self.tr("Trash"))
        self.resize(560, 380)
        self._conversations = conversations
        self.list = QTreeWidget()
        self.list.setObjectName("trashList")
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(
            [self.tr("Conversation"), self.tr("Messages"), self.tr("Deleted")]
        )
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda _item, _column: self.restore_selected())
        self.empty = QLabel()
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setText(self.tr("The trash is empty."))
        self.empty.setObjectName("trashEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = QLabel(
            self.tr(
                "Deleted conversations stay here until you delete them for good. Restoring "
                "one puts it back in the list as it was."
            )
        )
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setObjectName("dialogNote")
        self.restore_button = QPushButton(self.tr("Restore"))
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button = QPushButton(self.tr("Delete for Good…"))
        self.purge_button.setObjectName("purgeButton")
        self.purge_button.clicked.connect(self.confirm_purge)
        close = QPushButton(self.tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.purge_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        self.purge_box: QMessageBox | None = None
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for item in self._conversations.trashed():
            row = QTreeWidgetItem(
                [
                    item.title or self.tr("Untitled"),
                    formats.number(item.messages),
                    formats.when(item.deleted_at),
                ]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
            row.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(row)
        has_items = self.list.topLevelItemCount() > 0
        self.list.setVisible(has_items)
        self.empty.setVisible(not has_items)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        return [str(item.data(0, Qt.ItemDataRole.UserRole)) for item in self.list.selectedItems()]

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        for conversation_id in ids:
            self._conversations.restore(conversation_id)
        if ids:
            self.refresh()

    def confirm_purge(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return

        def purge() -> None:
            for conversation_id in ids:
                self._conversations.purge(conversation_id)
            self.refresh()

        self.purge_box = ask(
            self,
            name="confirmPurge",
            title=self.tr("Delete for good"),
            text=self.tr("Delete %n conversation(s) for good?", "", len(ids)),
            informative=self.tr("This cannot be undone."),
            action=self.tr("Delete"),
            on_confirm=purge,
            icon=QMessageBox.Icon.Warning,
        )

    def _update_buttons(self) -> None:
        selected = bool(self.list.selectedItems())
        self.restore_button.setEnabled(selected)
        self.purge_button.setEnabled(selected)
