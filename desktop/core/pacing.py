"""Short turns at the GIL for Confab's background threads (the token table's loading, the
counting thread, the writer's encoding), so that the UI thread never queues behind them.

PySide6 releases the GIL in most calls into Qt, and a thread that wants it back waits until the
one holding it lets go: after the interpreter's switch interval (5 ms) when that one is busy in
Python. A window building a message (~35 calls into Qt) next to a thread that computes without
a pause waited 5-10 ms at each call: 8 ms of work became 120 ms (a send into 5,000 messages
while the writer encoded them), and the token table's load (~0.3 s of Python) stretched the
window's events the same way (20 replies streaming at once: stalls of 58-74 ms). Yielding with
``time.sleep(0)`` does not help, since the busy thread asks for the GIL again at once; a real
rest does: a thread that runs ``BURST_S`` at most and then sleeps ``REST_S`` leaves the UI
thread a free GIL a third of the time and makes it wait ``BURST_S`` at most meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable

BURST_S = 0.002
REST_S = 0.001


class Pace:
    """Call between two steps of background work: sleeps ``rest_s`` once ``burst_s`` has
    passed since the last rest (or since it was made). One per run of work, not shared between
    threads."""

    def __init__(
        self,
        burst_s: float = BURST_S,
        rest_s: float = REST_S,
        *,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._burst_s = burst_s
        self._rest_s = rest_s
        self._clock = clock
        self._sleep = sleep
        self._since = clock()

    def __call__(self) -> None:
        if self._clock() - self._since >= self._burst_s:
            self._sleep(self._rest_s)
            self._since = self._clock()
