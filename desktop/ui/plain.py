"""Data shown as text, never as markup.

A title, a model name or a server's message is untrusted: Qt renders any string that looks
like HTML as rich text, in labels, tooltips and message boxes alike, and its rich-text engine
loads the files and images such markup names (``<img src="/dev/zero">`` never returns). Labels
that show data use PlainText; tooltips cannot be told to, so their text goes in escaped.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QMessageBox, QSizePolicy, QWidget


def tooltip(text: str) -> str:
    """``text`` as a tooltip shows it, character for character (line breaks kept)."""
    if not text:
        return ""
    # html.escape's work, without importing html (and its entity table) before the first paint.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "<p style='white-space:pre-wrap'>" + escaped + "</p>"


def label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows ``text`` literally."""
    widget = QLabel(parent)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setText(text)
    return widget


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" when it does not fit, the whole of it in the
    tooltip. It never asks for the width of its text: a long title must not widen the window
    or squeeze what is beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        text = " ".join(text.split())  # one line
        super().setText(text)
        self.setToolTip(tooltip(text))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(0, super().sizeHint().height())

    def shown_text(self) -> str:
        """The text as painted: elided to the label's width."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )


def message_box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str
) -> QMessageBox:
    """A modal message whose text (a path, a server's words) is shown literally."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box
