"""``FormulaController``: core's formula drawer (desktop/core/formulas.py) for Qt: its thread's
drawings taken in on the UI thread by a 5 ms timer that runs only while some are awaited, and
announced with ``drawn``.

Each drawing is also rasterised in the formula thread (``Rasters``), for every style a view
has asked for (its scale, text colour and device pixel ratio: ``want``), encoded as the PNG
``data:`` URL the labels' rich text shows. The UI thread then finds it ready
(``Rasters.take``) instead of paying 0.4-6.6 ms a formula; a style asked for after the drawing
(a formula shrunk to a narrow view, a theme switched) is rasterised where it is asked.

How: the SVG is framed (its size in device pixels, its view box moved by the room above the
formula) and tinted (every fill and stroke in the text's colour) as text, then read by
QImageReader through Qt's SVG image plugin (QtSvg's renderer) into a QImage and saved as PNG.
QImage and the reader may be used in any thread (a QPixmap may not), and PySide lets go of the
GIL in ``QImageReader.read`` and ``QImage.save``: measured here, a thread rasterising held the
UI thread up ≤ 4 ms, where ``QSvgRenderer.render`` through a QPainter holds the GIL for the
whole render (17 ms gaps: rasterising that way in the thread made the stream of 200 formulas
stall twice as long).
"""

from __future__ import annotations

import atexit
import base64
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QObject,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QImageReader

from desktop.core.formulas import Drawer, Drawing

TAKE_INTERVAL_MS = 5
# Formulas taken in per tick: each costs the window its raster (~0.5-5 ms) and a label laid
# out again; the thread can finish dozens between two ticks of a busy loop, and swapping
# them all in at once was a stall of its own.
TAKE_AT_ONCE = 4


# Rasters made in the thread and not taken yet (each a PNG of a few KB, as base64).
READY = 1_000
# Styles rasterised in the thread (the newest asked for): a window has one or two at a time.
STYLES = 4


class Style(NamedTuple):
    """How a view shows formulas: the drawing's ``scale``, the text's colour (QColor.rgba())
    and the device pixel ratio."""

    scale: float
    colour: int
    dpr: float


def raster_key(key: tuple[str, bool], style: Style, width: int, height: int) -> tuple[Any, ...]:
    return (key[0], key[1], round(style.scale, 4), width, height, style.colour, style.dpr)


_ROOT = re.compile(r"<svg\b[^>]*>")
_ROOT_SIZE = re.compile(r'\s(?:width|height|viewBox|preserveAspectRatio|opacity)="[^"]*"')
_VIEW_X = re.compile(r'viewBox="([-\d.e]+) ')
# Every colour the drawing paints with (ziamath writes "black", "currentColor", a \color's).
_PAINT = re.compile(r'\b(fill|stroke)="(?!none")[^"]*"')


def framed_svg(drawing: Drawing, style: Style, top: float, size: tuple[int, int]) -> bytes:
    """The drawing's SVG drawn ``size`` device pixels large at ``style``, ``top`` (logical
    pixels) below the image's top, everything it paints in the style's colour."""
    width, height = size
    units = style.dpr * style.scale  # device pixels a user unit
    found = _VIEW_X.search(drawing.svg)
    x = float(found[1]) if found else 0.0
    colour = QColor.fromRgba(style.colour)
    y = -drawing.ascent - top / style.scale
    view = f"{x:.4f} {y:.4f} {width / units:.4f} {height / units:.4f}"
    attributes = (
        f' width="{width}" height="{height}" viewBox="{view}" preserveAspectRatio="none"'
        + (f' opacity="{colour.alphaF():.4f}"' if colour.alpha() < 255 else "")
    )

    def root(match: re.Match[str]) -> str:
        bare = _ROOT_SIZE.sub("", match[0])
        return bare[:-1].rstrip("/").rstrip() + attributes + (" />" if bare.endswith("/>") else ">")

    svg = _ROOT.sub(root, drawing.svg, count=1)
    return _PAINT.sub(lambda m: f'{m[1]}="{colour.name()}"', svg).encode()


