"""The window's icons: Lucide's outline icons (resources/icons/lucide, ISC licence), drawn in
the palette's colours, so that they follow the theme, and at 1x and 2x (and the screen's own
scale), so that they stay sharp.

An SVG is drawn by Qt's SVG image plugin (QImageReader: no Python module to import before the
first paint; ~0.1 ms an image here), each icon once per name, size, tone and palette.
qtawesome was measured for this and not taken: importing it cost 170 ms here and its first
icon 40 ms more (it loads every font it bundles), more than the bare window's whole first
paint.

``set_icon(button, "copy")`` gives a button its icon and remembers which, so that
``refresh(window)`` draws them again after the palette changed (a theme switched live).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QImageReader,
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
        text = _sources[name] = (FOLDER / f"{name}.svg").read_text(encoding="utf-8")
    return text


def _ratios() -> list[float]:
    ratios = {1.0, 2.0}
    for screen in QGuiApplication.screens():
        ratios.add(float(screen.devicePixelRatio()))
    return sorted(ratios)


def _draw(svg: str, colour: QColor, size: int, ratio: float, filled: bool) -> QPixmap:
    text = svg.replace("currentColor", colour.name())
    if filled:
        text = text.replace('fill="none"', f'fill="{colour.name()}"', 1)
    buffer = QBuffer()
    buffer.setData(QByteArray(text.encode("utf-8")))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, QByteArray(b"svg"))
    pixels = round(size * ratio)
    reader.setScaledSize(QSize(pixels, pixels))
    pixmap = QPixmap.fromImage(reader.read())
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def icon(
    name: str,
    *,
    tone: str = "muted",
    size: int = DEFAULT_SIZE,
    filled: bool = False,
    palette: QPalette | None = None,
) -> QIcon:
    """The icon ``name`` (a file of resources/icons/lucide) in ``tone``: normal in the tone,
    hovered (Active) in the text's colour, disabled faint, checked (On) in the accent."""
    palette = palette or QApplication.palette()
    colours = _colours(palette)
    key = (name, size, tone, filled, tuple(c.name() for c in colours.values()))
    made = _cache.get(key)
    if made is not None:
        return made
    svg = source(name)
    normal = colours[tone]
    strong = normal if tone in ("on_accent", "accent", "error") else colours["strong"]
    made = QIcon()
    drawn = (
        (QIcon.Mode.Normal, QIcon.State.Off, normal),
        (QIcon.Mode.Active, QIcon.State.Off, strong),
        (QIcon.Mode.Disabled, QIcon.State.Off, colours["disabled"]),
        (QIcon.Mode.Normal, QIcon.State.On, colours["accent"]),
        (QIcon.Mode.Active, QIcon.State.On, colours["accent"]),
        (QIcon.Mode.Disabled, QIcon.State.On, colours["disabled"]),
    )
    for ratio in _ratios():
        for mode, state, colour in drawn:
            made.addPixmap(_draw(svg, colour, size, ratio, filled), mode, state)
    _cache[key] = made
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
