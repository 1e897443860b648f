"""Rich text (desktop/core/export/page.py ``print_html``) printed to PDF bytes by Qt:
QTextDocument lays it out, QPdfWriter writes it, with the fonts Qt finds on the system
(CJK text falls back to a font that has it, Noto Sans CJK on Linux, and is embedded with its
Unicode map, so the PDF's text can be searched and copied). The pictures the rich text names
(``<img src>``: page.py's ``PrintImage``, an attached image's bytes or a formula's SVG) are
made QImages here and given to the document as resources: a formula rasterised by QtSvg at
``FORMULA_DPI`` in the text's colour, an image decoded as it is (the store's copy as sent, at
most 2048 pixels long). QImage and QSvgRenderer may be used in any thread (QPixmap may not).

QtGui only, no widgets. It runs in the thread that asks (the window's export thread, a QThread:
Qt's font cache starts timers as it grows, which a bare Python thread has no dispatcher for),
where every Qt object it makes is made and dropped. It needs a QGuiApplication (the window's;
the command line makes an offscreen one for PDF and prints on its main thread).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QRawFont,
    QTextDocument,
)

if TYPE_CHECKING:
    from desktop.core.export.page import PrintImage

log = logging.getLogger("confab.export")

# 96 dpi layout: the document's pixel sizes (a 9pt header, 10px padding) print as in the view.
RESOLUTION = 96
MARGIN_MM = 15
BODY_POINTS = 10
# Formulas are printed from rasters of this many dots per inch (the page's pixels are 96).
FORMULA_DPI = 384


def html_to_pdf(
    html: str, images: Mapping[str, PrintImage] | None = None, *, title: str = ""
) -> bytes:
    """The PDF of ``html`` (Qt's rich-text subset) on A4 pages, with the pictures
    ``images`` it names by their ``src``."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setCreator("Confab")
    if title:
        writer.setTitle(title)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    document = QTextDocument()
    font = QFont(document.defaultFont())
    font.setPointSizeF(BODY_POINTS)
    # "ff", "fi" as one glyph would copy out of the PDF as one character (U+FB00…).
    font.setFeature(QFont.Tag("liga"), 0)
    document.setDefaultFont(font)
    for name, picture in (images or {}).items():
        image = _image(picture)
        if image is not None:
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html)
    rect = writer.pageLayout().paintRectPixels(RESOLUTION)
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
    fixes = _radicals_read_as(document)
    del writer  # finishes the file
    buffer.close()
    return _fix_unicode_maps(bytes(data.data()), fixes)


def _image(picture: PrintImage) -> QImage | None:
    """``picture`` as a QImage (None: it cannot be decoded: the page shows no picture)."""
    if not picture.svg:
        image = QImage.fromData(picture.data)
        if image.isNull():
            log.warning("export: an image could not be decoded for the PDF")
            return None
        return image
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(picture.svg.encode()))
    if not renderer.isValid():
        return None
    scale = FORMULA_DPI / RESOLUTION
    image = QImage(
        max(1, math.ceil(picture.width * scale)),
        max(1, math.ceil(picture.height * scale)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    # The drawing's shape (currentColor) in the text's colour.
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(image.rect(), QColor(picture.colour))
    painter.end()
    return image


# CJK Radicals Supplement and Kangxi Radicals: CJK fonts draw most of them with the glyph of
# the ideograph they look like (⻛ U+2EDB and 风 U+98CE, ⼀ U+2F00 and 一 U+4E00), and Qt's PDF
# maps each glyph back to the first character that uses it, the radical: the text copied or
# searched in the PDF would be radicals. The maps are written back with the ideographs.
_RADICALS = range(0x2E80, 0x2FE0)
_MAP = re.compile(rb"beginbf(?:range|char)\n(.*?)\nendbf(?:range|char)", re.DOTALL)
_ARRAY = re.compile(rb"\[[^\]]*\]")
_CODE = re.compile(rb"<([0-9A-Fa-f]{4})>")


def _radicals_read_as(document: QTextDocument) -> dict[int, int]:
    """radical → the character of the text that shares its glyph, in the fonts the text was
    laid out in (none: the text has no CJK)."""
    used = {ch for ch in document.toPlainText() if ord(ch) >= _RADICALS.start}
    fonts: dict[tuple[str, str], QRawFont] = {}
    block = document.begin()
    while block.isValid() and used:
        text = block.text()
        if any(ord(ch) >= _RADICALS.start for ch in text):
            for run in block.layout().glyphRuns(0, len(text)):
                raw = run.rawFont()
                fonts.setdefault((raw.familyName(), raw.styleName()), raw)
        block = block.next()
    fixes: dict[int, int] = {}
    for raw in fonts.values():
        radicals: dict[int, int] = {}
        for code in _RADICALS:
            if chr(code) not in used:
                glyphs = raw.glyphIndexesForString(chr(code))
                if glyphs and glyphs[0]:
                    radicals[glyphs[0]] = code
        for ch in used:
            glyphs = raw.glyphIndexesForString(ch)
            if len(ch.encode("utf-16-le")) == 2 and glyphs and glyphs[0] in radicals:
                fixes[radicals[glyphs[0]]] = ord(ch)
    return fixes


def _fix_unicode_maps(pdf: bytes, fixes: dict[int, int]) -> bytes:
    """``pdf`` with each radical of ``fixes`` replaced in its ToUnicode maps (uncompressed,
    and the same length: the file's offsets stay right)."""
    if not fixes:
        return pdf

    def code(found: re.Match[bytes]) -> bytes:
        value = int(found[1], 16)
        return b"<%04X>" % fixes[value] if value in fixes else found[0]

    def array(found: re.Match[bytes]) -> bytes:
        return _CODE.sub(code, found[0])

    def unicode_map(found: re.Match[bytes]) -> bytes:
        return _ARRAY.sub(array, found[0])

    return _MAP.sub(unicode_map, pdf)
