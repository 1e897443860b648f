"""Rich text (desktop/core/export/page.py ``print_html``) printed to PDF bytes by Qt:
QTextDocument lays it out, QPdfWriter writes it, with the fonts Qt finds on the system
(CJK text falls back to a font that has it, Noto Sans CJK on Linux, and is embedded with its
Unicode map, so the PDF's text can be searched and copied).

QtGui only, no widgets: it runs in a thread of its own (the window's export thread), where
every Qt object it makes is made and dropped. It needs a QGuiApplication (the window's; the
command line makes an offscreen one for PDF).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

# 96 dpi layout: the document's pixel sizes (a 9pt header, 10px padding) print as in the view.
RESOLUTION = 96
MARGIN_MM = 15
BODY_POINTS = 10


def html_to_pdf(html: str, title: str = "") -> bytes:
    """The PDF of ``html`` (Qt's rich-text subset) on A4 pages."""
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
    document.setDefaultFont(font)
    document.setHtml(html)
    rect = writer.pageLayout().paintRectPixels(RESOLUTION)
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
    del writer  # finishes the file
    buffer.close()
    return bytes(data.data())
