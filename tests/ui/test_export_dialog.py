"""File → Export… in the real window: the conversation on screen as a page, the whole library
as an archive that holds no key (one planted in the keyring), a PDF printed in the export
thread, a selection into a folder, Cancel, and a target that cannot be written."""

from __future__ import annotations

import asyncio
import json
import threading
import zipfile
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from desktop.controllers.conversations import ConversationsController
from tests.conftest import write_settings
from tests.support.export_samples import CHINESE, plain_conversation, sample_conversation, write

KEY = "sk-planted-export-5c1d9e3f7a2b4c6d"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write_settings(
        data,
        [
            {
                "id": "deepseek",
                "name": "DeepSeek",
                "base_url": "http://127.0.0.1:9",
                "default_model": "m",
            }
        ],
    )
    write(data, sample_conversation(), plain_conversation("second", "Second"))
    return data


def _save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    asked: list[str] = []

    def save(_parent: Any, _caption: str, name: str, _filter: str) -> tuple[str, str]:
        asked.append(name)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    return asked


def _finish(qtbot: Any, dialog: Any) -> None:
    qtbot.waitUntil(lambda: not dialog.running and dialog.job is not None, timeout=30_000)


def test_the_conversation_on_screen_as_a_web_page(
    start_app: Any, library: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(library)
    app.open("c0ffee01")
    app.window.export_action.trigger()
    dialog = app.window.export_dialog
    assert dialog.current_button.isChecked() and "北国春光" in dialog.current_button.text()
    dialog.set_format("html")
    out = tmp_path / "out" / "poem.html"
    asked = _save_to(monkeypatch, out)
    dialog.export_button.click()
    _finish(qtbot, dialog)
    assert asked == ["北国春光.html"]
    assert dialog.status.text() == f"Exported 1 conversation to {out}."
    page = out.read_text(encoding="utf-8")
    assert CHINESE in page and "DeepSeek" in page  # the provider by the name the user gave it
    assert '<html lang="en">' in page
    opened: list[QUrl] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    assert dialog.show_button.isVisible()
    dialog.show_button.click()
    assert [u.toLocalFile() for u in opened] == [str(out.parent)]


def test_everything_as_an_archive_never_holds_the_key_in_the_keyring(
    start_app: Any,
    library: Path,
    tmp_path: Path,
    qtbot: Any,
    secret_service: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring

    app = start_app(library)
    app.settings.save_provider(app.settings.provider("deepseek"), KEY)
    app.settle_keyring()
    assert keyring.get_password("Confab", "deepseek") == KEY
    dialog = app.window.open_export()
    assert dialog.everything_button.isChecked()  # nothing on screen
    assert dialog.everything_button.text() == "Everything (2 conversations)"
    dialog.set_format("zip")
    out = tmp_path / "library.zip"
    _save_to(monkeypatch, out)
    dialog.export_button.click()
    _finish(qtbot, dialog)
    assert dialog.status.text() == f"Exported 2 conversations to {out}."
    with zipfile.ZipFile(out) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    assert set(entries) == {
        "conversations/c0ffee01.json",
        "conversations/second.json",
        "settings.json",
        "manifest.json",
    }
    assert json.loads(entries["settings.json"])["providers"][0]["id"] == "deepseek"
    everything = b"".join(entries.values())
    assert KEY.encode() not in everything and KEY[3:].encode() not in everything


def test_a_pdf_printed_in_the_export_thread(
    start_app: Any, library: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(library)
    app.open("c0ffee01")
    dialog = app.window.open_export()
    dialog.set_format("pdf")
    out = tmp_path / "poem.pdf"
    _save_to(monkeypatch, out)
    dialog.export_button.click()
    _finish(qtbot, dialog)
    text = "".join("".join(p.extract_text().split()) for p in pypdf.PdfReader(out).pages)
    assert CHINESE in text and "Thinking" in text


def test_a_selection_into_a_folder_of_markdown_files(
    start_app: Any, library: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(library)
    dialog = app.window.open_export(["c0ffee01", "second"])
    assert dialog.selected_button.isChecked()
    assert dialog.selected_button.text() == "The 2 selected conversations"
    dialog.set_format("md")
    assert dialog.folder_box.isVisible()
    dialog.folder_box.setChecked(True)
    folder = tmp_path / "notes"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *_a: str(folder)))
    dialog.export_button.click()
    _finish(qtbot, dialog)
    assert sorted(p.name for p in folder.iterdir()) == ["Second.md", "北国春光.md"]


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The export thread waits at its start until the test sets this."""
    gate = threading.Event()
    original = ConversationsController.exporter

    def held(self: ConversationsController, **kwargs: Any) -> Any:
        exporter = original(self, **kwargs)
        exporter.wait = gate.wait
        return exporter

    monkeypatch.setattr(ConversationsController, "exporter", held)
    return gate


def test_cancel_stops_the_export_and_leaves_nothing(
    start_app: Any,
    library: Path,
    tmp_path: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    gate: threading.Event,
) -> None:
    app = start_app(library)
    dialog = app.window.open_export()
    dialog.set_format("zip")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    _save_to(monkeypatch, out_dir / "library.zip")
    dialog.export_button.click()
    assert dialog.running and dialog.progress_bar.isVisible()
    dialog.cancel_button.click()
    assert dialog.status.text() == "Cancelling…"
    gate.set()
    _finish(qtbot, dialog)
    assert dialog.status.text() == "The export was cancelled; nothing was left behind."
    assert list(out_dir.iterdir()) == []


def test_a_target_that_cannot_be_written_is_said(
    start_app: Any, library: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    app = start_app(library)
    app.open("second")
    dialog = app.window.open_export()
    _save_to(monkeypatch, blocker / "second.md")
    dialog.export_button.click()
    _finish(qtbot, dialog)
    assert dialog.status.text().startswith("The export could not be written: ")
    assert "is not a folder" in dialog.status.text()
    assert dialog.cancel_button.text() == "Close"


def test_closing_while_it_runs_cancels_and_closes_once_the_thread_ends(
    start_app: Any,
    library: Path,
    tmp_path: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    gate: threading.Event,
) -> None:
    app = start_app(library)
    dialog = app.window.open_export()
    out = tmp_path / "library.zip"
    _save_to(monkeypatch, out)
    dialog.export_button.click()
    dialog.reject()  # Escape, or the title bar's close button
    assert dialog.isVisible() and dialog.status.text() == "Cancelling…"
    with qtbot.waitSignal(dialog.finished, timeout=30_000):  # then deleted (on close)
        gate.set()
    assert not out.exists()


def test_quitting_while_it_runs_waits_for_the_export_thread(
    start_app: Any,
    library: Path,
    tmp_path: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    gate: threading.Event,
    run_async: Any,
) -> None:
    app = start_app(library)
    dialog = app.window.open_export()
    out = tmp_path / "library.zip"
    _save_to(monkeypatch, out)
    dialog.export_button.click()
    job = dialog.job

    async def quit_with_the_export_held() -> None:
        quitting = asyncio.ensure_future(app.window.shutdown())
        while not job.cancelled:  # shutdown has asked the export to stop...
            await asyncio.sleep(0)
        assert job.running  # ...and waits for its thread, held at its start
        gate.set()
        await quitting

    run_async(quit_with_the_export_held())
    assert not job.running
    assert not out.exists()


def test_one_conversation_chosen_in_the_list_is_this_conversation(
    start_app: Any, library: Path
) -> None:
    app = start_app(library)
    app.open("c0ffee01")
    dialog = app.window.open_export(["second"])
    assert dialog.current_button.isChecked()
    assert dialog.current_button.text() == "This conversation: Second"
    assert dialog.ids == ["second"]
