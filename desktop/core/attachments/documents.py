"""The text of a document, as the model is sent it (a text part: its name, then this text).

- Text and code files: UTF-8 (a BOM dropped), UTF-16 or UTF-32 with a BOM; else a legacy
  encoding guessed by charset-normalizer: of the encodings it finds least garbled (on a short
  text, many are equally so), the first of ``PREFERRED`` (GB18030, which reads GBK; Shift_JIS;
  Windows-1252; Windows-1251; Big5; EUC-KR), else its own first. Bytes that decode as none (a
  NUL in text without a UTF-16 BOM, no guess at all) are not text: refused as unsupported.
- PDF: pypdf's text of each page, pages separated by a blank line. A PDF with no text at all
  (a scan) gives an empty text: ``DocumentText.empty``, which the window says.
- DOCX: python-docx's paragraphs and tables (cells separated by " | ", a row a line), in the
  order they are in the document. A DOCX is a zip: one that would unpack to more than
  ``UNPACKED_LIMIT`` (a zip bomb) is refused before python-docx reads it.

Every reader's failure on hostile input (a PDF that raises in pypdf, a damaged zip) is an
``AttachmentError``, never a traceback.
"""

from __future__ import annotations

import codecs
import io
import logging
import zipfile
from dataclasses import dataclass

from desktop.core.attachments import reasons
from desktop.core.errors import AttachmentError

log = logging.getLogger("confab.attachments")

# A DOCX whose members unpack to more than this, or that has more members, is not opened.
UNPACKED_LIMIT = 256 * 2**20
MAX_MEMBERS = 10_000

# Legacy encodings by how likely a file in one is, for Confab's users (codecs' names).
PREFERRED = tuple(
    codecs.lookup(name).name for name in ("gb18030", "cp932", "cp1252", "cp1251", "big5", "cp949")
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class DocumentText:
    """A document's text as sent; ``pages`` for a PDF. ``empty``: there is no text to send
    (a scanned PDF, a DOCX of pictures)."""

    text: str
    pages: int | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def decode_text(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of a text file's bytes; None when they are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None  # binary (UTF-16 without a BOM is not guessed: too easily wrong)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    least = min(match.chaos for match in matches)
    tied = [match for match in matches if match.chaos <= least]
    rank = {name: index for index, name in enumerate(PREFERRED)}
    best = min(tied, key=lambda m: rank.get(codecs.lookup(m.encoding).name, len(rank)))
    return str(best), best.encoding


def _damaged(name: str, exc: BaseException) -> AttachmentError:
    return AttachmentError(reasons.DAMAGED, name=name, error=reasons.error_text(exc))


def pdf_text(data: bytes, name: str) -> DocumentText:
    """Raises AttachmentError (damaged, encrypted) for a PDF pypdf cannot read."""
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - a broken install
        raise AttachmentError(reasons.UNSUPPORTED, name=name, type="PDF (pypdf missing)") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise AttachmentError(reasons.ENCRYPTED, name=name)
        pages = [page.extract_text() or "" for page in reader.pages]
    except AttachmentError:
        raise
    # pypdf on hostile input raises anything (PdfReadError, KeyError, ValueError, TypeError,
    # RecursionError, …): the file is damaged, whatever the class.
    except Exception as exc:
        log.info("a PDF pypdf cannot read: %s", reasons.error_text(exc))
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise AttachmentError(reasons.ENCRYPTED, name=name) from exc
        raise _damaged(name, exc) from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    return DocumentText(text, pages=len(pages))


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise _damaged(name, exc) from exc
    # zipfile reads no more of a member than its declared size, so the declared sizes bound
    # what python-docx can unpack.
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > UNPACKED_LIMIT:
        raise AttachmentError(reasons.UNPACKS_TOO_LARGE, name=name, limit=UNPACKED_LIMIT >> 20)


def docx_text(data: bytes, name: str) -> DocumentText:
    """Raises AttachmentError for a DOCX python-docx cannot read (or a zip bomb)."""
    _check_zip(data, name)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a broken install
        raise AttachmentError(
            reasons.UNSUPPORTED, name=name, type="DOCX (python-docx missing)"
        ) from exc
    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                blocks.append(block.text)
            elif isinstance(block, Table):
                blocks.append(_table_text(block))
    except Exception as exc:  # python-docx / lxml on hostile input: anything
        log.info("a DOCX python-docx cannot read: %s", reasons.error_text(exc))
        raise _damaged(name, exc) from exc
    lines = "\n".join(blocks).split("\n")
    # Empty paragraphs are how Word spaces text: at most one blank line in a row is kept.
    kept: list[str] = []
    for line in lines:
        if line.strip() or (kept and kept[-1].strip()):
            kept.append(line.rstrip())
    return DocumentText("\n".join(kept).strip())


def _table_text(table: object) -> str:
    rows: list[str] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # A merged cell appears once per grid column it spans: said once.
            if not cells or cells[-1] != text:
                cells.append(text)
        rows.append(" | ".join(cells))
    return "\n".join(rows)
