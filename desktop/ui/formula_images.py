"""Formulas as images in the message labels' rich text, and copying them back as LaTeX.

A formula's drawing (core's SVG, made once per LaTeX and style in the formula thread, see
desktop/core/formulas.py) becomes an ``<img>`` of a ``data:`` PNG, rasterised by QtSvg at the
label's font size, device pixel ratio and text colour (painted over the drawing's shape, so no
white box on dark), each once (``_raster``, an LRU). The rasterising is done in the formula
thread too, right after the drawing, for the styles the labels waiting for it have
(desktop/controllers/formulas.py ``Rasters``): the UI thread takes the PNG ready; only a style
no label had asked for before (a formula shrunk to fit, a theme switched) is rasterised here.

On the baseline: Qt's rich text has no baseline offset for an image. With
``vertical-align: middle`` it puts the image's middle a quarter of the x-height of the image's
own font above the baseline (QTextDocumentLayout; checked by tests/ui/test_formulas.py), so the
``<img>`` sits in a ``<span>`` whose font size makes that x-height twice the formula's ascent
less its depth: the formula's baseline is then the text's, to a fraction of a pixel, and the
line grows only by what the formula really needs above and below it.

Copy: the ``<img>``'s alt text is the formula's source (``$x^2$``); ``selection_source`` reads a
label's selection from the label's own HTML with each image as its alt text.
"""

from __future__ import annotations

import html
import weakref
from collections import OrderedDict
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QFontMetricsF,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QLabel, QWidget

# At the top, not in the functions: these run for every formula of every label filled, and
# PySide replaces ``__import__`` with a Python function (its __feature__ hook), which made an
# import in a function cost ~40 µs a call here.
from desktop.controllers.formulas import FormulaController, Style, raster_key, rasterise
from desktop.core.formulas import REFERENCE_PX

if TYPE_CHECKING:
    from desktop.core.formulas import Drawing, Formula

# Rasters kept (LRU): a PNG of a few KB each, as base64.
RASTERS = 1_000
# A formula's em against the text's: STIX Two Math looks smaller than a UI sans-serif at the
# same size (KaTeX scales its math by the same factor).
EM_SCALE = 1.21
OBJECT = "\ufffc"  # what Qt's text has for an image

_controller: FormulaController | None = None
_rasters: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_span_sizes: dict[tuple[str, int], int] = {}
# The views told when formulas have been drawn (ChatView: it swaps them in, keeping its place).
_listeners: weakref.WeakSet[Any] = weakref.WeakSet()
_gentle = False
# Formulas rasterised on the UI thread (none made ready by the formula thread), for the tests
# and benchmarks.
rasterised_here = 0
# The formulas whose labels' style the formula thread was told (forgotten past WANTED).
_wanted: set[tuple[str, bool]] = set()
WANTED = 5_000


def controller() -> FormulaController:
    """The one formula drawer of the process, made with the first formula (its thread and
    the renderer's import are not paid by a window that shows none)."""
    global _controller
    if _controller is None:
        _controller = FormulaController(QCoreApplication.instance())
        _controller.drawer.gentle = _gentle
        _controller.drawn.connect(_tell_listeners)
    return _controller


def listen(view: Any) -> None:
    """Call ``view.formulas_drawn(keys)`` once formulas have been drawn (held weakly)."""
    _listeners.add(view)


def _tell_listeners(keys: list[tuple[str, bool]]) -> None:
    import shiboken6

    drawn = {tuple(key) for key in keys}
    for view in list(_listeners):
        if shiboken6.isValid(view):
            view.formulas_drawn(drawn)


def set_gentle(gentle: bool) -> None:
    """While a reply streams, the formula thread draws in short bursts (Drawer.gentle)."""
    global _gentle
    _gentle = gentle
    if _controller is not None:
        _controller.drawer.gentle = gentle


def holding() -> AbstractContextManager[None]:
    """The formula thread rests while the caller renders (Drawer.hold), if there is one."""
    return _controller.drawer.hold() if _controller is not None else nullcontext()


def text_px(widget: QWidget) -> float:
    """The size of ``widget``'s text, in pixels: a formula's em."""
    info = QFontInfo(widget.font())
    return float(info.pixelSize() or 16)


