"""Timers a test fires by hand: time passes when the test says so, not when the machine
gets round to it (a loaded machine cannot make a test late, a fast one does not wait)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer


class ManualTimer(QTimer):
    """A QTimer that never fires by itself. The code under test starts, stops and configures
    it as usual; fire() is one timeout."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running = False

    def start(self, *args: Any) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False

    def isActive(self) -> bool:
        return self.running

    def fire(self) -> None:
        assert self.running, "fired a timer that the code under test did not start"
        if self.isSingleShot():
            self.running = False
        self.timeout.emit()


class ManualTimers:
    """A timer factory (``Callable[[QObject], QTimer]``) that remembers what it made."""

    def __init__(self) -> None:
        self.made: list[ManualTimer] = []

    def __call__(self, parent: QObject | None = None) -> ManualTimer:
        timer = ManualTimer(parent)
        self.made.append(timer)
        return timer

    @property
    def only(self) -> ManualTimer:
        [timer] = self.made
        return timer
