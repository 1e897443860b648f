"""Attachments in the real window, on a real data folder, against the loopback server: an image
pasted from the clipboard (a PNG drawn at test time), files dropped on the window and on the
message box or chosen with the attach button, the chips (size, tokens, busy, refused, remove,
exclude), the meter, what goes on the wire, the thread's thumbnails (their geometry), the
viewer, the documents' chips, the vision warning, drafts kept across conversations, and the
attachments after a restart (and when their file is gone)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QTextCursor
from PySide6.QtWidgets import QMessageBox, QPushButton

from desktop.ui.attachment_chips import AttachmentChip, DraftItem
from desktop.ui.attachment_view import DocumentChip, ImageThumb, MessageAttachments
from tests.support.attachment_files import png
from tests.support.tiny_export import BRANCHED, TinyExport, export
from tests.ui.test_import_flow import drop


def drawn(width: int = 320, height: int = 200) -> QImage:
    """A screenshot-like picture, a real PNG made now."""
    return QImage.fromData(png(width, height))


def png_file(path: Path, width: int = 320, height: int = 200) -> Path:
    path.write_bytes(png(width, height))
    return path


def chips(app: Any) -> list[AttachmentChip]:
    return app.window.composer.chips.chips()


def ready(app: Any, qtbot: Any, count: int = 1) -> list[DraftItem]:
    """Until the draft's ``count`` attachments are added (or refused)."""
    flow = app.window.attach_flow
    qtbot.waitUntil(lambda: len(flow.items()) == count and not flow.busy(), timeout=10_000)
    return flow.items()


def paste_image(app: Any, qtbot: Any, image: QImage) -> None:
    QGuiApplication.clipboard().setImage(image)
    edit = app.window.composer.edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_End)  # Ctrl no longer held (see the test of copied files)


def stored(app: Any) -> list[Path]:
    return sorted((app.data_dir / "attachments").glob("*.*"))


def said_hello(app: Any) -> Any:
    """The conversation of a first question answered (a conversation with a file)."""
    app.type_and_send("Hello")
    app.wait_idle()
    return app.conversations.current


def user_message(app: Any) -> Any:
    return next(w for w in app.window.chat_view.message_widgets() if w.role == "user")


