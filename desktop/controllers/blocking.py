"""The one way controllers run blocking work off the UI thread.

A ``Worker`` is one thread of its own (started at its first job) that runs the jobs in the
order they were given, so that a keyring write and the read after it cannot pass each other. A
coroutine awaits ``run``; the UI thread goes on meanwhile (a locked keyring may wait for the
user's password for minutes). A job must hold no Qt object: when it ends, the worker thread
drops the job, and a Qt object whose last reference that was would be destroyed in that thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

_T = TypeVar("_T")


class Worker:
    def __init__(self, name: str) -> None:
        self._name = name
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., _T], *args: Any) -> Future[_T]:
        """Run ``fn(*args)`` in the worker thread after the jobs given before it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix=self._name)
        return self._executor.submit(fn, *args)

    async def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)`` in the worker thread, awaited: its result or its exception."""
        import asyncio

        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix=self._name)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def close(self, *, wait: bool = True) -> None:
        """No more jobs: the thread ends after the ones given so far; ``wait`` for that here
        (else Python waits for it at exit)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait)
