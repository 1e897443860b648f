"""Attachments travel with their conversations: the Confab archive (the library's and a
selection's) and Confab JSON carry the files, and importing them into another data folder
brings the files back; Markdown embeds the images from a folder beside it, HTML as data: URLs;
a ChatGPT export's images become attachments."""

from __future__ import annotations

import base64
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from desktop.core.attachments import AttachmentStore
from desktop.core.importers import reasons
from desktop.core.importers.ids import message_id
from desktop.core.models import Attachment, Conversation, Message
from desktop.core.services.exporting import Exporter
from desktop.core.services.importing import Importer
from desktop.core.storage import ConversationStore
from tests.support import attachment_files as files
from tests.support.exports import PNG, showcase_chatgpt, write_chatgpt_zip

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _library(data: Path) -> tuple[AttachmentStore, Attachment, Attachment, Attachment]:
    """Two conversations: "a" with an image and a PDF, "b" with another image."""
    store = AttachmentStore(data)
    image = store.add_bytes(files.png(320, 200), "graph (final).png")
    pdf = store.add_bytes(files.pdf(["Revenue was 42 million."]), "q3.pdf")
    other = store.add_bytes(files.photo(300, 200), "beach.jpg")
    conversations = ConversationStore(data)
    for cid, title, attached in (("a", "Report", (image, pdf)), ("b", "Holiday", (other,))):
        conversation = Conversation(id=cid, title=title, created_at=T0, updated_at=T0)
        question = conversation.append(Message(f"{cid}1", None, "user", "Look at these", T0))
        question.attachments = attached
        conversation.append(Message(f"{cid}2", f"{cid}1", "assistant", "I see.", T0))
        conversations.save(conversation)
    conversations.close()
    return store, image, pdf, other


def _import(into: Path, source: Path) -> tuple[ConversationStore, AttachmentStore]:
    store = ConversationStore(into)
    report = Importer(store).run([source])
    assert report.skipped == [] and report.notes == [], report
    store.close()
    return ConversationStore(into), AttachmentStore(into)


def test_the_library_archive_carries_every_attachment_and_imports_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _store, image, pdf, other = _library(data)
    out = tmp_path / "library.zip"
    result = Exporter(data).run(None, "zip", out)
    assert result.attachments == 3
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
    assert {f"attachments/{a.file_name}" for a in (image, pdf, other)} <= names
    conversations, attachments = _import(tmp_path / "elsewhere", out)
    question = conversations.load("a").message("a1")
    assert question.attachments == (image, pdf)
    assert attachments.read(image) == _store.read(image)
    assert "Revenue was 42 million." in attachments.text_of(pdf).text


def test_a_selection_carries_only_what_its_conversations_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _store, image, _pdf, other = _library(data)
    out = tmp_path / "holiday.zip"
    result = Exporter(data).run(["b"], "zip", out)
    with zipfile.ZipFile(out) as archive:
        carried = sorted(n for n in archive.namelist() if n.startswith("attachments/"))
    assert carried == [f"attachments/{other.file_name}"] and result.attachments == 1
    conversations, attachments = _import(tmp_path / "elsewhere", out)
    assert conversations.load("b").message("b1").attachments == (other,)
    assert attachments.exists(other) and not attachments.exists(image)


def test_confab_json_puts_the_files_beside_it_and_imports_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _store, image, pdf, _other = _library(data)
    out = tmp_path / "export" / "report.json"
    Exporter(data).run(["a"], "json", out)
    beside = sorted(p.name for p in (tmp_path / "export" / "attachments").iterdir())
    assert beside == sorted([image.file_name, pdf.file_name])
    conversations, attachments = _import(tmp_path / "elsewhere", out)
    assert conversations.load("a").message("a1").attachments == (image, pdf)
    assert attachments.exists(image) and attachments.exists(pdf)


