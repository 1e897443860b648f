"""Matches highlighted in a message's text, as a browser's Find marks them: every match
tinted, the current one in a stronger colour.

A message's text is in QLabels (rich text for a reply's Markdown blocks and code, plain text
for what the user typed), which have no extra selections. So each label's text is loaded into
a QTextDocument, the matches are found there (QTextDocument.find: case-insensitive, on the
text as shown, so Markdown punctuation and markup are no obstacle) and given a background, and
the document's HTML goes back into the label; unmarking puts the label's own text back (unless
it changed meanwhile: a reply re-rendered has lost its marks anyway)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextLine,
)
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from desktop.ui.message_view import MessageWidget

# Browsers' colours (black text on both, readable in the dark theme too).
MATCH_BACKGROUND = "#ffe970"
CURRENT_BACKGROUND = "#ff9632"
MATCH_TEXT = "#000000"


class _Marked:
    """What a label showed before it was marked, and what it shows marked."""

    __slots__ = ("document", "format", "marked", "spans", "text")

    def __init__(self, text: str, text_format: Qt.TextFormat) -> None:
        self.text, self.format = text, text_format
        self.marked = ""
        self.spans: list[tuple[int, int]] = []
        self.document: QTextDocument | None = None  # the marked text, for match_rect


def _state(label: QLabel) -> _Marked | None:
    """The label's marks, if they are what it shows."""
    state = getattr(label, "_confab_marks", None)
    if isinstance(state, _Marked) and label.text() == state.marked:
        return state
    return None


def text_labels(widget: MessageWidget) -> list[QLabel]:
    """The labels that hold the message's text, top to bottom (building a long reply's
    blocks not built yet first: a match may be in them)."""
    if widget.plain is not None:
        return [widget.plain]
    labels: list[QLabel] = []
    if widget.markdown is not None:
        widget.build_rest()
        from desktop.ui.message_view import CodeBlockWidget, FormulaBlockWidget

        for block in widget.markdown.blocks():
            if isinstance(block, CodeBlockWidget):
                labels.append(block.code)
            elif isinstance(block, FormulaBlockWidget):
                labels.append(block.label)
            elif isinstance(block, QLabel):
                labels.append(block)
    return labels


def _may_hold(text: str, needles: Sequence[str]) -> bool:
    """Whether a label's text (markup or plain) may show a match: a needle without the
    characters markup escapes shows only where its own text is in the markup."""
    lowered = text.lower()
    return any(
        any(c in needle for c in "&<>\"'") or needle.lower() in lowered
        for needle in needles
        if needle
    )


def _document(label: QLabel, text: str, text_format: Qt.TextFormat) -> QTextDocument:
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)  # as QLabel lays its text out
    if text_format == Qt.TextFormat.PlainText:
        document.setPlainText(text)
    else:
        document.setHtml(text)
    return document


def _spans(document: QTextDocument, needles: Sequence[str]) -> list[tuple[int, int]]:
    """Every match of the needles, left to right; where two overlap, the one found first (the
    needles come longest first)."""
    spans: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        cursor = document.find(needle, 0)
        while not cursor.isNull():
            start, end = cursor.selectionStart(), cursor.selectionEnd()
            if end > start and not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            cursor = document.find(needle, cursor)
    spans += _formula_spans(document, needles)
    return sorted(spans)


def _image_positions(document: QTextDocument) -> list[int]:
    """Where the document's images are, in order."""
    found: list[int] = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.charFormat().isImageFormat():
                found += range(fragment.position(), fragment.position() + fragment.length())
            iterator += 1
        block = block.next()
    return found


_IMAGE_TAG = re.compile(r"<img\b[^>]*>")


def _tint_images(marked: str, images: list[int], tinted: dict[int, str]) -> str:
    """A formula's image matched: behind it the match's colour (Qt's HTML keeps no
    background of an image's own, but draws a span's behind it)."""
    if not tinted:
        return marked
    found = iter(images)

    def tint(tag: re.Match[str]) -> str:
        colour = tinted.get(next(found, -1))
        if colour is None:
            return tag[0]
        return f'<span style="background-color: {colour}">{tag[0]}</span>'

    return _IMAGE_TAG.sub(tint, marked)


def _formula_spans(document: QTextDocument, needles: Sequence[str]) -> list[tuple[int, int]]:
    """A formula drawn is an image whose alt text is its source (desktop/ui/formula_images.py):
    each match in that source is a match of the image, as Find counts the message's text."""
    lowered = [needle.lower() for needle in needles if needle]
    spans: list[tuple[int, int]] = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                alt = str(fmt.property(QTextFormat.Property.ImageAltText) or "").lower()
                if alt:
                    matches = max(alt.count(needle) for needle in lowered) if lowered else 0
                    for offset in range(fragment.length()):  # a run of images: one each
                        position = fragment.position() + offset
                        spans += [(position, position + 1)] * matches
            iterator += 1
        block = block.next()
    return spans


