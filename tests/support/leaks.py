"""For the tests that plant a secret (an API key, a proxy password), exercise the app, then scan
every file it wrote: the app's log and crash hook set up as app.py sets them, and the scan."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from desktop import app as app_module
from desktop.core.logs import setup_logging


@contextlib.contextmanager
def log_and_crash_hook(data: Path) -> Iterator[Callable[[str], None]]:
    """The log in ``data`` and the crash hook, undone afterwards. Yields ``crash(text)``: an
    uncaught exception whose message carries ``text``, handed to the crash hook."""
    setup_logging(data)
    logging.getLogger("confab.test").setLevel(logging.DEBUG)
    previous_hook = sys.excepthook

    def crash(text: str) -> None:
        app_module.install_crash_hook()
        try:
            raise RuntimeError(f"boom with {text}")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    try:
        yield crash
    finally:
        sys.excepthook = previous_hook
        for box in app_module._open_dialogs:
            if hasattr(box, "close"):
                box.close()
        app_module._open_dialogs.clear()
        root = logging.getLogger("confab")
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()


def files_holding(data: Path, secret: str) -> list[Path]:
    """Every file under ``data`` (the whole data folder) that contains ``secret``."""
    needle = secret.encode()
    return [p for p in data.rglob("*") if p.is_file() and needle in p.read_bytes()]
