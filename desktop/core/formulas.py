"""LaTeX formulas drawn as SVG in pure Python (ziamath, on latex2mathml), and the thread that
draws them for the window.

Measured here (2 shared cores): importing ziamath costs ~180 ms and ~35 MiB; a formula costs
2-4 ms (``x^2``, ``\\frac{a}{b}``) to 15-30 ms (``\\int_0^\\infty e^{-x^2}dx = …``, a limit
with fractions); its SVG is 2-13 KB. That is too slow for the UI thread of a reply that
streams formulas (a flush is due every 33 ms and should take a few), so the window has them
drawn by ``Drawer``'s thread and shows a formula's source until its drawing is ready.

A drawing is made once per (LaTeX, display) at ``REFERENCE_PX`` and scaled: its SVG is vector,
in ``currentColor``, so the colour and the size are the rasteriser's business (the window's
desktop/ui/formula_images.py; the HTML export inlines the SVG itself and the page's colour
applies).

ziamath is pure Python that holds the GIL for the whole formula; a thread busy with it would
make every call the window makes into Qt wait for the interpreter's switch interval (see
desktop/core/pacing.py). ``Drawer`` therefore paces it: a ``Pace`` is called as each node of
the formula is laid out and drawn (ziamath's ``Mnode.fromelement`` and ``Mnode.draw``, wrapped
once), so the thread rests 1 ms every 2 ms.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import warnings
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from desktop.core.pacing import Pace

__all__ = [
    "REFERENCE_PX",
    "Drawer",
    "Drawing",
    "Formula",
    "draw",
    "load",
]

log = logging.getLogger(__name__)

# The size drawings are made at (the em, in pixels); a view scales them to its font.
REFERENCE_PX = 16.0
# Longer LaTeX is not drawn (shown as typed): a formula of pages is a mistake, or an attack.
MAX_LATEX_CHARS = 4_000
# Drawings kept (LRU): a few KB each.
CACHE_SIZE = 2_000
# (burst, rest) while a reply streams. The window's layout calls Python (the labels' size
# hints) thousands of times a second, each call waiting for the GIL; bursts of 2 ms (the
# Pace's default) made the stream of 200 formulas stall 70-100 ms, as long again as the
# ordinary stream measured in the same run; 0.5 ms bursts a fifth of the time kept it within
# the stream's targets, the formulas drawn a few seconds after the reply's end.
GENTLE = (0.0005, 0.002)
HELD_REST_S = 0.0005


@dataclass(frozen=True)
class Formula:
    """A formula as the Markdown found it."""

    source: str  # as typed, delimiters included ("$x^2$", "\\[…\\]"): what Copy gives back
    latex: str  # between the delimiters
    display: bool  # display style ($$…$$, \\[…\\], environments), else inline

    @property
    def key(self) -> tuple[str, bool]:
        return (self.latex, self.display)


@dataclass(frozen=True)
class Drawing:
    """A formula drawn at REFERENCE_PX: an SVG whose user units are pixels, its baseline at
    ``ascent`` from the top."""

    svg: str
    width: float
    ascent: float  # above the baseline
    depth: float  # below the baseline

    @property
    def height(self) -> float:
        return self.ascent + self.depth

    def fitted(self, scale: float) -> tuple[int, int, int]:
        """(above, below, width): the whole pixels the drawing at ``scale`` takes above and
        below the baseline (the baseline on a pixel's edge; at least one more above than
        below) and across."""
        above = math.ceil(self.ascent * scale)
        below = max(math.ceil(self.depth * scale), 0)
        if above - below < 1:
            above = below + 1  # deeper than tall (rare): room above, for the view's span
        return above, below, max(math.ceil(self.width * scale), 1)


_lock = threading.Lock()  # ziamath keeps global state (fonts, their caches, its config)
_local = threading.local()  # .pace: the Pace of the drawing under way in this thread
_ziamath: Any = None
_load_failed = False
_VIEWBOX = re.compile(r'viewBox="([-\d.e]+) ([-\d.e]+) ([-\d.e]+) ([-\d.e]+)"')
# latex2mathml passes a command it does not know through as an identifier: "\foo" drawn as
# the letters of its name would pass for a formula; it is shown as typed instead.
_UNKNOWN_COMMAND = re.compile(r"<m[io][^>]*>\\[A-Za-z]")


def load() -> Any:
    """Import ziamath (~180 ms: in a thread, or before it is needed) and ready it."""
    global _ziamath
    with _lock:
        if _ziamath is None:
            # ziamath 0.13 finds its font with importlib.resources.path, deprecated since 3.11.
            warnings.filterwarnings("ignore", "path is deprecated", DeprecationWarning, "ziamath")
            import ziamath
            from ziamath.config import config
            from ziamath.nodes.mnode import Mnode

            config.svg2 = False  # paths, no <symbol>/<use>: no ids to clash in a page
            config.numbering.autonumber = False
            _pace_nodes(Mnode)
            _ziamath = ziamath
    return _ziamath


def _pace_nodes(mnode: Any) -> None:
    """Call the drawing thread's Pace as each node is laid out and drawn."""
    fromelement = mnode.fromelement.__func__
    draw_node = mnode.draw

    def paced_fromelement(cls: Any, /, element: Any, parent: Any, **kwargs: Any) -> Any:
        pace = getattr(_local, "pace", None)
        if pace is not None:
            pace()
        return fromelement(cls, element, parent, **kwargs)

    def paced_draw(self: Any, x: float, y: float, svg: Any) -> Any:
        pace = getattr(_local, "pace", None)
        if pace is not None:
            pace()
        return draw_node(self, x, y, svg)

    mnode.fromelement = classmethod(paced_fromelement)
    mnode.draw = paced_draw