def mark(widget: MessageWidget, needles: Sequence[str], current: int | None = None) -> int:
    """Tint every match of ``needles`` in the message's text, match number ``current`` (in
    the message, top to bottom) more strongly; returns how many matches it shows."""
    unmark(widget)
    count = 0
    for label in text_labels(widget):
        text_format = label.textFormat()
        if text_format == Qt.TextFormat.AutoText:
            text_format = Qt.TextFormat.RichText
        if not _may_hold(label.text(), needles):
            continue  # a document of each label costs: most of a reply's have no match
        state = _Marked(label.text(), text_format)
        document = _document(label, state.text, text_format)
        spans = _spans(document, needles)
        if not spans:
            continue
        images = _image_positions(document)
        tinted: dict[int, str] = {}  # formulas' images matched: position -> colour
        for number, (start, end) in enumerate(spans, start=count):
            colour = CURRENT_BACKGROUND if number == current else MATCH_BACKGROUND
            if end - start == 1 and start in images:
                if tinted.get(start) != CURRENT_BACKGROUND:
                    tinted[start] = colour
                continue
            cursor = QTextCursor(document)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            look = QTextCharFormat()
            look.setBackground(QColor(colour))
            look.setForeground(QColor(MATCH_TEXT))
            cursor.mergeCharFormat(look)
        count += len(spans)
        state.spans = spans
        state.marked = _tint_images(document.toHtml(), images, tinted)
        state.document = document
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText(state.marked)
        label._confab_marks = state  # type: ignore[attr-defined]
    return count


def unmark(widget: MessageWidget) -> None:
    """Put the message's text back as it was, without marks."""
    for label in text_labels(widget):
        state = _state(label)
        label._confab_marks = None  # type: ignore[attr-defined]
        if state is not None:
            label.setTextFormat(state.format)
            label.setText(state.text)


def marked_text(widget: MessageWidget) -> list[tuple[str, bool]]:
    """The marked pieces of the message's text as shown, each with whether it is the current
    match (what a user sees highlighted, read back from the labels)."""
    pieces: list[tuple[str, bool]] = []
    current = QColor(CURRENT_BACKGROUND)
    for label in text_labels(widget):
        if label.textFormat() != Qt.TextFormat.RichText:
            continue
        document = QTextDocument()
        document.setHtml(label.text())
        block = document.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                background = fragment.charFormat().background()
                if background.style() != Qt.BrushStyle.NoBrush:
                    color = background.color()
                    if color in (QColor(MATCH_BACKGROUND), current):
                        pieces.append((fragment.text(), color == current))
                iterator += 1
            block = block.next()
    return pieces


def match_rect(widget: MessageWidget, number: int) -> QRect | None:
    """Where match ``number`` of the message is, in the widget's coordinates (None when it
    is not marked)."""
    for label in text_labels(widget):
        state = _state(label)
        if state is None:
            continue
        if number >= len(state.spans):
            number -= len(state.spans)
            continue
        start, end = state.spans[number]
        return _span_rect(label, state, start, end).translated(label.mapTo(widget, QPoint(0, 0)))
    return None


def _span_rect(label: QLabel, state: _Marked, start: int, end: int) -> QRect:
    contents = label.contentsRect()
    document = state.document or _document(label, state.marked, Qt.TextFormat.RichText)
    document.setTextWidth(max(1, contents.width()))
    layout = document.documentLayout()
    block = document.findBlock(start)
    lines = block.layout()
    line = lines.lineForTextPosition(start - block.position())
    top = layout.blockBoundingRect(block).top()
    if not line.isValid():
        return QRect(contents.left(), contents.top() + int(top), contents.width(), 1)
    x1 = _x(line, start - block.position())
    last = min(end, block.position() + block.length() - 1) - block.position()
    same_line = lines.lineForTextPosition(last).lineNumber() == line.lineNumber()
    x2 = _x(line, last) if same_line else line.x() + line.naturalTextWidth()
    return QRect(
        contents.left() + int(x1),
        contents.top() + int(top + line.y()),
        max(1, int(x2 - x1)),
        int(line.height()),
    )


def _x(line: QTextLine, position: int) -> float:
    found: Any = line.cursorToX(position)  # (x, position) in PySide6
    return float(found[0] if isinstance(found, tuple) else found)
