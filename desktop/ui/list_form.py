"""A dialog of a list of items and a form for the one chosen (Providers, Tools).

What the two share: leaving an item commits its form (an invalid form keeps the item chosen,
edits and message intact), edits mark the form dirty, Save commits, and closing commits (an
invalid form keeps the dialog open). The subclass builds the widgets (``list``, ``status``,
``form_widget``, ``empty_hint``, ``remove_button``, ``save_button``) and says how an item is
found, shown, saved and removed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QPushButton, QWidget

from desktop.core.tasks import TaskSet

# The id of the item a row of the list stands for.
ItemIdRole = Qt.ItemDataRole.UserRole + 1

ItemT = TypeVar("ItemT")


class ListFormDialog(QDialog, Generic[ItemT]):
    list: QListWidget
    status: QLabel
    form_widget: QWidget
    empty_hint: QWidget
    remove_button: QPushButton
    save_button: QPushButton

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskSet()
        self._current_id: str | None = None
        self._loading = False
        self._dirty = False

    # ---- what the subclass says -------------------------------------------------------

    def commit(self) -> bool:
        """Save the form into the current item. False (and a line saying what to fix) when
        it is not valid."""
        raise NotImplementedError

    def _find_item(self, item_id: str | None) -> ItemT | None:
        raise NotImplementedError

    def _list_items(self) -> Iterable[QListWidgetItem]:
        """The rows of the list, each with its id under ItemIdRole."""
        raise NotImplementedError

    def _fill_form(self, item: ItemT) -> None:
        """Show the item in the form (edits made meanwhile do not mark it dirty)."""
        raise NotImplementedError

    def _remove_item(self, item_id: str) -> None:
        raise NotImplementedError

    def _closing(self) -> None:
        """The dialog closes, its form committed."""

    # ---- shared -----------------------------------------------------------------------

    async def shutdown(self) -> None:
        await self._tasks.cancel_all()

    def _reload_list(self, select_id: str | None) -> None:
        self._loading = True
        self.list.clear()
        for item in self._list_items():
            self.list.addItem(item)
            if item.data(ItemIdRole) == select_id:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._loading = False
        current = self.list.currentItem()
        self._show_item(current.data(ItemIdRole) if current else None)

    def _show_item(self, item_id: str | None) -> None:
        found = self._find_item(item_id)
        self._current_id = item_id if found is not None else None
        has = found is not None
        self.form_widget.setVisible(has)
        self.empty_hint.setVisible(not has)
        self.remove_button.setEnabled(has)
        self.save_button.setEnabled(has)
        self._loading = True
        if found is not None:
            self._fill_form(found)
        self.status.clear()
        self._loading = False
        self._dirty = False

    def _show_status(self, text: str, *, error: bool = False) -> None:
        """The line under the form; an error is styled as one (its ``error`` property)."""
        self.status.setText(text)
        if self.status.property("error") != error:
            self.status.setProperty("error", error)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)

    def _on_form_edited(self, _value: object = None) -> None:
        if not self._loading:
            self._dirty = True

    def _on_list_current_item_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if self._loading:
            return
        if not self.commit():
            # Stay on the item whose form is invalid, edits and message intact.
            if previous is not None:
                self._loading = True
                self.list.setCurrentItem(previous)
                self._loading = False
            return
        self._show_item(current.data(ItemIdRole) if current else None)

    def _on_remove_button_clicked(self) -> None:
        if self._current_id:
            self._dirty = False
            self._remove_item(self._current_id)
            self._reload_list(None)

    def _on_save_button_clicked(self) -> None:
        self._dirty = True
        self.commit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.commit():
            event.ignore()
            return
        self._closing()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        if self.commit():
            self._closing()
            super().done(result)
