"""Real files made at test time for the attachment tests: images drawn with Pillow, a PDF
with text (pypdf's writer, a page with a text stream in a standard font), a PDF that is only an
image (a scan), a DOCX made with python-docx, and hostile ones."""

from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageDraw


def png(width: int = 640, height: int = 480, *, alpha: bool = False) -> bytes:
    """A drawing: a few flat colours, as a screenshot or a diagram."""
    image = Image.new(
        "RGBA" if alpha else "RGB", (width, height), (255, 255, 255, 0 if alpha else 255)
    )
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 8, height // 8, width // 2, height // 2), fill=(20, 90, 200, 255))
    draw.ellipse((width // 2, height // 2, width - 10, height - 10), fill=(220, 40, 40, 255))
    draw.text((10, 10), "Confab", fill=(0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def photo(width: int = 1600, height: int = 1200, fmt: str = "JPEG", **options: object) -> bytes:
    """A photo-like image: smooth gradients and noise in each channel (many thousands of
    colours)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    channels = [
        Image.blend(gradient, Image.effect_noise((width, height), sigma), 0.5)
        for sigma in (30, 45, 60)
    ]
    image = Image.merge("RGB", channels)
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (32, 16), 3).save(out, format="GIF")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (10, 200, 30)).save(out, format="WEBP")
    return out.getvalue()


def _pdf_text_page(writer: object, lines: list[str]) -> None:
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    page = writer.add_blank_page(612, 792)  # type: ignore[attr-defined]
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}  # type: ignore[attr-defined]
    )
    commands = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        commands.append(f"({escaped}) Tj T*")
    commands.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(commands).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)  # type: ignore[attr-defined]


def pdf(*pages: list[str]) -> bytes:
    """A PDF whose pages hold these lines of text (extractable: a standard font)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for lines in pages or (["The quarterly revenue was 42 million."],):
        _pdf_text_page(writer, lines)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A PDF of one page that is only an image, as a scanner makes."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo(400, 500))).save(out, format="PDF")
    return out.getvalue()


def docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
        document.add_paragraph("After the table.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """A PNG whose header says ``side`` × ``side`` pixels (900 megapixels), a few KB on disk."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grey
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(200)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def zip_bomb_docx() -> bytes:
    """A DOCX (its member names say so) one of whose members unpacks to 300 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/huge.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1 << 20)
            for _ in range(300):
                member.write(block)
    return out.getvalue()
