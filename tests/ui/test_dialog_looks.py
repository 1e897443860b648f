"""How the dialogs look and read, under Confab's own style sheets: errors in the providers'
status line are coloured as errors, presets are named one way, the key's placeholder says
whether the server needs one, and the Usage dialog closes with its own button."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from tests.conftest import write_settings

# The status line's colours in confab.qss and confab-dark.qss: plain, then error.
STATUS_COLOURS = {False: ("#374151", "#b42318"), True: ("#c9ccd1", "#f97066")}


def _colours(widget: QWidget) -> set[str]:
    QApplication.processEvents()
    image = widget.grab().toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 2)
        for y in range(image.height())
    }


def _button(dialog: Any, text: str) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_an_error_in_the_providers_status_line_is_coloured_as_one(
    start_app: Any,
    apply_app_theme: Callable[[bool], None],
    qtbot: Any,
    tmp_path: Path,
    dark: bool,
) -> None:
    plain, error = STATUS_COLOURS[dark]
    apply_app_theme(dark)
    dead = {"id": "dead", "name": "Dead", "base_url": "http://127.0.0.1:9/v1"}
    write_settings(tmp_path / "data", [dead])
    app = start_app(dark=dark)
    dialog = app.window.open_providers()
    dialog.resize(900, 560)

    dialog.url_edit.setText("localhost:8080")
    dialog.name_edit.textEdited.emit("")  # as typing does: the form is edited
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "must start with http" in dialog.status.text()
    shown = _colours(dialog.status)
    assert error in shown and plain not in shown

    dialog.url_edit.setText("http://127.0.0.1:9/v1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Saved."
    shown = _colours(dialog.status)  # restyled after the error, not left red
    assert plain in shown and error not in shown

    with qtbot.waitSignal(dialog.connection_tested, timeout=10_000) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert tested.args == [False]
    assert dialog.status.text().startswith("Could not reach the server.")
    assert error in _colours(dialog.status)
    # Its own row under the tabs: a long message does not squeeze the form beside a button.
    assert dialog.status.geometry().top() > dialog.test_button.geometry().bottom()


def test_presets_are_named_alike_and_the_key_placeholder_says_whether_one_is_needed(
    start_app: Any, qtbot: Any
) -> None:
    app = start_app()
    qtbot.waitUntil(lambda: app.window.provider_dialog is not None)
    dialog = app.window.provider_dialog
    buttons = [b.text() for b in dialog.empty_hint.findChildren(QPushButton)]
    menu = [a.text() for a in dialog.add_menu.actions() if a.text()]
    assert menu == buttons
    assert "Ollama (on this computer)" in menu

    qtbot.mouseClick(_button(dialog, "OpenAI"), Qt.MouseButton.LeftButton)
    assert dialog.key_edit.placeholderText() == "Paste the API key from your account"
    next(a for a in dialog.add_menu.actions() if a.text().startswith("Ollama")).trigger()
    assert dialog.key_edit.placeholderText() == "None (fine for local servers)"


def test_the_usage_dialog_closes_with_its_close_button(start_app: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    app = start_app()
    dialog = app.window.open_usage()
    assert dialog.isVisible()
    assert dialog.buttons.standardButtons() == QDialogButtonBox.StandardButton.Close
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