def _painted(drawing: Drawing, style: Style, top: float, size: tuple[int, int]) -> QImage:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(style.dpr, style.dpr)
    rect = QRectF(0, top, drawing.width * style.scale, drawing.height * style.scale)
    QSvgRenderer(QByteArray(drawing.svg.encode())).render(painter, rect)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(image.rect(), QColor.fromRgba(style.colour))
    painter.end()
    return image


def rasterise(
    drawing: Drawing, style: Style, pace: Callable[[], None] = lambda: None
) -> tuple[tuple[int, int, int], str]:
    """The drawing at ``style``: its fitted geometry (above, below, width, see
    Drawing.fitted) and a ``data:`` URL of a PNG of it, its shape in the style's colour on
    transparent. Any thread; lets go of the GIL while it renders and encodes (``pace``
    called before each: the formula thread's)."""
    above, below, width = fitted = drawing.fitted(style.scale)
    size = (max(1, round(width * style.dpr)), max(1, round((above + below) * style.dpr)))
    top = above - drawing.ascent * style.scale
    source = QBuffer()
    source.setData(QByteArray(framed_svg(drawing, style, top, size)))
    source.open(QIODevice.OpenModeFlag.ReadOnly)
    pace()
    image = QImageReader(source, b"svg").read()
    if image.isNull():  # no SVG image plugin (a stripped install): QtSvg's renderer itself
        image = _painted(drawing, style, top, size)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pace()
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide's stub says bytes
    url = "data:image/png;base64," + base64.b64encode(bytes(data.data())).decode("ascii")
    return fitted, url


class Rasters:
    """The formula thread's rasters: plain Python (the thread holds this, never a QObject),
    shared under a lock with the UI thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._styles: list[Style] = []
        self._ready: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self.made = 0  # rasterised in the thread, for the tests and benchmarks

    def want(self, style: Style) -> None:
        """Rasterise the drawings to come at ``style`` too (UI thread)."""
        with self._lock:
            if self._styles[:1] == [style]:
                return
            if style in self._styles:
                self._styles.remove(style)
            self._styles.insert(0, style)
            del self._styles[STYLES:]

    def finish(
        self, key: tuple[str, bool], drawing: Drawing, pace: Callable[[], None] = lambda: None
    ) -> None:
        """The formula thread: ``drawing`` rasterised at each style wanted, paced."""
        with self._lock:
            styles = list(self._styles)
        for style in styles:
            (above, below, width), url = rasterise(drawing, style, pace)
            with self._lock:
                self._ready[raster_key(key, style, width, above + below)] = url
                while len(self._ready) > READY:
                    self._ready.popitem(last=False)
            self.made += 1

    def take(self, key: tuple[Any, ...]) -> str | None:
        """A raster made in the thread, handed over (the caller keeps it: UI thread)."""
        with self._lock:
            return self._ready.pop(key, None)


class FormulaController(QObject):
    # [(latex, display), …]: drawn (or found not to parse) since the last signal
    drawn = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The thread only appends to the drawer's deque; the timer takes the results in here.
        self._drawer = Drawer()
        self.rasters = Rasters()
        self._drawer.finish = self.rasters.finish
        # The thread renders with Qt: stopped before Qt is torn down (quitting, or the
        # interpreter's exit when no loop ran), never left rasterising as QApplication goes.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._drawer.close)
        atexit.register(self._drawer.close)
        self._timer = QTimer(self)
        self._timer.setInterval(TAKE_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    PENDING: Any = Drawer.PENDING

    @property
    def drawer(self) -> Drawer:
        return self._drawer

    def drawing(self, latex: str, display: bool) -> Drawing | Any | None:
        """The drawing, None (does not parse) or ``PENDING`` (asked for; ``drawn`` follows)."""
        found = self._drawer.get(latex, display)
        if found is Drawer.PENDING and not self._timer.isActive():
            self._timer.start()
        return found

    def _on_timer_timeout(self) -> None:
        taken = self._drawer.take(TAKE_AT_ONCE)
        if not self._drawer.waiting():
            self._timer.stop()
        if taken:
            self.drawn.emit(taken)

    def close(self) -> None:
        self._timer.stop()
        self._drawer.close()
        atexit.unregister(self._drawer.close)
