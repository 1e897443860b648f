"""What a file is, from its bytes (never from its name): an image Confab sends (PNG, JPEG,
GIF, WebP), a PDF, a DOCX, or text; anything else is refused as unsupported, named as well as
the first bytes allow."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

IMAGE = "image"
DOCUMENT = "document"

# Kind of the sniffed type → (kind, mime, stored extension).
PNG = ("image", "image/png", "png")
JPEG = ("image", "image/jpeg", "jpg")
GIF = ("image", "image/gif", "gif")
WEBP = ("image", "image/webp", "webp")
PDF = ("document", "application/pdf", "pdf")
DOCX = (
    "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
TEXT = ("document", "text/plain", "txt")

# Bytes looked at to tell a type (a PDF's header may come after some junk, within 1 KiB).
HEAD = 4096

# What some common types we do not attach look like, to say what the file seems to be.
_OTHERS: tuple[tuple[bytes, int, str], ...] = (
    (b"BM", 0, "BMP image"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"ftypheic", 4, "HEIC image"),
    (b"ftypheix", 4, "HEIC image"),
    (b"ftypmif1", 4, "HEIF image"),
    (b"ftypavif", 4, "AVIF image"),
    (b"\x00\x00\x01\x00", 0, "icon"),
    (b"<svg", 0, "SVG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "old Office document (.doc, .xls)"),
    (b"{\\rtf", 0, "RTF document"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"Rar!", 0, "RAR archive"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"\x7fELF", 0, "program"),
    (b"MZ", 0, "program"),
    (b"ID3", 0, "audio"),
    (b"OggS", 0, "audio"),
    (b"fLaC", 0, "audio"),
    (b"ftyp", 4, "video or audio"),
)


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "image" | "document" | "" (not something Confab attaches)
    mime: str
    ext: str
    # What it seems to be, when it is not attachable ("BMP image", "zip archive", "binary").
    seems: str = ""

    @property
    def supported(self) -> bool:
        return bool(self.kind)


def _of(triple: tuple[str, str, str]) -> Sniffed:
    return Sniffed(*triple)


def sniff_head(head: bytes) -> Sniffed:
    """The type from the first bytes alone (``HEAD`` of them, or the whole file when shorter):
    enough for images and PDF; a zip is told apart from a DOCX only by ``sniff`` (its member
    names), text by the decoding (desktop/core/attachments/documents.py)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _of(PNG)
    if head.startswith(b"\xff\xd8\xff"):
        return _of(JPEG)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _of(GIF)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _of(WEBP)
    if b"%PDF-" in head[:1024]:
        return _of(PDF)
    if head.startswith(b"PK\x03\x04"):
        return Sniffed("", "application/zip", "zip", "zip archive")  # DOCX decided by sniff
    for magic, at, seems in _OTHERS:
        if head[at : at + len(magic)] == magic:
            return Sniffed("", "application/octet-stream", "", seems)
    return _of(TEXT)  # to be confirmed by decoding it


def sniff(data: bytes) -> Sniffed:
    """The type of a whole file's bytes."""
    found = sniff_head(data[:HEAD])
    if found.mime == "application/zip":
        return _zip_type(data)
    return found


def _zip_type(data: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return Sniffed("", "application/zip", "zip", "damaged zip archive")
    if "word/document.xml" in names:
        return _of(DOCX)
    if "xl/workbook.xml" in names:
        return Sniffed("", "application/zip", "", "spreadsheet (.xlsx)")
    if "ppt/presentation.xml" in names:
        return Sniffed("", "application/zip", "", "presentation (.pptx)")
    if "content.xml" in names and "mimetype" in names:
        return Sniffed("", "application/zip", "", "OpenDocument file")
    return Sniffed("", "application/zip", "zip", "zip archive")