def image_tag(
    widget: QWidget, formula: Formula, max_width: int | None = None, min_scale: float = 0.0
) -> Any:
    """An ``<img>`` (in its ``<span>``) of ``formula`` for ``widget``'s rich text; None when the
    formula does not parse (its source stays); ``controller().PENDING`` while it is drawn.
    Wider than ``max_width``, it is shrunk to fit, but not below ``min_scale`` of its size."""
    if formula.key not in _wanted:
        # Rasterised in the formula thread at this label's style once drawn (asked first:
        # the thread may be done with it before ``drawing`` returns). Once per formula: a
        # streaming block asks again at every flush until it is drawn.
        if len(_wanted) > WANTED:
            _wanted.clear()
        _wanted.add(formula.key)
        controller().rasters.want(_style(widget, _scale(widget)))
    drawing = controller().drawing(formula.latex, formula.display)
    if drawing is None or drawing is controller().PENDING:
        return drawing
    return _tag(widget, formula, drawing, _style(widget, _scale(widget)), max_width, min_scale)


def _scale(widget: QWidget) -> float:
    return text_px(widget) * EM_SCALE / REFERENCE_PX


def _style(widget: QWidget, scale: float) -> Style:
    widget.ensurePolished()
    colour = widget.palette().color(widget.foregroundRole())
    return Style(scale, colour.rgba(), widget.devicePixelRatioF())


def _tag(
    widget: QWidget,
    formula: Formula,
    drawing: Drawing,
    style: Style,
    max_width: int | None,
    min_scale: float,
) -> str:
    scale = style.scale
    if max_width is not None and drawing.width * scale > max_width:
        scale = max(max_width / drawing.width, scale * min_scale)
        style = style._replace(scale=scale)
    # Whole pixels, the baseline on a pixel's edge.
    above, below, width = drawing.fitted(scale)
    url = _raster(drawing, formula, style, width, above + below)
    size = _span_size(widget.font(), 2 * (above - below))
    alt = html.escape(formula.source, quote=True)
    return (
        f'<span style="font-size: {size}px"><img src="{url}" width="{width}" '
        f'height="{above + below}" alt="{alt}" style="vertical-align: middle"></span>'
    )


def _raster(drawing: Drawing, formula: Formula, style: Style, width: int, height: int) -> str:
    key = raster_key(formula.key, style, width, height)
    found = _rasters.get(key)
    if found is not None:
        _rasters.move_to_end(key)
        return found
    url = controller().rasters.take(key)  # made in the formula thread
    if url is None:
        global rasterised_here
        rasterised_here += 1
        url = rasterise(drawing, style)[1]
    _rasters[key] = url
    while len(_rasters) > RASTERS:
        _rasters.popitem(last=False)
    return url


def _span_size(font: QFont, x_height: int) -> int:
    """The pixel size at which ``font``'s x-height is closest to ``x_height``."""
    cache_key = (font.key(), x_height)
    found = _span_sizes.get(cache_key)
    if found is not None:
        return found
    probe = QFont(font)

    def x_at(size: int) -> float:
        probe.setPixelSize(size)
        return QFontMetricsF(probe).xHeight()

    ratio = x_at(100) / 100 or 0.5
    guess = max(1, round(x_height / ratio))
    best = min(range(max(1, guess - 3), guess + 4), key=lambda size: abs(x_at(size) - x_height))
    _span_sizes[cache_key] = best
    return best


def selection_source(label: QLabel) -> str:
    """The label's selected text with each formula as its LaTeX source (the image's alt)."""
    selected = label.selectedText()
    if not selected:
        return ""
    start = label.selectionStart()
    length = len(selected.encode("utf-16-le")) // 2  # Qt counts UTF-16 units
    document = QTextDocument()
    document.setHtml(label.text())
    cursor = QTextCursor(document)
    cursor.setPosition(start)
    cursor.setPosition(
        min(start + length, document.characterCount() - 1), QTextCursor.MoveMode.KeepAnchor
    )
    text = cursor.selection().toPlainText()
    if OBJECT not in text:
        return text
    sources = _image_sources(document, start, start + length)
    parts = text.split(OBJECT)
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append(sources[index] if index < len(sources) else OBJECT)
        out.append(part)
    return "".join(out)


def _image_sources(document: QTextDocument, start: int, end: int) -> list[str]:
    """The alt texts of the images between ``start`` and ``end``, in order."""
    found: list[str] = []
    block = document.findBlock(start)
    while block.isValid() and block.position() < end:
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if (
                fragment.isValid()
                and fragment.position() < end
                and fragment.position() + fragment.length() > start
            ):
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    alt = str(fmt.property(QTextFormat.Property.ImageAltText) or "")
                    # One fragment per run of images in the same format: each is one.
                    first = max(fragment.position(), start)
                    last = min(fragment.position() + fragment.length(), end)
                    found.extend([alt] * (last - first))
            it += 1
        block = block.next()
    return found