def test_markdown_embeds_images_from_a_folder_beside_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store, image, pdf, _other = _library(data)
    out = tmp_path / "out" / "report.md"
    Exporter(data).run(["a"], "md", out)
    text = out.read_text(encoding="utf-8")
    assert "![graph (final).png](<report_files/graph (final).png>)" in text
    assert "- 📎 [q3.pdf, 1 KB](<report_files/q3.pdf>)" in text
    folder = tmp_path / "out" / "report_files"
    assert (folder / "graph (final).png").read_bytes() == store.read(image)
    assert (folder / "q3.pdf").read_bytes() == store.read(pdf)
    # In a zip of Markdown files, each has its folder in the zip.
    Exporter(data).run(None, "md", tmp_path / "all.zip")
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        names = set(archive.namelist())
    assert {"Report.md", "Report_files/graph (final).png", "Holiday_files/beach.jpg"} <= names


def test_html_embeds_the_images_as_data_urls(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store, image, _pdf, _other = _library(data)
    out = tmp_path / "report.html"
    Exporter(data).run(["a"], "html", out)
    page = out.read_text(encoding="utf-8")
    encoded = base64.b64encode(store.read(image)).decode("ascii")
    assert f'<img src="data:image/png;base64,{encoded}"' in page
    assert "📎 q3.pdf, 1 KB" in page
    assert not (tmp_path / "report_files").exists()  # one self-contained file


def test_a_missing_attachment_file_is_named_not_an_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store, image, _pdf, _other = _library(data)
    store.path_of(image).unlink()
    out = tmp_path / "report.md"
    result = Exporter(data).run(["a"], "md", out)
    assert result.conversations == 1
    assert "- 📎 graph (final).png, " in out.read_text(encoding="utf-8")


def test_chatgpt_images_in_the_export_become_attachments(tmp_path: Path) -> None:
    source, nodes = showcase_chatgpt()
    real = files.png(64, 48)
    path = write_chatgpt_zip(tmp_path / "export.zip", [source.to_dict()])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("file-AbC123-photo.png", real)
    data = tmp_path / "data"
    store = ConversationStore(data)
    report = Importer(store).run([path])
    store.close()
    assert report.new == 1 and report.notes == []
    (conversation_id,) = report.written
    conversation = ConversationStore(data).load(conversation_id)
    question = conversation.message(message_id("chatgpt", source.id, nodes["q2"]))
    assert question.content == "What is in this picture?"  # no placeholder: the image is there
    (image,) = question.attachments
    assert (image.name, image.kind, image.width, image.height) == (
        "file-AbC123-photo.png",
        "image",
        64,
        48,
    )
    assert question.imported_files == ()
    assert AttachmentStore(data).read(image) == real


def test_a_chatgpt_image_refused_stays_an_imported_file_with_a_note(tmp_path: Path) -> None:
    source, nodes = showcase_chatgpt()
    path = write_chatgpt_zip(tmp_path / "export.zip", [source.to_dict()])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("file-AbC123-photo.png", PNG[:30])  # cut short
    data = tmp_path / "data"
    store = ConversationStore(data)
    report = Importer(store).run([path])
    store.close()
    (note,) = report.notes
    assert note.reason is not None and note.reason.code == reasons.ATTACHMENT_REFUSED
    (conversation_id,) = report.written
    conversation = ConversationStore(data).load(conversation_id)
    question = conversation.message(message_id("chatgpt", source.id, nodes["q2"]))
    assert question.content.startswith("[Image: file-AbC123-photo.png]")
    assert question.attachments == () and question.imported_files[0].path == "file-AbC123-photo.png"


def test_a_drafts_attachments_travel_with_a_confab_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store, _image, _pdf, other = _library(data)
    drafted = store.add_bytes(files.png(64, 64), "not sent yet.png")
    conversations = ConversationStore(data)
    conversation = conversations.load("b")
    conversation.draft_attachments = (drafted,)
    conversations.save(conversation)
    conversations.close()
    for kind, out in (("zip", tmp_path / "b.zip"), ("json", tmp_path / "json" / "b.json")):
        Exporter(data).run(["b"], kind, out)
        imported, attachments = _import(tmp_path / f"from-{kind}", out)
        assert imported.load("b").draft_attachments == (drafted,)
        assert attachments.read(drafted) == store.read(drafted)
        assert attachments.exists(other)
