"""Python's cycle collector, run on the UI thread only.

The collector runs in whichever thread happens to allocate when a generation's count passes its
threshold. Confab has threads of its own (the writer, the executor's workers): if one of them
ran it, it could free a cycle holding a Qt object and so destroy that object outside the UI
thread, which Qt does not survive. So automatic collection is off, and a timer on the UI thread
does what the automatic collector would: a generation is collected once its count passes the
threshold (checked every ``INTERVAL_MS``; reference counting still frees everything not in a
cycle at once).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


def collect_due() -> int:
    """Collect the oldest generation whose count passed its threshold; -1 when none did."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    due = -1
    for generation in range(3):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            due = generation
        else:
            break
    if due >= 0:
        gc.collect(due)
    return due


class UiThreadCollector(QObject):
    """Turns automatic collection off for as long as it lives, and collects on a timer."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(collect_due)
        self._timer.start()

    def stop(self) -> None:
        """Automatic collection as it was before."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