def test_a_pasted_screenshot_is_a_chip_with_its_size_and_tokens_and_goes_on_the_wire(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = start_chat_app(model="gpt-4o")
    image = drawn(800, 600)

    paste_image(app, qtbot, image)

    (chip,) = chips(app)
    assert chip.isVisible()
    # Busy until the adding thread's outcome is taken in, on the UI thread.
    assert chip.property("state") == "busy" and chip.busy_bar.isVisibleTo(chip)
    assert chip.details.text() == "Adding…"
    (item,) = ready(app, qtbot)
    assert item.attachment is not None and item.attachment.kind == "image"
    assert (item.attachment.width, item.attachment.height) == (800, 600)
    assert app.window.composer.text() == ""  # attached, not pasted as text
    # Its size as a person reads it, and its tokens (OpenAI's tile formula for gpt-4o:
    # 800x600 is scaled to 1024x768, four 512-pixel tiles: 85 + 4 x 170).
    assert chip.details.text() == f"{size_text(item.attachment.size)} · 765 tokens"
    assert not chip.busy_bar.isVisible()
    qtbot.waitUntil(lambda: not chip.thumb.pixmap().isNull())
    # A click on its thumbnail shows it at full size.
    qtbot.mouseClick(chip.thumb, Qt.MouseButton.LeftButton)
    viewer = app.window.attach_flow.viewer
    assert viewer is not None and viewer.isVisible()
    qtbot.waitUntil(lambda: viewer.shown)
    viewer.close()
    # Stored once, by its content.
    (path,) = stored(app)
    assert path.name == f"{item.attachment.sha256}.png"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == item.attachment.sha256

    app.type_and_send("What is in this picture?")
    app.wait_idle()

    content = openai_server.chat_requests()[-1]["json"]["messages"][-1]["content"]
    assert isinstance(content, list)
    assert {"type": "text", "text": "What is in this picture?"} in content
    (image_part,) = [part for part in content if part["type"] == "image_url"]
    url = image_part["image_url"]["url"]
    assert url.startswith(("data:image/png;base64,", "data:image/jpeg;base64,"))
    sent = QImage.fromData(base64.b64decode(url.split(",", 1)[1]))
    assert (sent.width(), sent.height()) == (800, 600)  # within OpenAI's limits already
    assert chips(app) == []  # went with the message
    (saved,) = app.conversation_files()
    question = saved["messages"][0]
    assert question["attachments"][0]["sha256"] == item.attachment.sha256


def size_text(count: int) -> str:
    from desktop.ui import formats

    return formats.size(count)


@pytest.mark.parametrize("where", ["window", "message box", "thread"])
def test_a_dropped_file_is_attached_and_an_export_still_imported(
    start_chat_app: Any, qtbot: Any, tmp_path: Path, where: str
) -> None:
    app = start_chat_app()
    app.window.import_flow.reading = TinyExport()
    picture = png_file(tmp_path / "diagram.png")
    notes = tmp_path / "notes.json"
    notes.write_text('{"plan": ["a", "b"]}', encoding="utf-8")  # JSON, but not an export
    target = {
        "window": app.window,
        "message box": app.window.composer.edit.viewport(),
        "thread": app.window.chat_view.viewport(),
    }[where]

    assert drop(target, [picture, notes]).isAccepted()

    first, second = ready(app, qtbot, 2)
    assert [first.name, second.name] == ["diagram.png", "notes.json"]
    assert first.attachment is not None and first.attachment.kind == "image"
    assert second.attachment is not None and second.attachment.kind == "document"
    assert app.window.composer.text() == ""  # not pasted as links
    assert not app.window.import_flow.running

    # An export dropped is imported, not attached.
    source = export(tmp_path / "export.json", BRANCHED)
    drop(target, [source])
    qtbot.waitUntil(lambda: app.window.import_flow.report_dialog is not None, timeout=10_000)
    assert len(app.window.attach_flow.items()) == 2


def test_the_attach_button_chooses_files_and_is_reachable_from_the_keyboard(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    button = app.window.composer.attach_button
    assert button.toolTip().startswith("Attach images or documents")
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    text = tmp_path / "todo.md"
    text.write_text("# Todo\n\n- write the tests\n", encoding="utf-8")

    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    dialog = app.window.attach_flow.file_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(text))
    dialog.accept()

    (item,) = ready(app, qtbot)
    assert item.attachment is not None and item.attachment.kind == "document"
    (chip,) = chips(app)
    assert chip.thumb.text() == "MD"
    assert chip.details.text().startswith(size_text(text.stat().st_size) + " · ")
    assert chip.details.text().endswith(" tokens")
    # File → Attach Files… (Ctrl+Shift+A) opens it too.
    assert app.window.attach_action.shortcut().toString() == "Ctrl+Shift+A"


def test_a_chip_is_removed_by_its_button_or_by_delete(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    drop(app.window, [png_file(tmp_path / "a.png"), png_file(tmp_path / "b.png", 30, 30)])
    _first, second = ready(app, qtbot, 2)
    chip_a, chip_b = chips(app)

    qtbot.mouseClick(chip_a.remove_button, Qt.MouseButton.LeftButton)
    assert app.window.attach_flow.items() == [second]
    assert chips(app) == [chip_b]

    chip_b.setFocus()
    qtbot.keyClick(chip_b, Qt.Key.Key_Delete)
    assert app.window.attach_flow.items() == []
    assert not app.window.composer.chips.isVisible()


def test_a_refused_file_says_why_and_is_not_sent(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)

    drop(app.window, [empty, program])

    first, second = ready(app, qtbot, 2)
    assert first.error == "empty.txt is empty"
    assert second.error.startswith("tool.exe is not a file Confab can attach")
    chip = chips(app)[0]
    assert chip.property("state") == "error"
    assert chip.details.text() == "empty.txt is empty"
    # A message with only refused files has nothing to send.
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Return)
    assert openai_server.chat_requests() == []
    app.type_and_send("Hello")
    app.wait_idle()
    assert "attachments" not in app.conversation_files()[0]["messages"][0]


def test_a_refused_file_is_explained_in_chinese(
    start_chat_app: Any, qtbot: Any, tmp_path: Path, chinese: None
) -> None:
    app = start_chat_app()
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    drop(app.window, [empty])
    (item,) = ready(app, qtbot)
    assert item.error.startswith("空.txt")
    assert "empty" not in item.error
    assert any("\u4e00" <= c <= "\u9fff" for c in item.error.replace("空", ""))


def test_the_meter_counts_the_attachments_and_a_big_document_can_be_excluded(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app(model="gpt-4o")
    app.window.composer.edit.setPlainText("Summarize")
    app.window.composer.edit.moveCursor(QTextCursor.MoveOperation.End)
    app.window.update_meter()
    before = meter_tokens(app)
    big = tmp_path / "report.txt"
    big.write_text("The quarterly figures rose again. " * 4000, encoding="utf-8")

    drop(app.window, [big])
    (item,) = ready(app, qtbot)
    (chip,) = chips(app)
    assert chip.big and chip.exclude_button.isVisible()
    assert chip.property("big") is True
    app.window.update_meter()
    assert meter_tokens(app) > before + 20_000

    qtbot.mouseClick(chip.exclude_button, Qt.MouseButton.LeftButton)
    assert item.excluded
    assert "not sent" in chip.details.text()
    app.window.update_meter()
    assert meter_tokens(app) == before

    app.type_and_send(" it")
    app.wait_idle()
    content = openai_server.chat_requests()[-1]["json"]["messages"][-1]["content"]
    assert content == "Summarize it"  # the excluded file stays with the message only
    (saved,) = app.conversation_files()
    assert saved["messages"][0]["attachments"][0]["excluded"] is True


def meter_tokens(app: Any) -> int:
    import re

    found = re.search(r"Next send: ≈?([\d,]+) tokens", app.window.composer.meter.text())
    assert found, app.window.composer.meter.text()
    return int(found[1].replace(",", ""))


def sent_with_image(
    app: Any, qtbot: Any, tmp_path: Path, width: int = 900, height: int = 600
) -> Any:
    drop(app.window, [png_file(tmp_path / "chart.png", width, height)])
    ready(app, qtbot)
    app.type_and_send("Look")
    app.wait_idle()
    app.bubbles()
    return user_message(app)


def test_the_sent_image_is_a_thumbnail_in_the_bubble_that_opens_full_size(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    bubble = sent_with_image(app, qtbot, tmp_path)

    strip = bubble.attachments
    assert isinstance(strip, MessageAttachments)
    (thumb,) = strip.images
    qtbot.waitUntil(lambda: thumb.shown)
    # Visible, not zero-sized, inside the bubble, at the image's proportions.
    assert thumb.isVisible()
    assert thumb.width() == 180 and thumb.height() == 120
    where = thumb.mapTo(bubble, QPoint(0, 0))
    assert bubble.rect().contains(where)
    assert bubble.rect().contains(where + QPoint(thumb.width() - 1, thumb.height() - 1))
    assert thumb.pixmap().width() >= 180

    qtbot.mouseClick(thumb, Qt.MouseButton.LeftButton)
    viewer = strip.viewer
    assert viewer is not None and viewer.isVisible()
    qtbot.waitUntil(lambda: viewer.shown)
    # Full size, or fitted to the screen (the offscreen one is 800 × 600).
    area = viewer.screen().availableGeometry()
    scale = min(1.0, 0.9 * area.width() / 900, 0.9 * area.height() / 600)
    assert viewer.image.pixmap().width() == round(900 * scale)
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: strip.viewer is None)


def test_a_document_chip_opens_a_copy_named_as_the_file(
    start_chat_app: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    app = start_chat_app()
    notes = tmp_path / "meeting notes.txt"
    notes.write_text("Decisions: ship on Friday.\n", encoding="utf-8")
    drop(app.window, [notes])
    ready(app, qtbot)
    app.type_and_send("Any decisions?")
    app.wait_idle()
    app.bubbles()
    (chip,) = user_message(app).attachments.documents
    assert isinstance(chip, DocumentChip)
    assert "meeting notes.txt" in chip.text() and size_text(notes.stat().st_size) in chip.text()

    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened))
    path = Path(opened[0].toLocalFile())
    assert path.name == "meeting notes.txt"
    assert path.read_text(encoding="utf-8") == "Decisions: ship on Friday.\n"


def test_a_model_that_cannot_see_images_warns_before_sending(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app(model="gpt-3.5-turbo")
    drop(app.window, [png_file(tmp_path / "screen.png")])
    ready(app, qtbot)

    app.type_and_send("What does it say?")
    box = app.window.vision_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == "gpt-3.5-turbo may not see images."
    # Cancel: nothing sent, nothing lost.
    box.reject()
    assert openai_server.chat_requests() == []
    assert app.window.composer.text() == "What does it say?"
    assert len(app.window.attach_flow.items()) == 1

    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Return)
    box = app.window.vision_box
    anyway = next(b for b in box.buttons() if b.text() == "Send Anyway")
    anyway.click()
    app.wait_idle()
    assert len(openai_server.chat_requests()) == 1
    assert app.window.attach_flow.items() == []


def blind_after_an_image(app: Any, qtbot: Any, tmp_path: Path) -> Any:
    """A question with an image answered by a model not known either way (no question),
    then the model typed in the picker: one known not to see images. The question's bubble."""
    bubble = sent_with_image(app, qtbot, tmp_path)
    picker = app.window.model_combo.lineEdit()
    picker.setText("gpt-3.5-turbo")
    picker.editingFinished.emit()
    assert app.conversations.current.model == "gpt-3.5-turbo"
    return bubble


def vision_box(app: Any) -> QMessageBox:
    box = app.window.vision_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == "gpt-3.5-turbo may not see images."
    return box


def send_anyway(box: QMessageBox) -> None:
    next(b for b in box.buttons() if b.text() == "Send Anyway").click()


def test_editing_a_question_with_an_image_for_a_blind_model_asks_first(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app(model="my-local-model")
    bubble = blind_after_an_image(app, qtbot, tmp_path)
    asked = len(openai_server.chat_requests())
    qtbot.mouseClick(bubble.action_buttons["edit"], Qt.MouseButton.LeftButton)
    assert bubble.editor is not None
    bubble.editor.setPlainText("Look closer")
    send = next(b for b in bubble.edit_row.findChildren(QPushButton) if b.text() == "Send")
    qtbot.mouseClick(send, Qt.MouseButton.LeftButton)

    # Cancel: nothing sent, the edit back in its editor, the thread as it was.
    vision_box(app).reject()
    assert len(openai_server.chat_requests()) == asked
    bubble = user_message(app)
    assert bubble.editor is not None and bubble.editor.toPlainText() == "Look closer"
    assert len(app.conversations.current.messages) == 2

    send = next(b for b in bubble.edit_row.findChildren(QPushButton) if b.text() == "Send")
    qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    send_anyway(vision_box(app))
    app.wait_idle()
    assert len(openai_server.chat_requests()) == asked + 1
    content = openai_server.chat_requests()[-1]["json"]["messages"][-1]["content"]
    assert {"type": "text", "text": "Look closer"} in content
    assert any(part["type"] == "image_url" for part in content)  # the image went with it


def test_regenerating_a_reply_to_an_image_for_a_blind_model_asks_first(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app(model="my-local-model")
    blind_after_an_image(app, qtbot, tmp_path)
    asked = len(openai_server.chat_requests())
    reply = app.window.chat_view.message_widgets()[-1]
    assert reply.role == "assistant"
    qtbot.mouseClick(reply.action_buttons["regenerate"], Qt.MouseButton.LeftButton)

    vision_box(app).reject()
    assert len(openai_server.chat_requests()) == asked
    conversation = app.conversations.current
    assert len(conversation.messages) == 2 and conversation.head == reply.message_id
    assert [role for role, _ in app.bubbles()] == ["user", "assistant"]

    reply = app.window.chat_view.message_widgets()[-1]
    qtbot.mouseClick(reply.action_buttons["regenerate"], Qt.MouseButton.LeftButton)
    send_anyway(vision_box(app))
    app.wait_idle()
    assert len(openai_server.chat_requests()) == asked + 1
    assert len(app.conversations.current.messages) == 3  # a sibling reply


def test_a_thread_without_images_regenerates_for_a_blind_model_without_a_question(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = start_chat_app(model="gpt-3.5-turbo")
    said_hello(app)
    app.window.vision_box = None
    reply = app.window.chat_view.message_widgets()[-1]
    qtbot.mouseClick(reply.action_buttons["regenerate"], Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert app.window.vision_box is None
    assert len(openai_server.chat_requests()) == 2


def test_a_model_not_known_either_way_does_not_warn(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app(model="my-local-model")
    app.window.vision_box = None
    sent_with_image(app, qtbot, tmp_path)
    assert app.window.vision_box is None
    assert len(openai_server.chat_requests()) == 1


def test_a_draft_keeps_its_attachments_across_conversations_and_a_failed_send_loses_nothing(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    first = said_hello(app)
    drop(app.window, [png_file(tmp_path / "one.png")])
    (item,) = ready(app, qtbot)
    app.window.composer.edit.setPlainText("about this")
    app.window.composer.edit.moveCursor(QTextCursor.MoveOperation.End)

    app.window.new_conversation()
    assert app.window.attach_flow.items() == []
    assert chips(app) == []
    app.open(first.id)
    assert app.window.attach_flow.items() == [item]
    assert [c.item for c in chips(app)] == [item]

    # The server is gone: the question (and its image) stays in the thread, marked failed.
    openai_server.stop()
    app.type_and_send("")
    app.wait_idle()
    (saved,) = [f for f in app.conversation_files() if f["id"] == first.id]
    question = saved["messages"][2]
    assert question["content"] == "about this"
    assert question["attachments"][0]["sha256"] == item.attachment.sha256
    assert saved["messages"][3]["error"] is not None


def test_attachments_are_there_after_a_restart_and_a_missing_file_says_so(
    start_chat_app: Any, start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    sent_with_image(app, qtbot, tmp_path)
    conversation_id = app.conversations.current.id
    app.quit()

    again = start_app(tmp_path / "data")
    again.open(conversation_id)
    again.bubbles()
    (thumb,) = user_message(again).attachments.images
    qtbot.waitUntil(lambda: thumb.shown)
    assert not thumb.pixmap().isNull()
    again.quit()

    for path in (tmp_path / "data" / "attachments").glob("*.png"):
        path.unlink()
    third = start_app(tmp_path / "data")
    third.open(conversation_id)
    third.bubbles()
    (thumb,) = user_message(third).attachments.images
    assert isinstance(thumb, ImageThumb)
    qtbot.waitUntil(lambda: thumb.missing)
    assert thumb.text() == "chart.png: the file is missing"
    assert thumb.isVisible() and thumb.height() > 0
    qtbot.mouseClick(thumb, Qt.MouseButton.LeftButton)
    assert user_message(third).attachments.viewer is None


def test_a_drafts_attachments_are_back_after_a_restart_and_go_with_the_message(
    start_chat_app: Any, start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app(model="gpt-4o")
    conversation_id = said_hello(app).id
    drop(app.window, [png_file(tmp_path / "plan.png", 800, 600)])
    (item,) = ready(app, qtbot)
    attachment = item.attachment
    assert attachment is not None
    (saved,) = app.conversation_files()
    assert [a["sha256"] for a in saved["draft_attachments"]] == [attachment.sha256]
    app.quit()

    again = start_app(tmp_path / "data")
    again.open(conversation_id)
    (chip,) = chips(again)
    assert chip.item.attachment == attachment
    assert chip.details.text() == f"{size_text(attachment.size)} · 765 tokens"
    qtbot.waitUntil(lambda: not chip.thumb.pixmap().isNull())
    # Away and back: still there, once.
    again.window.new_conversation()
    assert chips(again) == []
    again.open(conversation_id)
    assert [c.item.attachment for c in chips(again)] == [attachment]

    again.type_and_send("And this plan?")
    again.wait_idle()
    content = openai_server.chat_requests()[-1]["json"]["messages"][-1]["content"]
    assert {"type": "text", "text": "And this plan?"} in content
    assert [p["type"] for p in content].count("image_url") == 1
    assert chips(again) == []
    (saved,) = again.conversation_files()
    assert "draft_attachments" not in saved
    assert saved["messages"][2]["attachments"][0]["sha256"] == attachment.sha256


def test_a_removed_or_excluded_draft_attachment_is_so_after_a_restart(
    start_chat_app: Any, start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    conversation_id = said_hello(app).id
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n" + "a long plan, step by step. " * 4_000, encoding="utf-8")
    drop(app.window, [png_file(tmp_path / "a.png"), notes])
    ready(app, qtbot, 2)
    chip_a, chip_notes = chips(app)
    qtbot.mouseClick(chip_a.remove_button, Qt.MouseButton.LeftButton)
    assert chip_notes.exclude_button.isVisible()  # a big document
    qtbot.mouseClick(chip_notes.exclude_button, Qt.MouseButton.LeftButton)
    (saved,) = app.conversation_files()
    assert [(a["name"], a.get("excluded")) for a in saved["draft_attachments"]] == [
        ("notes.md", True)
    ]
    app.quit()

    again = start_app(tmp_path / "data")
    again.open(conversation_id)
    (chip,) = chips(again)
    assert chip.item.name == "notes.md" and chip.item.excluded
    assert chip.exclude_button.isChecked()


def test_a_server_that_refuses_the_images_says_what_to_do_and_keeps_them(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    from tests.support.openai_server import Reply

    app = start_chat_app(model="my-local-model")  # not known either way: no question
    openai_server.enqueue(
        Reply(
            status=400,
            body='{"error": {"message": "image input is not supported by this model"}}',
        )
    )
    sent_with_image(app, qtbot, tmp_path)
    banner = app.window.banner
    qtbot.waitUntil(banner.isVisible)
    assert banner.text.text().startswith("This model cannot take images")
    (saved,) = app.conversation_files()
    assert saved["messages"][0]["attachments"][0]["name"] == "chart.png"


def test_files_copied_in_a_file_manager_are_attached_when_pasted(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    from PySide6.QtCore import QMimeData

    app = start_chat_app()
    copied = QMimeData()
    copied.setUrls([QUrl.fromLocalFile(str(png_file(tmp_path / "copied.png")))])
    copied.setText(str(tmp_path / "copied.png"))  # file managers offer the path as text too
    QGuiApplication.clipboard().setMimeData(copied)
    edit = app.window.composer.edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    # A key without Ctrl: the application's idea of the modifiers held comes from the last
    # key event, and a later test's clicks in a list would otherwise toggle, not select.
    qtbot.keyClick(edit, Qt.Key.Key_End)

    (item,) = ready(app, qtbot)
    assert item.name == "copied.png" and item.attachment is not None
    assert edit.toPlainText() == ""
