"""An import (desktop/core/services/importing.py) for Qt: run in a thread of its own, its
progress and its report taken in on the UI thread.

The importing thread holds no Qt object: it appends its progress, the ids it wrote and, at the
end, the report to deques (``deque.append`` is thread-safe), and a timer on the UI thread,
running only while an import is under way, takes them in and emits ``progressed`` and
``finished``. The list learns of the files the way it learns of a sync tool's: the index reads
them at a rescan, once the import has ended (``ConversationsController.hold_rescans``: read as
they arrived, the index and list threads fought the importing thread for the GIL and the window
stalled). A conversation the window has in memory is not written by the importing thread
(``Importer(held=…)``): it is merged into the window's own object at the end, on the UI thread
(``ConversationsController.take_imported``), and saved from there; written behind the app's
back, its next save (a reply streaming in) would have set the import's version aside as a copy.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.models import Clock, utc_now
from desktop.core.services.importing import Importer, ImportProgress, ImportReport, Reading

if TYPE_CHECKING:
    from desktop.controllers.conversations import ConversationsController

log = logging.getLogger("confab.import")

# How often the UI thread looks at the import's progress.
POLL_MS = 50


class ImportController(QObject):
    started = Signal()
    progressed = Signal(object)  # ImportProgress
    finished = Signal(object)  # ImportReport

    def __init__(
        self,
        conversations: ConversationsController,
        parent: QObject | None = None,
        *,
        reading: Reading | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(parent)
        self._conversations = conversations
        self._reading = reading
        self._clock = clock
        self._executor: ThreadPoolExecutor | None = None
        self._future: Future[ImportReport] | None = None
        self._cancel = threading.Event()
        self._progress: deque[ImportProgress] = deque(maxlen=1)
        self._ended: deque[None] = deque()
        self.last_progress: ImportProgress | None = None
        self.last_report: ImportReport | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)

    @property
    def running(self) -> bool:
        return self._future is not None

    @property
    def cancelling(self) -> bool:
        return self.running and self._cancel.is_set()

    def start(self, paths: Iterable[Path]) -> bool:
        """Import ``paths`` in the importing thread; False if an import is under way."""
        if self._future is not None:
            return False
        paths = list(paths)
        self._cancel = threading.Event()
        self.last_progress = None
        self.last_report = None
        importer = Importer(
            self._conversations.store,
            reading=self._reading,
            clock=self._clock,
            cancelled=self._cancel.is_set,
            progress=self._progress.append,
            held=self._conversations.is_loaded,
        )
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="confab-import")
        log.info("importing %s", ", ".join(str(p) for p in paths))
        self._future = self._executor.submit(importer.run, paths)
        self._future.add_done_callback(functools.partial(_ended, self._ended))
        self._conversations.hold_rescans(True)
        self._poll.start()
        self.started.emit()
        return True

    def cancel(self) -> None:
        """Stop between two conversations: what was imported stays."""
        if self._future is not None:
            self._cancel.set()

    def wait(self) -> None:
        """Block until the import has ended and take its outcome in (tests, quitting)."""
        future = self._future
        if future is not None:
            future.exception()
        self._on_poll_timeout()

    async def shutdown(self) -> None:
        """At quit: cancel the import under way and wait for it (it stops between two
        conversations), then stop the thread."""
        import asyncio

        future = self._future
        if future is not None:
            self._cancel.set()
            await asyncio.wrap_future(future)
            self._on_poll_timeout()
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def _on_poll_timeout(self) -> None:
        if self._progress:
            self.last_progress = self._progress.popleft()
            self.progressed.emit(self.last_progress)
        if not self._ended:
            return
        self._ended.clear()
        future, self._future = self._future, None
        self._poll.stop()
        assert future is not None
        error = future.exception()
        if error is not None:
            log.error("the import failed", exc_info=error)
            report = ImportReport()
            from desktop.core.services.importing import READER, Skipped

            report.skipped.append(Skipped("", f"{type(error).__name__}: {error}", READER))
        else:
            report = future.result()
        del future
        self._take_held(report)
        self._conversations.hold_rescans(False)  # the index reads what was written
        self.last_report = report
        self.finished.emit(report)

    def _take_held(self, report: ImportReport) -> None:
        """The conversations the window had in memory, merged into them here (the importing
        thread left their files alone), and counted as the importer counts the others."""
        from desktop.core.services.importing import IN_USE, Skipped

        now = self._clock()
        for incoming in report.held:
            taken = self._conversations.take_imported(incoming, now)
            if taken is None:  # closed before the import ended: its file is as it was
                why = "open in Confab during the import: import again to bring it in"
                report.skipped.append(Skipped(incoming.title or incoming.id, why, IN_USE))
            elif taken[0]:
                report.updated += 1
                report.messages += taken[1]
                report.written.append(incoming.id)
            else:
                report.unchanged += 1
        report.held.clear()


def _ended(ended: deque[None], _future: Future[ImportReport]) -> None:
    """In the importing thread: the import ended (taken in on the UI thread)."""
    ended.append(None)
