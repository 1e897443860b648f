"""The attachments of the message being written, as chips above the message box: a thumbnail
(images) or a document mark, the name, the size and the token estimate, a remove button (or
Delete when the chip has the focus), an Exclude toggle for a big document; a chip that is still
being added says so, and a refused file's chip says why."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QImage, QKeyEvent, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import formats, plain
from desktop.ui.flow_layout import FlowLayout

if TYPE_CHECKING:
    from desktop.core.models import Attachment

# The thumbnail's box on a chip, in device-independent pixels.
CHIP_THUMB = 40
NAME_WIDTH = 170
# A document costing more than this many tokens is "big": its chip warns, and offers Exclude.
BIG_TOKENS = 8_000
# ...or more than this share of the model's context window.
BIG_SHARE = 0.25


@dataclass(eq=False)
class DraftItem:
    """One attachment of the message being written. ``ticket``: its add, under way or done;
    ``attachment`` once added, ``error`` (in words) when refused; ``excluded``: kept with
    the message, not sent."""

    ticket: int
    name: str
    attachment: Attachment | None = None
    error: str = ""
    excluded: bool = False

    @property
    def busy(self) -> bool:
        return self.attachment is None and not self.error

    def to_send(self) -> Attachment | None:
        if self.attachment is None:
            return None
        if self.attachment.excluded != self.excluded:
            return dataclasses.replace(self.attachment, excluded=self.excluded)
        return self.attachment


# (tokens, exact, context window or None) of an attachment for the model chosen.
Estimator = Callable[["Attachment"], tuple[int, bool, int | None]]
# The thumbnail of an image at a box size: a QImage, None (cannot be shown: missing,
# unreadable), or False (not decoded yet; AttachmentChips.thumbnail_arrived brings it).
Thumbnails = Callable[["Attachment", int], object]


def tokens_text(tokens: int, exact: bool) -> str:
    """ "765 tokens", or "≈ 765 tokens" when estimated."""
    number = formats.number(tokens)
    return QCoreApplication.translate("AttachmentChip", "{tokens} tokens").format(
        tokens=number if exact else "≈ " + number
    )


class AttachmentChip(QFrame):
    remove_requested = Signal(object)  # the DraftItem
    exclude_toggled = Signal(object, bool)
    open_requested = Signal(object)  # the DraftItem: its image at full size

    def __init__(self, item: DraftItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("attachmentChip")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.thumb = QLabel()
        self.thumb.setObjectName("chipThumb")
        self.thumb.setFixedSize(CHIP_THUMB, CHIP_THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setTextFormat(Qt.TextFormat.PlainText)
        self.name = plain.ElidedLabel()
        self.name.setObjectName("chipName")
        self.name.setFixedWidth(NAME_WIDTH)
        self.details = plain.label()
        self.details.setObjectName("chipDetails")
        self.details.setFixedWidth(NAME_WIDTH)
        self.details.setWordWrap(True)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("chipBusy")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedSize(NAME_WIDTH, 4)
        self.exclude_button = QToolButton()
        self.exclude_button.setObjectName("chipExclude")
        self.exclude_button.setCheckable(True)
        self.exclude_button.setAutoRaise(True)
        self.exclude_button.setText(self.tr("Exclude"))
        self.exclude_button.setToolTip(
            self.tr("Keep this file with the message but do not send it to the model")
        )
        self.exclude_button.toggled.connect(self._on_exclude_button_toggled)
        self.exclude_button.hide()
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("chipRemove")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(self.tr("Remove (Delete)"))
        self.remove_button.setAccessibleName(self.tr("Remove attachment"))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.item))
        texts = QVBoxLayout()
        texts.setContentsMargins(0, 0, 0, 0)
        texts.setSpacing(1)
        texts.addWidget(self.name)
        texts.addWidget(self.details)
        texts.addWidget(self.busy_bar)
        texts.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 2, 4)
        layout.setSpacing(6)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(texts)
        layout.addWidget(self.exclude_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        self.big = False
        self.show_item(None)

    def show_item(self, estimate: tuple[int, bool, int | None] | None) -> None:
        item = self.item
        self.name.setText(item.name)
        state = "error" if item.error else "busy" if item.busy else "ready"
        self.setProperty("state", state)
        self.busy_bar.setVisible(item.busy)
        attachment = item.attachment
        if item.error:
            self.thumb.setText("!")
            self.details.setText(item.error)
            self.setToolTip(plain.tooltip(f"{item.name}\n{item.error}"))
        elif attachment is None:
            self.thumb.setText("…")
            self.details.setText(self.tr("Adding…"))
            self.setToolTip(plain.tooltip(item.name))
        else:
            if attachment.kind != "image" or self.thumb.pixmap().isNull():
                self.thumb.setText(_mark(attachment))
            parts = [formats.size(attachment.size)]
            if estimate is not None:
                tokens, exact, window = estimate
                parts.append(tokens_text(tokens, exact))
                self.big = attachment.kind == "document" and (
                    tokens > BIG_TOKENS or (window is not None and tokens > window * BIG_SHARE)
                )
            if item.excluded:
                parts.append(self.tr("not sent"))
            elif self.big:
                parts.append(self.tr("big"))
            self.details.setText(" · ".join(parts))
            self.setToolTip(plain.tooltip(item.name))
        self.exclude_button.setVisible(attachment is not None and (self.big or item.excluded))
        self.exclude_button.blockSignals(True)
        self.exclude_button.setChecked(item.excluded)
        self.exclude_button.blockSignals(False)
        # What a screen reader says of the chip: the file, then its state.
        self.setAccessibleName(item.name)
        self.setAccessibleDescription(self.details.text())
        self.setProperty("big", self.big and not item.excluded)
        self.setProperty("excluded", item.excluded)
        for widget in (self, self.details):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def set_thumbnail(self, image: QImage | None) -> None:
        if image is None or image.isNull():
            if self.item.attachment is not None:
                self.thumb.setText(_mark(self.item.attachment))
            return
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.thumb.setPixmap(pixmap)
        self.thumb.setCursor(Qt.CursorShape.PointingHandCursor)  # a click shows it whole

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_requested.emit(self.item)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._open()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.thumb.geometry().contains(
            event.position().toPoint()
        ):
            self._open()
            return
        super().mouseReleaseEvent(event)

    def _open(self) -> None:
        attachment = self.item.attachment
        if attachment is not None and attachment.kind == "image":
            self.open_requested.emit(self.item)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def _on_exclude_button_toggled(self, checked: bool) -> None:
        self.exclude_toggled.emit(self.item, checked)


def _mark(attachment: Attachment) -> str:
    """A document's mark: its name's extension, short ("PDF", "DOCX", "PY", "MD"); else the
    stored file's."""
    return mark(attachment)


