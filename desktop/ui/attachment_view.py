"""A sent message's attachments in the thread: images as thumbnails that open full size in a
viewer, documents as chips that open the file; an attachment whose file is missing says so.

Thumbnails are decoded and scaled in the controller's decoding thread (QImage), cached there by
content and size, and turned into pixmaps here, on the UI thread. A thumbnail's place is sized
from the image's width and height (in the message) before it is decoded, so the thread does not
move when it arrives.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import formats, plain
from desktop.ui.flow_layout import FlowLayout

if TYPE_CHECKING:
    from desktop.controllers.attachments import AttachmentsController as AttachmentSource
    from desktop.core.models import Attachment

# The box a thumbnail in the thread fits in (device-independent pixels).
THUMB_BOX = 180
# The viewer takes at most this share of the screen.
VIEWER_SHARE = 0.9


def fitted(width: int | None, height: int | None, box: int) -> QSize:
    """The size an image of ``width`` × ``height`` takes in a square ``box`` (never larger
    than itself); the box when its size is not known."""
    if not width or not height or width <= 0 or height <= 0:
        return QSize(box, box)
    scale = min(1.0, box / max(width, height))
    return QSize(max(1, round(width * scale)), max(1, round(height * scale)))


def _missing_text(attachment: Attachment) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("MessageAttachments", "{name}: the file is missing").format(
        name=attachment.name
    )


class ImageThumb(QLabel):
    """An image of a sent message; a click (or Enter/Space when focused) opens the viewer."""

    def __init__(self, attachment: Attachment, strip: MessageAttachments) -> None:
        super().__init__(strip)
        self.attachment = attachment
        self._strip = strip
        self.setObjectName("messageImage")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedSize(fitted(attachment.width, attachment.height, THUMB_BOX))
        self.setToolTip(
            plain.tooltip(self.tr("{name} (click to open)").format(name=attachment.name))
        )
        self.setAccessibleName(attachment.name)
        self.missing = False
        self.shown = False  # the decoded image is on it

    def set_image(self, image: object) -> None:
        from desktop.controllers.attachments import Missing

        if isinstance(image, QImage) and not image.isNull():
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(self.devicePixelRatioF())
            self.setPixmap(pixmap)
            self.shown = True
            self.setProperty("state", "shown")
        elif isinstance(image, Missing):
            self.missing = True
            self.setMinimumSize(THUMB_BOX, 48)
            self.setMaximumSize(THUMB_BOX, THUMB_BOX)
            self.setText(_missing_text(self.attachment))
            self.setCursor(Qt.CursorShape.ArrowCursor)
            self.setProperty("state", "missing")
        else:
            self.setText(self.tr("{name}: cannot be shown").format(name=self.attachment.name))
            self.setProperty("state", "missing")
        self.style().unpolish(self)
        self.style().polish(self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.missing:
            self._strip.open_image(self.attachment)
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if not self.missing:
                self._strip.open_image(self.attachment)
            return
        super().keyPressEvent(event)


class DocumentChip(QToolButton):
    """A document of a sent message: its mark, name and size; a click opens the file."""

    def __init__(self, attachment: Attachment, strip: MessageAttachments) -> None:
        super().__init__(strip)
        self.attachment = attachment
        self.setObjectName("messageDocument")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setAutoRaise(False)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.missing = False
        self._show()
        self.setToolTip(plain.tooltip(self.tr("Open {name}").format(name=attachment.name)))
        self.clicked.connect(lambda: strip.open_document(self))

    def _show(self) -> None:
        attachment = self.attachment
        from desktop.ui.attachment_chips import mark as mark_of

        mark = mark_of(attachment)
        name = self.fontMetrics().elidedText(attachment.name, Qt.TextElideMode.ElideMiddle, 220)
        if self.missing:
            self.setText(f"{mark}  {_missing_text(attachment)}")
        else:
            self.setText(f"{mark}  {name}  ·  {formats.size(attachment.size)}")

    def set_missing(self) -> None:
        self.missing = True
        self.setProperty("state", "missing")
        self._show()
        self.style().unpolish(self)
        self.style().polish(self)


class MessageAttachments(QWidget):
    """The attachments of one sent message, in rows that wrap."""

    def __init__(
        self, attachments: tuple[Attachment, ...], source: AttachmentSource, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setObjectName("messageAttachments")
        self._source = source
        self._layout = FlowLayout(self, spacing=8)
        self.images: list[ImageThumb] = []
        self.documents: list[DocumentChip] = []
        self._waiting: dict[str, list[ImageThumb | DocumentChip]] = {}
        self.viewer: ImageViewer | None = None
        source.thumbnail_ready.connect(self._on_source_thumbnail_ready)
        # The images first, then the documents (in the order attached): a row of pictures,
        # the files below.
        ordered = sorted(attachments, key=lambda a: a.kind != "image")
        for attachment in ordered:
            if attachment.kind == "image":
                thumb = ImageThumb(attachment, self)
                self.images.append(thumb)
                self._layout.addWidget(thumb)
            else:
                chip = DocumentChip(attachment, self)
                self.documents.append(chip)
                self._layout.addWidget(chip)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        shown: list[ImageThumb | DocumentChip] = [*self.images, *self.documents]
        for widget in shown:
            self._ask(widget)

    def _box(self) -> int:
        return round(THUMB_BOX * self.devicePixelRatioF())

    def _ask(self, widget: ImageThumb | DocumentChip) -> None:
        """The thumbnail of an image, whether a document's file is there: from the cache, or
        once the decoding thread has it."""
        box = self._box() if isinstance(widget, ImageThumb) else 0
        answer = self._source.thumbnail(widget.attachment, box)
        if answer is False:
            self._waiting.setdefault(self._source.key(widget.attachment, box), []).append(widget)
        else:
            _show(widget, answer)

    def _on_source_thumbnail_ready(self, key: str, image: object) -> None:
        for widget in self._waiting.pop(key, []):
            _show(widget, image)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._layout.heightForWidth(width)

    def sizeHint(self) -> QSize:
        width = max(self.width(), THUMB_BOX)
        return QSize(width, self._layout.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(THUMB_BOX // 2, self._layout.heightForWidth(max(self.width(), THUMB_BOX)))

    # ---- opening -------------------------------------------------------------------

    def open_image(self, attachment: Attachment) -> ImageViewer:
        if self.viewer is not None:
            self.viewer.close()
        viewer = open_viewer(self._source, attachment, self)
        viewer.destroyed.connect(self._on_viewer_destroyed)
        self.viewer = viewer
        return viewer

    def _on_viewer_destroyed(self) -> None:
        self.viewer = None

    def open_document(self, chip: DocumentChip) -> None:
        reference = weakref.ref(chip)
        self._source.open_copy(chip.attachment, lambda path: _open_document(reference, path))


def open_viewer(source: AttachmentSource, attachment: Attachment, near: QWidget) -> ImageViewer:
    """The viewer of ``attachment``, opened over ``near``'s window: the image decoded in the
    decoding thread, fitted to the screen ``near`` is on."""
    screen = near.screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    area = available.size() * VIEWER_SHARE
    ratio = near.devicePixelRatioF()
    box = QSize(round(area.width() * ratio), round(area.height() * ratio))
    ticket = source.full_image(attachment, box)
    viewer = ImageViewer(attachment, f"full:{ticket}", near.window())
    source.thumbnail_ready.connect(viewer.on_image_ready)
    viewer.place(available, area)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    viewer.open()
    return viewer


def _show(widget: ImageThumb | DocumentChip, answer: object) -> None:
    from desktop.controllers.attachments import Missing

    if isinstance(widget, ImageThumb):
        widget.set_image(answer)
    elif isinstance(answer, Missing):
        widget.set_missing()


def _open_document(chip: weakref.ref[DocumentChip], path: Path | None) -> None:
    if path is not None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return
    shown = chip()
    try:
        if shown is not None:
            shown.set_missing()
    except RuntimeError:  # the message was closed meanwhile
        pass


class ImageViewer(QDialog):
    """An image at full size, fitted to the screen; Esc closes."""

    def __init__(self, attachment: Attachment, key: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.key = key
        self.attachment = attachment
        self.setWindowTitle(attachment.name)
        self.image = QLabel()
        self.image.setObjectName("viewerImage")
        self.image.setTextFormat(Qt.TextFormat.PlainText)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setText(self.tr("Opening…"))
        self.image.setMinimumSize(240, 160)
        scroller = QScrollArea()
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.image)
        scroller.setWidgetResizable(True)
        scroller.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption = plain.label(
            f"{attachment.name}  ·  {formats.size(attachment.size)}"
            + (f"  ·  {attachment.width} × {attachment.height}" if attachment.width else "")
        )
        caption.setObjectName("viewerCaption")
        close = QToolButton()
        close.setObjectName("viewerClose")
        close.setText(self.tr("Close"))
        close.setToolTip(self.tr("Close (Esc)"))
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(caption, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(scroller, 1)
        layout.addLayout(bottom)
        self._layout, self._bottom = layout, bottom
        self.shown = False
        self._available: QRect | None = None

    def place(self, available: QRect, area: QSize) -> None:
        """At the size the image will have (fitted into ``area``), centred in ``available``
        (the screen's free part): it opens where it stays, before the image is decoded."""
        self._available = available
        attachment = self.attachment
        if attachment.width and attachment.height:
            scale = min(1.0, area.width() / attachment.width, area.height() / attachment.height)
            size = QSize(round(attachment.width * scale), round(attachment.height * scale))
        else:
            size = QSize(area.width() // 2, area.height() // 2)
        self._fit(size)

    def _fit(self, image: QSize) -> None:
        margins = self._layout.contentsMargins()
        chrome = QSize(
            margins.left() + margins.right() + 2,
            margins.top()
            + margins.bottom()
            + self._layout.spacing()
            + self._bottom.sizeHint().height()
            + 2,
        )
        size = (image + chrome).expandedTo(self.minimumSizeHint())
        if self._available is not None:
            size = size.boundedTo(self._available.size())
            self.resize(size)
            self.move(self._available.center() - self.rect().center())
        else:
            self.resize(size)

    def on_image_ready(self, key: str, image: object) -> None:
        if key == self.key:
            self.set_image(image)

    def set_image(self, image: object) -> None:
        from desktop.controllers.attachments import Missing

        if isinstance(image, QImage) and not image.isNull():
            pixmap = QPixmap.fromImage(image)
            ratio = self.devicePixelRatioF()
            pixmap.setDevicePixelRatio(ratio)
            self.image.setPixmap(pixmap)
            self.shown = True
            logical = QSize(round(image.width() / ratio), round(image.height() / ratio))
            if not (self.attachment.width and self.attachment.height):
                self._fit(logical)
        elif isinstance(image, Missing):
            self.image.setText(_missing_text(self.attachment))
        else:
            self.image.setText(self.tr("This image cannot be shown."))
