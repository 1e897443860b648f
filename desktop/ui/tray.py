"""The tray icon and its menu: New Conversation, Quick Ask, Show Confab, Quit.

Shown only when the user wants it (``tray_icon``, on by default) and the desktop has a tray
(``QSystemTrayIcon.isSystemTrayAvailable``: GNOME without its AppIndicator extension has none).
The menu exists either way, so that what it does does not depend on a tray being there.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon


class Tray(QObject):
    new_requested = Signal()
    quick_requested = Signal()
    show_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal()

    def __init__(
        self,
        icon: QIcon,
        parent: QObject | None = None,
        *,
        available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
    ) -> None:
        super().__init__(parent)
        self._icon_image = icon
        self._available = available
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.new_action = self._add(self.tr("New Conversation"), self.new_requested)
        self.quick_action = self._add(self.tr("Quick Ask"), self.quick_requested)
        self.show_action = self._add(self.tr("Show Confab"), self.show_requested)
        self.menu.addSeparator()
        self.quit_action = self._add(self.tr("Quit Confab"), self.quit_requested)
        self.icon: QSystemTrayIcon | None = None

    def _add(self, text: str, signal: SignalInstance) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(signal.emit)
        return action

    @property
    def visible(self) -> bool:
        return self.icon is not None and self.icon.isVisible()

    def set_wanted(self, wanted: bool) -> bool:
        """The icon shown (True) or taken away; shown only where there is a tray."""
        if wanted and self.icon is None and self._available():
            icon = QSystemTrayIcon(self._icon_image, self)
            icon.setToolTip("Confab")
            icon.setContextMenu(self.menu)
            icon.activated.connect(self._on_icon_activated)
            icon.messageClicked.connect(self.message_clicked.emit)
            icon.show()
            self.icon = icon
        elif not wanted and self.icon is not None:
            self.icon.hide()
            self.icon.deleteLater()
            self.icon = None
        return self.visible

    def show_message(self, title: str, text: str) -> bool:
        """A balloon from the icon (Windows and macOS show it as a system notification)."""
        if not self.visible or not QSystemTrayIcon.supportsMessages():
            return False
        assert self.icon is not None
        self.icon.showMessage(title, text, self._icon_image)
        return True

    def close(self) -> None:
        self.set_wanted(False)
        self.menu.deleteLater()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()
