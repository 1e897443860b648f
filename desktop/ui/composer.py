"""Where the user types: Enter sends, Shift+Enter starts a new line."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MAX_LINES = 10


class ComposerEdit(QPlainTextEdit):
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerEdit")
        self.setTabChangesFocus(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._on_document_contents_changed)
        self.setFixedHeight(self._height_for(1))

    def showEvent(self, event: QShowEvent) -> None:
        # The style sheet's padding is known only once polished: size for it now.
        super().showEvent(event)
        self.setFixedHeight(self.sizeHint().height())

    def _on_document_contents_changed(self) -> None:
        self.setFixedHeight(self.sizeHint().height())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            modifiers = event.modifiers()
            if modifiers & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                return
            if not modifiers & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            ):
                self.submitted.emit()
                return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(
            super().sizeHint().width(), self._height_for(round(self.document().size().height()))
        )

    def minimumSizeHint(self) -> QSize:
        return QSize(100, self._height_for(1))

    def _height_for(self, lines: int) -> int:
        lines = max(1, min(MAX_LINES, lines))
        margins = self.contentsMargins()
        return (
            self.fontMetrics().lineSpacing() * lines
            + 2 * int(self.document().documentMargin())
            + margins.top()
            + margins.bottom()
            + 2
        )


class Composer(QFrame):
    send_requested = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.edit = ComposerEdit()
        self.edit.setPlaceholderText(
            self.tr("Message Confab…  (Enter to send, Shift+Enter for a new line)")
        )
        self.edit.submitted.connect(self._on_edit_submitted)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(False)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.meter = QLabel()
        self.meter.setObjectName("sendMeter")
        self.meter.setTextFormat(Qt.TextFormat.PlainText)
        self._streaming = False
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 6)
        layout.setSpacing(3)
        layout.addLayout(row)
        # The meter's line; the window puts the conversation's Tools button at its start.
        self.footer = QHBoxLayout()
        self.footer.setContentsMargins(0, 0, 0, 0)
        self.footer.setSpacing(8)
        self.footer.addWidget(self.meter, 1)
        layout.addLayout(self.footer)
        self.set_streaming(False)

    def set_read_only(self, read_only: bool) -> None:
        """A conversation this Confab must not change: nothing can be typed or sent."""
        self.edit.setReadOnly(read_only)
        self.send_button.setEnabled(not read_only)
        self.edit.setPlaceholderText(
            self.tr("Saved by a newer version of Confab: read-only")
            if read_only
            else self.tr("Message Confab…  (Enter to send, Shift+Enter for a new line)")
        )

    def text(self) -> str:
        return self.edit.toPlainText()

    def clear(self) -> None:
        self.edit.clear()

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self.send_button.setText(self.tr("Stop") if streaming else self.tr("Send"))
        self.send_button.setToolTip(
            self.tr("Stop the reply (Esc)") if streaming else self.tr("Send (Enter)")
        )
        self.send_button.setProperty("streaming", streaming)
        self.send_button.style().unpolish(self.send_button)
        self.send_button.style().polish(self.send_button)

    def _on_edit_submitted(self) -> None:
        if not self._streaming and not self.edit.isReadOnly() and self.text().strip():
            self.send_requested.emit(self.text())

    def _on_send_button_clicked(self) -> None:
        if self._streaming:
            self.stop_requested.emit()
        elif self.text().strip():
            self.send_requested.emit(self.text())
        self.edit.setFocus()