def draw(latex: str, display: bool, *, pace: Callable[[], None] | None = None) -> Drawing | None:
    """``latex`` drawn (blocking: 2-30 ms), or None when it does not parse or draws nothing.
    Never raises for bad LaTeX: the caller shows the source instead."""
    latex = latex.strip()
    if not latex or len(latex) > MAX_LATEX_CHARS:
        return None
    global _load_failed
    if _load_failed:
        return None
    try:
        ziamath = load()
    except Exception:  # a broken install: sources shown, said once in the log
        _load_failed = True
        log.warning("the formula renderer could not be loaded", exc_info=True)
        return None
    with _lock:
        _local.pace = pace
        try:
            mathml = ziamath.zmath.tex2mml(latex, inline=not display)
            if _UNKNOWN_COMMAND.search(mathml):
                log.debug("formula not drawn, unknown command: %.200s", latex)
                return None
            svg = ziamath.Math(mathml, size=REFERENCE_PX, margin=0).svg()
        except Exception as error:  # latex2mathml and ziamath raise anything
            log.debug("formula not drawn (%s): %.200s", type(error).__name__, latex)
            return None
        finally:
            _local.pace = None
    found = _VIEWBOX.search(svg[:400])
    if found is None:
        return None
    _x, top, width, height = (float(value) for value in found.groups())
    if not (0 < width < 1e5 and 0 < height < 1e5):
        return None  # nothing drawn (an empty group, "\\\\")
    svg = svg.replace("<svg ", '<svg fill="currentColor" ', 1)  # paths without a fill: the text's
    return Drawing(svg, width, -top, height + top)


class Drawer:
    """Draws formulas in a thread of its own ("confab-math"), each once.

    ``get`` answers from the cache (a ``Drawing``, or None for a formula that does not parse)
    or asks the thread and answers ``PENDING``; the thread's results wait in a deque until the
    owner ``take``s them (on its own thread: the window's 5 ms timer), so that nothing of the
    thread's reaches the caller's objects. ``notify`` is called from the thread after each
    result (it must only wake the owner up, not touch Qt objects). ``finish``, when set, is
    called in the thread with each drawing made and the thread's pace (to call between its
    steps: it waits while the window renders a flush, rests while a reply streams), before
    the drawing is handed over (the window rasterises it there:
    desktop/controllers/formulas.py); it must hold no object of the owner's thread."""

    PENDING: Any = object()

    def __init__(self, notify: Callable[[], None] | None = None) -> None:
        self._cache: OrderedDict[tuple[str, bool], Drawing | None] = OrderedDict()
        self._asked: set[tuple[str, bool]] = set()
        self._done: deque[tuple[tuple[str, bool], Drawing | None]] = deque()
        self._notify = notify
        self._queue: SimpleQueue[tuple[str, bool] | None] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closing = False
        self.drawn = 0  # formulas drawn, for the tests and benchmarks
        # Set by the window while a reply streams: the thread then runs GENTLE bursts.
        self.gentle = False
        # Set by the window while it renders a flush: the thread waits (see ``hold``).
        self.held = False
        self.finish: Callable[[tuple[str, bool], Drawing, Callable[[], None]], None] | None = None

    def _ask(self, key: tuple[str, bool]) -> None:
        if self._thread is None:
            # A daemon: quitting does not wait for the formulas still asked for (a thread
            # pool's worker would draw every one of them first, seconds at the end of a
            # reply of hundreds), and the thread holds nothing to clean up.
            self._thread = threading.Thread(target=self._run, name="confab-math", daemon=True)
            self._thread.start()
        self._queue.put(key)

    def _run(self) -> None:
        while (key := self._queue.get()) is not None:
            if not self._closing:
                self._draw(key)

    def get(self, latex: str, display: bool) -> Any:
        key = (latex, display)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if key not in self._asked:
            self._asked.add(key)
            self._ask(key)
        return self.PENDING

    def _draw(self, key: tuple[str, bool]) -> None:
        steady, gentle = Pace(), Pace(*GENTLE)

        def pace() -> None:
            while self.held:  # the window is rendering: not a moment of the GIL taken
                time.sleep(HELD_REST_S)
            (gentle if self.gentle else steady)()

        drawing = draw(key[0], key[1], pace=pace)
        finish = self.finish
        if drawing is not None and finish is not None and not self._closing:
            try:
                finish(key, drawing, pace)  # it paces its steps too
            except Exception:  # a bug there: the window rasterises it itself
                log.exception("formula: finishing %.200s failed", key[0])
        self._done.append((key, drawing))
        if self._notify is not None:
            self._notify()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """The thread rests (at its next node, within ~0.1 ms) while the caller runs: a flush
        of a streaming reply calls into Qt hundreds of times, and every call waited for the
        thread's burst to end (flush p95 15.7 ms against 7.8 without formulas, same run)."""
        self.held = True
        try:
            yield
        finally:
            self.held = False

    def waiting(self) -> bool:
        """Whether a formula asked for has not been taken in yet."""
        return bool(self._asked)

    def take(self, most: int | None = None) -> list[tuple[str, bool]]:
        """The formulas drawn since the last call (now in the cache), ``most`` at most."""
        taken: list[tuple[str, bool]] = []
        while self._done and (most is None or len(taken) < most):
            key, drawing = self._done.popleft()
            self._asked.discard(key)
            self._cache[key] = drawing
            self.drawn += 1
            taken.append(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return taken

    def close(self) -> None:
        """Stop the thread, leaving the formulas still asked for undrawn."""
        if self._thread is not None:
            self._closing = True
            self._queue.put(None)
            self._thread.join()
            self._thread = None