def mark(attachment: Attachment) -> str:
    _, dot, suffix = attachment.name.rpartition(".")
    shown = suffix if dot and 0 < len(suffix) <= 5 and suffix.isalnum() else attachment.ext
    return (shown or "?").upper()[:4]


class AttachmentChips(QWidget):
    """The chips of the draft's attachments, in rows that wrap. It shows a list of
    ``DraftItem`` that its owner keeps (the window, per conversation); a change made here
    (remove, exclude) is reported with ``changed``."""

    changed = Signal()
    # (DraftItem, the chip): open the item's image at full size.
    open_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentChips")
        self._layout = FlowLayout(self)
        self._items: list[DraftItem] = []
        self._chips: dict[int, AttachmentChip] = {}
        self.estimate: Estimator | None = None
        self.thumbnails: Thumbnails | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    @property
    def items(self) -> list[DraftItem]:
        return list(self._items)

    def chips(self) -> list[AttachmentChip]:
        return [self._chips[item.ticket] for item in self._items if item.ticket in self._chips]

    def set_items(self, items: list[DraftItem]) -> None:
        """Show ``items`` (the list is the owner's; it is read, not copied)."""
        for chip in self._chips.values():
            self._layout.removeWidget(chip)
            chip.hide()
            chip.deleteLater()
        self._chips.clear()
        self._items = items
        for item in items:
            self._add_chip(item)
        self._update_visible()

    def add(self, item: DraftItem) -> None:
        self._items.append(item)
        self._add_chip(item)
        self._update_visible()

    def refresh(self, item: DraftItem | None = None) -> None:
        """Show what changed of ``item`` (default: all, e.g. the model changed)."""
        for each in [item] if item is not None else self._items:
            chip = self._chips.get(each.ticket) if each is not None else None
            if chip is not None:
                self._show(chip)
        self.updateGeometry()

    def thumbnail_arrived(self) -> None:
        """A thumbnail was decoded: chips still without theirs look again."""
        for chip in self._chips.values():
            attachment = chip.item.attachment
            if attachment is not None and attachment.kind == "image" and chip.thumb.text():
                self._show_thumbnail(chip)

    def remove(self, item: DraftItem) -> None:
        if item in self._items:
            index = self._items.index(item)
            self._items.remove(item)
            chip = self._chips.pop(item.ticket, None)
            if chip is not None:
                self._layout.removeWidget(chip)
                chip.hide()
                chip.deleteLater()
            remaining = self.chips()
            if remaining:
                remaining[min(index, len(remaining) - 1)].setFocus()
            self._update_visible()
            self.changed.emit()

    def _add_chip(self, item: DraftItem) -> None:
        chip = AttachmentChip(item, self)
        chip.remove_requested.connect(self.remove)
        chip.exclude_toggled.connect(self._on_chip_exclude_toggled)
        chip.open_requested.connect(lambda item, c=chip: self.open_requested.emit(item, c))
        self._chips[item.ticket] = chip
        self._layout.addWidget(chip)
        self._show(chip)
        chip.show()

    def _show(self, chip: AttachmentChip) -> None:
        attachment = chip.item.attachment
        estimate = None
        if attachment is not None and self.estimate is not None:
            estimate = self.estimate(attachment)
        chip.show_item(estimate)
        if attachment is not None and attachment.kind == "image":
            self._show_thumbnail(chip)

    def _show_thumbnail(self, chip: AttachmentChip) -> None:
        attachment = chip.item.attachment
        if attachment is None or self.thumbnails is None:
            return
        box = round(CHIP_THUMB * chip.devicePixelRatioF())
        image = self.thumbnails(attachment, box)
        if image is not False:
            chip.set_thumbnail(image if isinstance(image, QImage) else None)

    def _on_chip_exclude_toggled(self, item: DraftItem, excluded: bool) -> None:
        item.excluded = excluded
        self.refresh(item)
        self.changed.emit()

    def _update_visible(self) -> None:
        self.setVisible(bool(self._items))
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        width = max(self.width(), 200)
        return QSize(width, self._layout.heightForWidth(width))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._layout.heightForWidth(width)
