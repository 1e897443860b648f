"""``FormulaController``: core's formula drawer (desktop/core/formulas.py) for Qt: its thread's
drawings taken in on the UI thread by a 5 ms timer that runs only while some are awaited, and
announced with ``drawn``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.formulas import Drawer, Drawing

TAKE_INTERVAL_MS = 5
# Formulas taken in per tick: each costs the window its raster (~0.5-5 ms) and a label laid
# out again; the thread can finish dozens between two ticks of a busy loop, and swapping
# them all in at once was a stall of its own.
TAKE_AT_ONCE = 4


class FormulaController(QObject):
    # [(latex, display), …]: drawn (or found not to parse) since the last signal
    drawn = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The thread only appends to the drawer's deque; the timer takes the results in here.
        self._drawer = Drawer()
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
