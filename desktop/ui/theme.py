"""Light or dark: the style sheet, the palette, and the colours replies are rendered in."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.ui import icons

THEMES = ("auto", "light", "dark")


def wants_dark(choice: str | None = None) -> bool:
    """``choice`` (or $CONFAB_THEME): light, dark, or auto = follow the system."""
    choice = (choice or os.environ.get("CONFAB_THEME") or "auto").lower()
    if choice in ("light", "dark"):
        return choice == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def _dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#1e1f22",
        QPalette.ColorRole.WindowText: "#e6e7ea",
        QPalette.ColorRole.Base: "#26282c",
        QPalette.ColorRole.AlternateBase: "#2a2c30",
        QPalette.ColorRole.Text: "#e6e7ea",
        QPalette.ColorRole.Button: "#2a2c31",
        QPalette.ColorRole.ButtonText: "#e6e7ea",
        QPalette.ColorRole.ToolTipBase: "#2a2c31",
        QPalette.ColorRole.ToolTipText: "#e6e7ea",
        QPalette.ColorRole.Highlight: "#2f6fe4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8b9099",
        QPalette.ColorRole.Link: "#7aa2f7",
        QPalette.ColorRole.BrightText: "#ffffff",
    }
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b6f76"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6b6f76"))
    return palette


def apply_theme(app: QApplication, resources: Path, dark: bool) -> None:
    """Style the application light or dark; again at any time (a theme switched live): the
    icons already shown are drawn again in the new palette's colours."""
    app.setStyle("Fusion")
    if dark:
        app.setPalette(_dark_palette())
    elif icons.is_dark(app.palette()):
        app.setPalette(app.style().standardPalette())  # back from dark
    sheet = resources / "styles" / ("confab-dark.qss" if dark else "confab.qss")
    try:
        text = sheet.read_text(encoding="utf-8")
    except OSError:
        text = ""
    app.setStyleSheet(text.replace("@ICONS@", (resources / "icons").as_posix()))
    for window in app.topLevelWidgets():
        icons.refresh(window)
