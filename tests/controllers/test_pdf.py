"""The PDF printer (desktop/controllers/pdf.py), read back as a PDF reader reads it: Chinese
text that searches and copies as the same characters (not the radicals that share their
glyphs), words without ligature characters, several pages, printed in a thread of its own."""

from __future__ import annotations

from typing import Any

import pypdf
from PySide6.QtCore import QThread

from desktop.controllers.pdf import html_to_pdf

# Each of these shares its glyph with a radical in Noto Sans CJK (一 ⼀, 风 ⻛, 长 ⻑, 门 ⻔…).
CJK = "一二三，风长门马鸟见言金。"


def _text(pdf: bytes, tmp_path: Any) -> tuple[int, str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    reader = pypdf.PdfReader(path)
    text = "".join(page.extract_text() for page in reader.pages)
    # pypdf writes a space between runs as a tab, and breaks lines between fonts.
    return len(reader.pages), " ".join(text.split())


def test_chinese_reads_back_as_the_same_characters(qapp: Any, tmp_path: Any) -> None:
    pdf = html_to_pdf(f"<p>{CJK}</p><p>An office offline, efficient.</p>", title="标题")
    assert pdf.startswith(b"%PDF-")
    pages, text = _text(pdf, tmp_path)
    assert pages == 1
    assert CJK in text
    assert "office offline, efficient" in text
    assert not any(0x2E80 <= ord(ch) < 0x2FE0 or 0xFB00 <= ord(ch) <= 0xFB06 for ch in text)


def test_a_long_conversation_runs_over_pages_printed_in_a_thread(qapp: Any, tmp_path: Any) -> None:
    html = "".join(f"<p>第 {n} 段：{CJK}</p>" for n in range(400))
    printed: list[bytes] = []

    class Printer(QThread):
        # A QThread, as the window's export thread: Qt's font cache starts timers as it
        # grows, which need the thread's event dispatcher (a bare Python thread has none).
        def run(self) -> None:
            printed.append(html_to_pdf(html))

    worker = Printer()
    worker.start()
    assert worker.wait(60_000)
    pages, text = _text(printed[0], tmp_path)
    assert pages > 3
    assert f"第 399 段：{CJK}".replace(" ", "") in text.replace(" ", "")


def _image_objects(path: Any) -> list[tuple[int, int]]:
    """The (width, height) of each image XObject the PDF's pages draw."""
    found = []
    for page in pypdf.PdfReader(path).pages:
        resources = page.get("/Resources") or {}
        objects = resources.get_object().get("/XObject") or {}
        for ref in objects.get_object().values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.append((int(xobject["/Width"]), int(xobject["/Height"])))
    return found


def test_an_export_prints_the_images_and_the_formulas_as_pictures(qapp: Any, tmp_path: Any) -> None:
    from datetime import UTC, datetime

    from desktop.core.attachments import AttachmentStore
    from desktop.core.models import Conversation, Message
    from desktop.core.services.exporting import Exporter
    from desktop.core.storage import ConversationStore
    from tests.support.attachment_files import png

    data = tmp_path / "data"
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    chart = AttachmentStore(data).add_bytes(png(3000, 1500), "chart.png")  # wider than A4
    conversation = Conversation(id="c", title="Areas", created_at=moment, updated_at=moment)
    question = conversation.append(Message("q", None, "user", "What area is this?", moment))
    question.attachments = (chart,)
    answer = (
        "The area is $\\frac{\\pi r^2}{2}$ here, and\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n"
    )
    conversation.append(Message("a", "q", "assistant", answer, moment, model="m"))
    store = ConversationStore(data)
    store.save(conversation)
    store.close()

    out = tmp_path / "areas.pdf"
    Exporter(data, pdf=html_to_pdf).run(["c"], "pdf", out)

    images = _image_objects(out)
    assert len(images) >= 3  # the chart and both formulas
    # The chart as sent to most models (at most 2048 long), not its 3000 pixels.
    assert (2048, 1024) in images
    _pages, text = _text(out.read_bytes(), tmp_path)
    assert "The area is" in text and "here, and" in text
    assert "\\frac" not in text and "\\int" not in text and "pi r" not in text
    assert "chart.png" in text  # still named
