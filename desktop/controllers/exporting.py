"""An export (desktop/core/services/exporting.py) run for the window: in a QThread of its
own (PDF printing needs one: see desktop/controllers/pdf.py), with its progress, Cancel and
outcome taken in on the UI thread.

The thread touches no Qt object but itself: it appends its progress to a deque and keeps its
outcome; a timer on the UI thread, running only while the export does, takes them in and
emits ``progressed``, then ``finished`` (an ExportResult, cancelled or not) or ``failed`` (a
ConfabError). The job holds its thread until the thread has ended.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from desktop.core.errors import ConfabError, StorageError
from desktop.core.services.exporting import Exporter, ExportResult

log = logging.getLogger("confab.export")

POLL_MS = 50


class _Thread(QThread):
    def __init__(self, exporter: Exporter, ids: Sequence[str] | None, fmt: str, out: Path) -> None:
        super().__init__()
        self.setObjectName("confab-export")
        self._exporter, self._ids, self._fmt, self._out = exporter, ids, fmt, out
        self.progress: deque[tuple[int, int]] = deque(maxlen=1)
        self.cancel = threading.Event()
        self.outcome: ExportResult | ConfabError | None = None

    def run(self) -> None:
        try:
            self.outcome = self._exporter.run(
                self._ids,
                self._fmt,
                self._out,
                progress=lambda done, total: self.progress.append((done, total)),
                cancelled=self.cancel.is_set,
            )
        except ConfabError as exc:
            self.outcome = exc
        except Exception as exc:  # a bug: said as a failure, never a crash of the thread
            log.exception("the export to %s failed", self._out)
            self.outcome = StorageError(f"{type(exc).__name__}: {exc}")


class ExportJob(QObject):
    progressed = Signal(int, int)  # done, total
    finished = Signal(object)  # ExportResult (``cancelled`` when the user stopped it)
    failed = Signal(object)  # ConfabError

    def __init__(self, exporter: Exporter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._exporter = exporter
        self._thread: _Thread | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, ids: Sequence[str] | None, fmt: str, out: Path) -> None:
        """Export ``ids`` (None: everything) as ``fmt`` to ``out``, in the export thread."""
        if self._thread is not None:
            raise RuntimeError("an export is already under way")
        self._thread = _Thread(self._exporter, ids, fmt, out)
        self._thread.start()
        self._timer.start()

    @property
    def cancelled(self) -> bool:
        """Cancel was asked for and the thread has not ended yet."""
        return self._thread is not None and self._thread.cancel.is_set()

    def cancel(self) -> None:
        if self._thread is not None:
            self._thread.cancel.set()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the thread has ended (closing the window, tests), and take it in."""
        if self._thread is not None and not self._thread.wait(timeout_ms):
            return False
        self._on_timer_timeout()
        return True

    def _on_timer_timeout(self) -> None:
        thread = self._thread
        if thread is None:
            return
        if thread.progress:
            self.progressed.emit(*thread.progress[-1])
        if not thread.isFinished():
            return
        self._timer.stop()
        self._thread = None
        outcome = thread.outcome
        thread.wait()
        thread.deleteLater()
        if isinstance(outcome, ExportResult):
            self.finished.emit(outcome)
        else:
            self.failed.emit(outcome or StorageError("the export ended without a result"))
