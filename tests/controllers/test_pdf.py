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
    pdf = html_to_pdf(f"<p>{CJK}</p><p>An office offline, efficient.</p>", "标题")
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
