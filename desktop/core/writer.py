"""Files written in a thread of their own, so that a write and its fsyncs never stall the window.

One worker thread (a ``ThreadPoolExecutor`` of one) writes the files in the order they were
first asked for. Writes to one path are serialised, and the latest wins: a write asked for
while an earlier one of the same path still waits its turn replaces that earlier one's data
(both callers' futures complete when the newer data is on disk, which holds everything the
older did: a conversation is written whole each time). Nothing is ever dropped unwritten
except data a newer write of the same path replaced.

``wait()`` blocks until everything asked for so far is written (quit, delete, tests); the
executor's own exit hook makes the interpreter finish the queue before it exits. A failed
write's future holds its exception (WriteFailedError for an OSError); the caller reports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.atomic import write_bytes_atomic

# The file's bytes, or what makes them (called in the worker thread: making the text of a
# conversation is work the UI thread need not do), whole or in pieces written one by one.
Data = bytes | Callable[[], bytes | list[bytes]]


@dataclass
class _Job:
    data: Data
    future: Future[None] = field(default_factory=Future)


class FileWriter:
    """Writes files atomically (``write``, by default desktop/core/atomic.py) in one thread."""

    def __init__(
        self,
        write: Callable[[Path, bytes | list[bytes]], None] = write_bytes_atomic,
        name: str = "confab-writer",
    ) -> None:
        self.write = write
        self._name = name
        self._lock = threading.Lock()
        self._queued: dict[Path, _Job] = {}  # not started: a newer write replaces the data
        self._unfinished = 0  # jobs queued or being written
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, path: Path, data: Data) -> Future[None]:
        """Write ``data`` to ``path`` soon; the future completes when it is on disk (or with
        the write's exception)."""
        with self._lock:
            job = self._queued.get(path)
            if job is not None:
                job.data = data  # the newer wins; it waits where the older did
                return job.future
            job = self._queued[path] = _Job(data)
            self._unfinished += 1
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix=self._name)
            self._executor.submit(self._run, path)
            return job.future

    def _run(self, path: Path) -> None:
        with self._lock:
            job = self._queued.pop(path)
        try:
            data = job.data() if callable(job.data) else job.data
            self.write(path, data)
        except BaseException as exc:
            self._finished()
            job.future.set_exception(exc)
        else:
            self._finished()
            job.future.set_result(None)

    def _finished(self) -> None:
        with self._lock:
            self._unfinished -= 1

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every write asked for so far has ended (written or failed); False if
        ``timeout`` seconds passed first."""
        with self._lock:
            executor = self._executor
            if executor is None:
                return True
            # The one worker takes jobs in order: this marker ends after all before it.
            marker = executor.submit(_nothing)
        try:
            marker.result(timeout)
        except TimeoutError:
            return False
        return True

    @property
    def idle(self) -> bool:
        """Nothing waiting or being written."""
        with self._lock:
            return self._unfinished == 0

    def close(self) -> None:
        """Finish every write asked for and stop the thread (a later submit starts another)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


def _nothing() -> None:
    return None
