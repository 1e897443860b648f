"""Importing in the real window, on a real data folder: File → Import… with a file chosen in
the file dialog, a file dropped on the window (and on the message box), the progress dialog
and its Cancel, the report (its numbers, the skipped and why, Copy), the list showing what
arrived, the conversation on screen taking an import's new messages in place, and quitting in
the middle of an import."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.core.models import Conversation, Message
from desktop.ui.import_dialogs import ImportProgressDialog, ImportReportDialog
from tests.support.tiny_export import BRANCHED, T0, TinyExport, conversation, export, nodes
from tests.ui.test_sidebar import rows


def started(start_app: Any, reading: TinyExport | None = None) -> Any:
    app = start_app()
    app.conversations.rescan_delay_ms = 0
    app.window.import_flow.reading = reading or TinyExport()
    return app


def report_dialog(app: Any, qtbot: Any) -> ImportReportDialog:
    qtbot.waitUntil(lambda: app.window.import_flow.report_dialog is not None, timeout=10_000)
    dialog = app.window.import_flow.report_dialog
    assert isinstance(dialog, ImportReportDialog) and dialog.isVisible()
    return dialog


def listed(app: Any) -> set[str]:
    return {conversation_id for conversation_id, _title in rows(app)}


def test_file_import_with_a_chosen_file_lists_the_conversations_and_reports(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    source = export(
        tmp_path / "export.json",
        BRANCHED,
        "damaged",
        conversation("c2", "x", "x<:user:Hello", skipped=[["n9", "voice_note"]]),
    )
    app = started(start_app)

    app.window.import_action.trigger()
    chooser = app.window.import_flow.file_dialog
    assert chooser is not None and chooser.isVisible()
    chooser.selectFile(str(source))
    chooser.accept()

    dialog = report_dialog(app, qtbot)
    assert dialog.numbers == {
        "New conversations": "2",
        "Updated conversations": "0",
        "Already up to date": "0",
        "Messages imported": "4",
        "Skipped": "2",
    }
    assert dialog.headline.text() == "Import finished."
    assert dialog.skipped.toPlainText().splitlines() == [
        "export.json #2: a conversation is str, not an object",
        "Chat c2: n9: content of type 'voice_note' has no text Confab reads",
    ]
    qtbot.waitUntil(lambda: {"imp-c1", "imp-c2"} <= listed(app))
    assert ("imp-c1", "Chat c1") in rows(app)
    # Copy puts the whole report on the clipboard, as text.
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "New conversations: 2" in copied
    assert "Chat c2: n9: content of type 'voice_note'" in copied
    # Opening one shows its tree at the source's branch.
    app.open("imp-c1")
    assert app.bubbles()[-1] == ("assistant", "A poem of fourteen lines, regenerated.")


def urls(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_enter(target: Any, mime: QMimeData) -> QDragEnterEvent:
    """A drag entering ``target``, as the window system sends it (not accepted until one
    takes it)."""
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(target, enter)
    return enter


def drop(target: Any, paths: list[Path]) -> QDropEvent:
    mime = urls(*paths)
    assert drag_enter(target, mime).isAccepted()
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, event)
    return event


@pytest.mark.parametrize("where", ["window", "message box"])
def test_a_file_dropped_on_the_window_is_imported(
    start_app: Any, qtbot: Any, tmp_path: Path, where: str
) -> None:
    source = export(tmp_path / "export.json", BRANCHED)
    app = started(start_app)
    edit = app.window.composer.edit
    target = app.window if where == "window" else edit.viewport()

    event = drop(target, [source])

    assert event.isAccepted()
    dialog = report_dialog(app, qtbot)
    assert dialog.numbers["New conversations"] == "1"
    assert edit.toPlainText() == ""  # not pasted into the message box as a link
    qtbot.waitUntil(lambda: "imp-c1" in listed(app))


def test_what_is_not_an_export_is_attached_not_imported(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG")
    app = started(start_app)
    drop(app.window, [picture])
    flow = app.window.attach_flow
    qtbot.waitUntil(lambda: len(flow.items()) == 1 and not flow.busy())
    assert flow.items()[0].name == "photo.png"
    assert not app.window.import_flow.running
    assert app.window.import_flow.report_dialog is None


def test_importing_the_same_export_again_says_nothing_is_new(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    source = export(tmp_path / "export.json", BRANCHED)
    app = started(start_app)
    app.window.import_flow.start([source])
    report_dialog(app, qtbot).accept()
    qtbot.waitUntil(lambda: app.window.import_flow.report_dialog is None)

    app.window.import_flow.start([source])

    dialog = report_dialog(app, qtbot)
    assert dialog.headline.text() == "Nothing new: every conversation was already in the library."
    assert dialog.numbers["Already up to date"] == "1"
    assert [r for r in rows(app) if r[0] == "imp-c1"] == [("imp-c1", "Chat c1")]


def test_cancel_stops_the_import_and_keeps_what_was_imported(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    gate = threading.Event()
    reading = TinyExport(gate)
    many = [conversation(f"c{n}", "x", "x<:user:Hello") for n in range(5)]
    source = export(tmp_path / "export.json", *many)
    app = started(start_app, reading)

    app.window.import_flow.start([source])
    progress = app.window.import_flow.progress_dialog
    assert isinstance(progress, ImportProgressDialog) and progress.isVisible()
    qtbot.waitUntil(lambda: progress.bar.value() == 1 and progress.bar.maximum() == 5)
    assert progress.text.text() == "Importing 1 of 5 conversations…"
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    assert progress.text.text() == "Cancelling after this conversation…"
    gate.set()

    dialog = report_dialog(app, qtbot)
    assert dialog.headline.text() == "Import cancelled. What was imported until then is kept."
    assert dialog.numbers["New conversations"] == "1"
    assert sorted(p.stem for p in (app.data_dir / "conversations").glob("*.json")) == ["imp-c0"]
    qtbot.waitUntil(lambda: "imp-c0" in listed(app))
    assert app.window.import_flow.progress_dialog is None


def test_the_conversation_on_screen_takes_an_imports_new_messages_in_place(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = started(start_app)
    app.window.import_flow.start([export(tmp_path / "first.json", BRANCHED)])
    report_dialog(app, qtbot).accept()
    qtbot.waitUntil(lambda: "imp-c1" in listed(app))
    shown = app.open("imp-c1")
    reloaded: list[str] = []
    app.conversations.conversation_reloaded.connect(reloaded.append)
    bigger = dict(BRANCHED)
    bigger["nodes"] = [
        *BRANCHED["nodes"],
        *nodes("q2<a2:user:And a haiku?", "h<q2:assistant:Five, seven, five."),
    ]
    bigger["current"] = "h"

    app.window.import_flow.start([export(tmp_path / "second.json", bigger)])

    assert report_dialog(app, qtbot).numbers["Updated conversations"] == "1"
    qtbot.waitUntil(lambda: reloaded == ["imp-c1"], timeout=10_000)
    assert app.conversations.current is shown  # the same object, new contents
    assert app.bubbles()[-2:] == [("user", "And a haiku?"), ("assistant", "Five, seven, five.")]


def test_a_conversation_saved_while_an_import_brings_it_more_stays_one_conversation(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    # The conversation is open, and the window saves it while the import is under way (as a
    # reply streaming in does every second): the import's messages join the window's own
    # object, and no copy "from another device" appears.
    gate = threading.Event()
    gate.set()  # open for the first import
    reading = TinyExport(gate)
    app = started(start_app, reading)
    app.window.import_flow.start([export(tmp_path / "first.json", BRANCHED)])
    report_dialog(app, qtbot).accept()
    qtbot.waitUntil(lambda: "imp-c1" in listed(app))
    shown = app.open("imp-c1")
    gate.clear()  # the second is held after its conversation, until the window has saved
    bigger = dict(BRANCHED)
    bigger["nodes"] = [
        *BRANCHED["nodes"],
        *nodes("q2<a2:user:And a haiku?", "h<q2:assistant:Five, seven, five."),
    ]
    bigger["current"] = "h"
    app.window.import_flow.start([export(tmp_path / "second.json", bigger)])
    qtbot.waitUntil(lambda: reading.read_count == 2)  # the conversation is taken in
    shown.draft = "typed while it imports"
    app.conversations.save(shown, touch=False)
    app.conversations.wait_for_writes()

    gate.set()

    dialog = report_dialog(app, qtbot)
    assert dialog.numbers["Updated conversations"] == "1"
    assert app.conversations.current is shown
    assert app.bubbles()[-2:] == [("user", "And a haiku?"), ("assistant", "Five, seven, five.")]
    app.conversations.wait_for_writes()
    with qtbot.waitSignal(app.conversations.scan_finished, timeout=10_000):
        app.conversations.rescan()
    assert listed(app) == {"imp-c1"}
    files = sorted(p.name for p in (app.data_dir / "conversations").glob("*.json"))
    assert files == ["imp-c1.json"]
    saved = json.loads((app.data_dir / "conversations" / "imp-c1.json").read_text("utf-8"))
    assert saved["draft"] == "typed while it imports"
    assert "And a haiku?" in [m["content"] for m in saved["messages"]]


def test_quitting_during_an_import_cancels_it_cleanly(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    gate = threading.Event()
    reading = TinyExport(gate)
    many = [conversation(f"c{n}", "x", "x<:user:Hello") for n in range(5)]
    app = started(start_app, reading)
    app.window.import_flow.start([export(tmp_path / "export.json", *many)])
    qtbot.waitUntil(lambda: reading.read_count == 1)

    app.quit()  # cancels: the reading, held at the gate, stops

    assert not app.window.import_flow.running
    assert sorted(p.stem for p in (app.data_dir / "conversations").glob("*.json")) == ["imp-c0"]


def test_a_file_another_program_adds_during_an_import_is_listed_after_it(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    gate = threading.Event()
    reading = TinyExport(gate)
    app = started(start_app, reading)
    app.window.import_flow.start([export(tmp_path / "export.json", BRANCHED)])
    qtbot.waitUntil(lambda: reading.read_count == 1)
    synced = Conversation(
        id="synced1", title="From the laptop", created_at=T0, updated_at=T0, head="m"
    )
    synced.messages.append(Message("m", None, "user", "Hello from the laptop", T0))
    (app.data_dir / "conversations" / "synced1.json").write_text(
        json.dumps(synced.to_dict()), encoding="utf-8"
    )

    gate.set()

    report_dialog(app, qtbot)
    qtbot.waitUntil(lambda: {"imp-c1", "synced1"} <= listed(app), timeout=10_000)
