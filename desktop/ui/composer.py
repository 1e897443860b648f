"""Where the user types: Enter sends, Shift+Enter starts a new line (or, as Preferences may
say, Ctrl+Enter sends and Enter starts a new line). Files and images come
in by the attach button, by pasting (an image from the clipboard, or copied files) and by
dropping files on the message box; they show as chips above it (desktop/ui/attachment_chips.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.preferences import SEND_CTRL_ENTER, SEND_ENTER
from desktop.ui import icons
from desktop.ui.attachment_chips import AttachmentChips

MAX_LINES = 10


def local_files(mime: QMimeData | None) -> list[Path]:
    """The local files and folders among what is pasted or dropped."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class ComposerEdit(QPlainTextEdit):
    submitted = Signal()
    # Pasted or dropped on the message box: local files (list[Path]), or an image.
    files_given = Signal(list)
    image_given = Signal(QImage)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerEdit")
        self.setTabChangesFocus(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._on_document_contents_changed)
        self.setFixedHeight(self._height_for(1))
        self.send_key = SEND_ENTER

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
            control = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
            if modifiers & Qt.KeyboardModifier.AltModifier:
                pass
            elif self.send_key == SEND_CTRL_ENTER:
                if control:
                    self.submitted.emit()
                else:
                    self.insertPlainText("\n")
                return
            elif not control:
                self.submitted.emit()
                return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        if local_files(source) or source.hasImage():
            return not self.isReadOnly()
        return super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Files (copied in a file manager, or dropped) and images (a screenshot tool's) are
        attached, not pasted as text; text is pasted as text."""
        if self.isReadOnly():
            return
        files = local_files(source)
        if files:
            self.files_given.emit(files)
            return
        if source.hasImage():
            image = source.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.image_given.emit(image)
                return
        super().insertFromMimeData(source)

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
    attach_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.edit = ComposerEdit()
        self.edit.setAccessibleName(self.tr("Message"))
        self.edit.submitted.connect(self._on_edit_submitted)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(False)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.meter = QLabel()
        self.meter.setObjectName("sendMeter")
        self.meter.setTextFormat(Qt.TextFormat.PlainText)
        self.meter.setAccessibleDescription(
            self.tr("Tokens and cost of the message as it would be sent")
        )
        self.attach_button = QToolButton()
        self.attach_button.setObjectName("attachButton")
        # The paper clip (desktop/ui/icons.py, in the theme's colours); the text is what shows
        # without one.
        self.attach_button.setText(self.tr("Attach"))
        icons.set_icon(self.attach_button, "paperclip", size=20)
        self.attach_button.setAccessibleName(self.tr("Attach files"))
        self.attach_button.setToolTip(
            self.tr("Attach images or documents (Ctrl+Shift+A; or paste, or drop them here)")
        )
        self.attach_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.attach_button.setAutoRaise(True)
        self.attach_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.attach_button.clicked.connect(self.attach_requested)
        self.chips = AttachmentChips()
        self._streaming = False
        self._read_only = False
        self._show_hint()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.edit, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 6)
        layout.setSpacing(3)
        layout.addWidget(self.chips)
        layout.addLayout(row)
        # The meter's line; the window puts the conversation's Tools button at its start.
        self.footer = QHBoxLayout()
        self.footer.setContentsMargins(0, 0, 0, 0)
        self.footer.setSpacing(8)
        self.footer.addWidget(self.meter, 1)
        layout.addLayout(self.footer)
        # Tab in the order they are seen: attach, the message, Send.
        QWidget.setTabOrder(self.attach_button, self.edit)
        QWidget.setTabOrder(self.edit, self.send_button)
        self.set_streaming(False)

    def set_read_only(self, read_only: bool) -> None:
        """A conversation this Confab must not change: nothing can be typed or sent."""
        self.edit.setReadOnly(read_only)
        self.send_button.setEnabled(not read_only)
        self.attach_button.setEnabled(not read_only)
        self._read_only = read_only
        self._show_hint()

    def set_send_key(self, send_key: str) -> None:
        """Enter or Ctrl+Enter sends (Preferences → General); the hint says which."""
        self.edit.send_key = send_key
        self._show_hint()
        self.set_streaming(self._streaming)

    def _show_hint(self) -> None:
        if self._read_only:
            hint = self.tr("Saved by a newer version of Confab: read-only")
        elif self.edit.send_key == SEND_CTRL_ENTER:
            hint = self.tr("Message Confab…  (Ctrl+Enter to send, Enter for a new line)")
        else:
            hint = self.tr("Message Confab…  (Enter to send, Shift+Enter for a new line)")
        self.edit.setPlaceholderText(hint)

    def text(self) -> str:
        return self.edit.toPlainText()

    def clear(self) -> None:
        self.edit.clear()

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self.send_button.setText(self.tr("Stop") if streaming else self.tr("Send"))
        self.send_button.setAccessibleName(
            self.tr("Stop the reply") if streaming else self.tr("Send")
        )
        self.send_button.setAccessibleDescription(
            self.tr("A reply is being written") if streaming else ""
        )
        if streaming:
            icons.set_icon(self.send_button, "square", tone="on_accent", size=14, filled=True)
        else:
            icons.set_icon(self.send_button, "arrow-up", tone="on_accent", size=16)
        self.send_button.setToolTip(
            self.tr("Stop the reply (Esc)")
            if streaming
            else self.tr("Send (Ctrl+Enter)")
            if self.edit.send_key == SEND_CTRL_ENTER
            else self.tr("Send (Enter)")
        )
        self.send_button.setProperty("streaming", streaming)
        self.send_button.style().unpolish(self.send_button)
        self.send_button.style().polish(self.send_button)

    def has_content(self) -> bool:
        """Something to send: text, or an attachment (a refused file's chip is not one)."""
        return bool(self.text().strip()) or any(not i.error for i in self.chips.items)

    def _on_edit_submitted(self) -> None:
        if not self._streaming and not self.edit.isReadOnly() and self.has_content():
            self.send_requested.emit(self.text())

    def _on_send_button_clicked(self) -> None:
        if self._streaming:
            self.stop_requested.emit()
        elif self.has_content():
            self.send_requested.emit(self.text())
        self.edit.setFocus()
