"""The window's icons: Lucide's outline icons (resources/icons/lucide, ISC licence), drawn in
the palette's colours, so that they follow the theme, and at the size and pixel ratio they are
painted at (1x, 2x, a screen's own scale), so that they stay sharp.

An SVG is drawn by Qt's SVG image plugin (QImageReader: no Python module to import before the
first paint; ~0.1 ms an image here, the plugin's first load ~3 ms), by an icon engine that
draws each mode and size only when it is painted. qtawesome was measured for this and not
taken: importing it cost 170 ms here and its first icon 40 ms more (it loads every font it
bundles), more than the bare window's whole first paint.

``set_icon(button, "copy")`` gives a button its icon and remembers which, so that
``refresh(window)`` draws them again after the palette changed (a theme switched live).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QIcon,
    QIconEngine,
    QImage,
    QImageReader,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QAbstractButton, QApplication, QToolButton, QWidget


def _folder() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    root = Path(bundle) if bundle else Path(__file__).resolve().parents[2]
    return root / "resources" / "icons" / "lucide"


FOLDER = _folder()
# The tones an icon is drawn in, each from the palette (see _colours).
TONES = ("muted", "text", "accent", "on_accent", "error")
DEFAULT_SIZE = 16
# Each icon's name, tone and size, kept on the widget for refresh().
_PROPERTY = "confabIcon"

_sources: dict[str, str] = {}
_EMPTY = '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"/>'
_cache: dict[tuple[str, int, str, bool, tuple[str, ...]], QIcon] = {}


def mix(one: QColor, other: QColor, amount: float) -> QColor:
    """``one`` moved ``amount`` (0-1) of the way towards ``other``."""
    return QColor(
        round(one.red() + (other.red() - one.red()) * amount),
        round(one.green() + (other.green() - one.green()) * amount),
        round(one.blue() + (other.blue() - one.blue()) * amount),
    )


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _colours(palette: QPalette) -> dict[str, QColor]:
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    dark = is_dark(palette)
    accent = QColor("#7aa2f7" if dark else "#2f6fe4")
    return {
        # Quiet, yet at least 3:1 on the window (WCAG's figure for a control's parts).
        "muted": mix(text, window, 0.38),
        "text": text,
        "accent": accent,
        "on_accent": QColor("#ffffff"),
        "error": QColor("#f97066" if dark else "#b42318"),
        "disabled": mix(text, window, 0.7),
        "strong": text,
    }


def source(name: str) -> str:
    """The SVG text of the icon ``name`` (its stroke in ``currentColor``)."""
    text = _sources.get(name)
    if text is None:
        try:
            text = (FOLDER / f"{name}.svg").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            # A bundle without its icons still starts: the buttons keep their text.
            text = _EMPTY
        _sources[name] = text
    return text


def _draw(svg: str, colour: QColor, pixels: QSize, filled: bool) -> QImage:
    text = svg.replace("currentColor", colour.name())
    if filled:
        text = text.replace('fill="none"', f'fill="{colour.name()}"', 1)
    buffer = QBuffer()
    buffer.setData(QByteArray(text.encode("utf-8")))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, QByteArray(b"svg"))
    reader.setScaledSize(pixels)
    return reader.read()


class _Engine(QIconEngine):
    """Draws the SVG when Qt asks for a size, mode and state, at the device's pixel ratio
    (so only what is painted is drawn: an eager 1x and 2x of every mode cost 3 ms an icon,
    before the first paint)."""

    def __init__(
        self, svg: str, colours: dict[tuple[QIcon.Mode, QIcon.State], QColor], filled: bool
    ):
        super().__init__()
        self._svg = svg
        self._colours = colours
        self._filled = filled
        self._drawn: dict[tuple[int, int, QIcon.Mode, QIcon.State], QPixmap] = {}

    def _colour(self, mode: QIcon.Mode, state: QIcon.State) -> QColor:
        if mode == QIcon.Mode.Selected:
            mode = QIcon.Mode.Active
        return self._colours[(mode, state)]

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        side = min(size.width(), size.height())
        pixels = max(1, round(side * max(scale, 1.0)))
        key = (side, pixels, mode, state)
        pixmap = self._drawn.get(key)
        if pixmap is None:
            image = _draw(self._svg, self._colour(mode, state), QSize(pixels, pixels), self._filled)
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(pixels / side if side else 1.0)
            if len(self._drawn) > 32:
                self._drawn.clear()
            self._drawn[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        pixmap = self.scaledPixmap(rect.size(), mode, state, ratio)
        side = min(rect.width(), rect.height())
        target = QRect(0, 0, side, side)
        target.moveCenter(rect.center())
        painter.drawPixmap(target, pixmap)

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())
        return QSize(side, side)

    def clone(self) -> QIconEngine:
        twin = _Engine(self._svg, self._colours, self._filled)
        _engines.append(twin)
        return twin

    def key(self) -> str:
        return "confab-svg"


# Every engine made stays referenced here: a QIcon owns its engine in C++, and Python must
# never free one under it. (A few dozen, each a few hundred bytes.)
_engines: list[_Engine] = []


def icon(
    name: str,
    *,
    tone: str = "muted",
    size: int = DEFAULT_SIZE,
    filled: bool = False,
    palette: QPalette | None = None,
) -> QIcon:
    """The icon ``name`` (a file of resources/icons/lucide) in ``tone``: normal in the tone,
    hovered (Active) in the text's colour, disabled faint, checked (On) in the accent; drawn
    at the size and pixel ratio it is painted at."""
    palette = palette or QApplication.palette()
    colours = _colours(palette)
    key = (name, size, tone, filled, tuple(c.name() for c in colours.values()))
    made = _cache.get(key)
    if made is not None:
        return made
    normal = colours[tone]
    strong = normal if tone in ("on_accent", "accent", "error") else colours["strong"]
    off, on = QIcon.State.Off, QIcon.State.On
    engine = _Engine(
        source(name),
        {
            (QIcon.Mode.Normal, off): normal,
            (QIcon.Mode.Active, off): strong,
            (QIcon.Mode.Disabled, off): colours["disabled"],
            (QIcon.Mode.Normal, on): colours["accent"],
            (QIcon.Mode.Active, on): colours["accent"],
            (QIcon.Mode.Disabled, on): colours["disabled"],
        },
        filled,
    )
    _engines.append(engine)
    made = _cache[key] = QIcon(engine)
    return made


def set_icon(
    button: QAbstractButton,
    name: str,
    *,
    tone: str = "muted",
    size: int = DEFAULT_SIZE,
    filled: bool = False,
) -> None:
    """Give ``button`` the icon ``name`` at ``size`` pixels, drawn again by ``refresh``."""
    button.setProperty(_PROPERTY, f"{name}|{tone}|{size}|{int(filled)}")
    button.setIcon(icon(name, tone=tone, size=size, filled=filled))
    button.setIconSize(QSize(size, size))


def icon_of(button: QAbstractButton) -> str:
    """The name of the icon ``set_icon`` gave ``button`` ("" for none)."""
    value = button.property(_PROPERTY)
    return str(value).split("|", 1)[0] if value else ""


def refresh(root: QWidget) -> None:
    """Draw the icons of ``root`` and its children again in the palette's colours now."""
    widgets = [root, *root.findChildren(QAbstractButton)]
    for widget in widgets:
        value = widget.property(_PROPERTY) if isinstance(widget, QAbstractButton) else None
        if value and isinstance(widget, QAbstractButton):
            name, tone, size, filled = str(value).split("|")
            widget.setIcon(icon(name, tone=tone, size=int(size), filled=filled == "1"))


def blank(size: int = DEFAULT_SIZE) -> QIcon:
    """A transparent icon: a button that keeps its place and its name but shows nothing."""
    key = ("", size, "blank", False, ())
    made = _cache.get(key)
    if made is None:
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(0, 0, 0, 0))
        made = _cache[key] = QIcon(pixmap)
    return made


class IconButton(QToolButton):
    """A button that shows only its icon: its tooltip says what it does and is its
    accessible name; ``text`` stays the button's short name (menus show it). A message shows
    the name of the one the keyboard's focus is on beside its row (MessageWidget)."""

    def __init__(
        self,
        name: str,
        text: str,
        tooltip: str,
        *,
        tone: str = "muted",
        size: int = DEFAULT_SIZE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        set_icon(self, name, tone=tone, size=size)
        self.set_tooltip(tooltip)

    def set_tooltip(self, tooltip: str) -> None:
        self.setToolTip(tooltip)  # (our own words, never data)
        self.setAccessibleName(tooltip)
