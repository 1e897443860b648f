"""An unexpected exception is logged (key masked) and shown with copyable details."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import app as app_module
from desktop.core.logs import register_secret, setup_logging


@pytest.fixture
def crash_hook(tmp_path: Path) -> Iterator[Path]:
    previous = sys.excepthook
    log_path = setup_logging(tmp_path)
    app_module.install_crash_hook()
    try:
        yield log_path
    finally:
        sys.excepthook = previous
        root = logging.getLogger("confab")
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for box in app_module._open_dialogs:
            if isinstance(box, QMessageBox):
                box.close()
                box.deleteLater()
        app_module._open_dialogs.clear()


def test_a_crash_shows_a_dialog_and_writes_the_log_without_the_key(
    qapp: Any, qtbot: Any, crash_hook: Path
) -> None:
    register_secret("sk-live-very-secret-42")
    try:
        raise RuntimeError("boom while using Bearer sk-live-very-secret-42")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    boxes = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    assert len(boxes) == 1
    box = boxes[0]
    assert box.windowTitle() == "Confab ran into a problem"
    assert "conversations are saved" in box.text()
    details = box.detailedText()
    assert "RuntimeError: boom" in details and "Traceback" in details
    assert "sk-live-very-secret-42" not in details
    text = crash_hook.read_text(encoding="utf-8")
    assert "RuntimeError: boom" in text
    assert "sk-live-very-secret-42" not in text
