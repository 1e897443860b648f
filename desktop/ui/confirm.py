"""The one way Confab asks before doing something that cannot simply be taken back."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def ask(
    parent: QWidget | None,
    *,
    name: str,
    title: str,
    text: str,
    informative: str,
    action: str,
    on_confirm: Callable[[], object],
    cancel: str | None = None,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    on_cancel: Callable[[], None] | None = None,
) -> QMessageBox:
    """A window-modal question with one destructive ``action`` and a way out (``cancel``, or
    the standard Cancel), which is the default: Enter never destroys anything. Calls
    ``on_confirm`` only when the action is chosen (``on_cancel``, if given, otherwise: the
    way out, Esc, the box closed); the box deletes itself once answered."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(icon)
    box.setWindowTitle(title)
    # The text names data (a generated title): plain, never markup (desktop/ui/plain.py).
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setInformativeText(informative)
    for label in box.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
    confirm = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    if cancel is None:
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    else:
        box.setDefaultButton(box.addButton(cancel, QMessageBox.ButtonRole.RejectRole))

    def on_finished() -> None:
        if box.clickedButton() is confirm:
            on_confirm()
        elif on_cancel is not None:
            on_cancel()
        box.deleteLater()

    box.finished.connect(on_finished)
    box.open()
    return box
