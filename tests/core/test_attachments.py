"""The attachment store: real files made at test time, stored once by content, their type from
their bytes, refused with a clear reason when they cannot be attached (hostile ones
included), their text extracted once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from desktop.core.attachments import (
    DOCUMENT_LIMIT,
    IMAGE_LIMIT,
    AttachmentError,
    AttachmentStore,
    document_part_text,
    estimate_attachment_tokens,
    model_sees_images,
    reasons,
)
from desktop.core.attachments.documents import decode_text
from desktop.core.attachments.estimate import image_tokens, patch_tokens, tile_tokens
from desktop.core.attachments.images import OPENAI, scaled_size
from desktop.core.tokens import TokenCounter
from tests.support import attachment_files as files


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return AttachmentStore(tmp_path)


def _refused(store: AttachmentStore, data: bytes, name: str) -> AttachmentError:
    with pytest.raises(AttachmentError) as caught:
        store.add_bytes(data, name)
    return caught.value


# ---- adding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime", "ext", "size"),
    [
        (files.png(640, 480), "image/png", "png", (640, 480)),
        (files.photo(800, 600), "image/jpeg", "jpg", (800, 600)),
        (files.gif(), "image/gif", "gif", (32, 16)),
        (files.webp(), "image/webp", "webp", (50, 40)),
    ],
)
def test_an_image_is_stored_under_its_digest_with_its_size(
    store: AttachmentStore, data: bytes, mime: str, ext: str, size: tuple[int, int]
) -> None:
    # The name lies about the type: the bytes decide.
    attachment = store.add_bytes(data, "picture.bin")
    assert (attachment.kind, attachment.mime, attachment.ext) == ("image", mime, ext)
    assert (attachment.width, attachment.height) == size
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.size == len(data)
    path = store.path_of(attachment)
    assert path == store.data_dir / "attachments" / f"{attachment.sha256}.{ext}"
    assert path.read_bytes() == data


def test_the_same_image_attached_twice_is_stored_once(
    store: AttachmentStore, tmp_path: Path
) -> None:
    data = files.png()
    source = tmp_path / "shot.png"
    source.write_bytes(data)
    first = store.add_file(source)
    second = store.add_bytes(data, "Pasted image.png")
    assert first.sha256 == second.sha256
    assert (first.name, second.name) == ("shot.png", "Pasted image.png")
    assert [p.name for p in (store.data_dir / "attachments").iterdir()] == [first.file_name]


def test_a_jpeg_rotated_by_its_exif_has_the_size_it_is_shown_at(store: AttachmentStore) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90°
    attachment = store.add_bytes(files.photo(400, 200, exif=exif.tobytes()), "phone.jpg")
    assert (attachment.width, attachment.height) == (200, 400)


def test_text_files_in_several_encodings_are_read_as_text(store: AttachmentStore) -> None:
    text = "北国风光，千里冰封，万里雪飘。望长城内外，惟余莽莽。"
    samples = {
        "utf8.md": text.encode("utf-8"),
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf16.txt": text.encode("utf-16"),  # with its BOM
        "gbk.py": f"# {text}\nprint('ok')\n".encode("gbk"),
    }
    for name, data in samples.items():
        attachment = store.add_bytes(data, name)
        assert (attachment.kind, attachment.mime, attachment.ext) == (
            "document",
            "text/plain",
            "txt",
        )
        assert text in store.text_of(attachment).text, name
    french = "Le café est très chaud, à côté de la fenêtre."
    assert decode_text(french.encode("cp1252")) == (french, "cp1252")
    russian = "Привет, как дела? Всё хорошо."
    assert decode_text(russian.encode("cp1251"))[0] == russian  # type: ignore[index]


def test_a_pdf_gives_its_text_and_a_scan_says_it_has_none(store: AttachmentStore) -> None:
    pdf = store.add_bytes(
        files.pdf(["Revenue was 42 million."], ["Costs were 17 million."]), "q3.pdf"
    )
    assert (pdf.kind, pdf.mime, pdf.ext) == ("document", "application/pdf", "pdf")
    text = store.text_of(pdf)
    assert "Revenue was 42 million." in text.text and "Costs were 17 million." in text.text
    assert text.pages == 2 and not text.empty
    scan = store.add_bytes(files.scanned_pdf(), "scan.pdf")
    assert store.text_of(scan).empty
    assert "no text" in document_part_text(scan.name, store.text_of(scan))


def test_a_docx_gives_its_paragraphs_and_tables_in_order(store: AttachmentStore) -> None:
    data = files.docx(["First paragraph.", "第二段。"], [["Name", "Score"], ["Ada", "99"]])
    attachment = store.add_bytes(data, "notes.docx")
    assert attachment.ext == "docx" and attachment.kind == "document"
    assert store.text_of(attachment).text == (
        "First paragraph.\n第二段。\nName | Score\nAda | 99\nAfter the table."
    )


def test_the_text_is_extracted_once_and_the_cache_made_again_when_missing(
    store: AttachmentStore, tmp_path: Path
) -> None:
    attachment = store.add_bytes(files.pdf(["Cached text."]), "a.pdf")
    cache = tmp_path / "derived" / f"{attachment.sha256}.txt"
    assert cache.read_text(encoding="utf-8") == "Cached text."
    # A new store (a restart) reads the cache, not the PDF: the cache is what it says.
    cache.write_text("from the cache", encoding="utf-8")
    assert AttachmentStore(tmp_path).text_of(attachment).text == "from the cache"
    cache.unlink()
    assert AttachmentStore(tmp_path).text_of(attachment).text == "Cached text."
    assert cache.exists()


# ---- refused -----------------------------------------------------------------------------


def test_unreadable_empty_and_unsupported_files_are_refused_with_their_reason(
    store: AttachmentStore, tmp_path: Path
) -> None:
    with pytest.raises(AttachmentError) as caught:
        store.add_file(tmp_path / "gone.png")
    assert caught.value.kind == reasons.UNREADABLE and "gone.png" in str(caught.value)
    with pytest.raises(AttachmentError) as caught:
        store.add_file(tmp_path)  # a folder
    assert caught.value.kind == reasons.UNREADABLE
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(AttachmentError) as caught:
        store.add_file(tmp_path / "empty.txt")
    assert caught.value.kind == reasons.EMPTY
    error = _refused(store, b"BM" + bytes(100), "old.png")
    assert (error.kind, error.fields["type"]) == (reasons.UNSUPPORTED, "BMP image")
    error = _refused(store, bytes(range(256)) * 4, "blob.txt")
    assert error.kind == reasons.UNSUPPORTED
    assert not (store.data_dir / "attachments").exists()


def test_a_file_over_the_limit_is_refused_without_being_read(
    store: AttachmentStore, tmp_path: Path
) -> None:
    big = tmp_path / "huge.png"
    with open(big, "wb") as handle:
        handle.write(files.png())
        handle.truncate(IMAGE_LIMIT + 1)  # sparse: nothing written past the PNG
    with pytest.raises(AttachmentError) as caught:
        store.add_file(big)
    error = caught.value
    assert (error.kind, error.fields["limit"], error.fields["size"]) == (
        reasons.TOO_LARGE,
        "20",
        "20.1",
    )
    assert "20 MB" in str(error)
    text = tmp_path / "huge.log"
    with open(text, "wb") as handle:
        handle.write(b"log line\n")
        handle.truncate(DOCUMENT_LIMIT + 5 * 2**20)
    with pytest.raises(AttachmentError) as caught:
        store.add_file(text)
    assert (caught.value.fields["size"], caught.value.fields["limit"]) == ("55", "50")


def test_hostile_images_are_refused_not_raised(store: AttachmentStore) -> None:
    bomb = _refused(store, files.png_bomb(), "bomb.png")
    assert bomb.kind == reasons.TOO_MANY_PIXELS and bomb.fields["pixels"] == "900"
    whole = files.photo(800, 600)
    truncated = _refused(store, whole[: len(whole) // 2], "cut.jpg")
    assert truncated.kind == reasons.DAMAGED
    liar = _refused(store, b"\x89PNG\r\n\x1a\n" + os.urandom(300), "fake.png")
    assert liar.kind == reasons.DAMAGED and "fake.png" in str(liar)
    assert not (store.data_dir / "attachments").exists()


def test_hostile_documents_are_refused_not_raised(store: AttachmentStore) -> None:
    whole = files.pdf(["x"])
    error = _refused(store, whole[: len(whole) // 2], "cut.pdf")  # pypdf raises on it
    assert error.kind == reasons.DAMAGED and "cut.pdf" in str(error)
    garbage = _refused(store, b"%PDF-1.7\n" + os.urandom(2000), "garbage.pdf")
    assert garbage.kind == reasons.DAMAGED
    bomb = _refused(store, files.zip_bomb_docx(), "bomb.docx")
    assert bomb.kind == reasons.UNPACKS_TOO_LARGE
    cut = files.docx(["hello"])
    assert _refused(store, cut[: len(cut) // 2], "cut.docx").kind in (
        reasons.DAMAGED,
        reasons.UNSUPPORTED,
    )


def test_an_encrypted_pdf_says_it_needs_a_password(store: AttachmentStore) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(files.pdf(["secret"]))))
    writer.encrypt("hunter2")
    out = io.BytesIO()
    writer.write(out)
    assert _refused(store, out.getvalue(), "locked.pdf").kind == reasons.ENCRYPTED


# ---- tokens and vision -------------------------------------------------------------------


def test_openai_tile_formula_matches_its_documented_examples() -> None:
    # The guide's examples: 1024 × 1024 costs 765, 2048 × 4096 costs 1105 (gpt-4o).
    assert tile_tokens(1024, 1024, 85, 170) == 765
    assert tile_tokens(2048, 4096, 85, 170) == 1105
    assert image_tokens(2048, 4096, "gpt-4o").tokens == 1105
    assert image_tokens(1024, 1024, "gpt-4o-mini") == image_tokens(1024, 1024, "openai/gpt-4o-mini")
    assert image_tokens(1024, 1024, "gpt-4o-mini").tokens == 2833 + 4 * 5667
    # Small images are not scaled up: one tile.
    assert image_tokens(128, 64, "gpt-4.1").tokens == 255
    # Patches: 1024 × 1024 is 32 × 32 = 1024 patches; times gpt-4.1-mini's 1.62.
    assert patch_tokens(1024, 1024, 1.62) == 1659
    assert patch_tokens(1800, 2400, 1.0) <= 1536


def test_image_estimates_are_exact_only_for_documented_models(store: AttachmentStore) -> None:
    image = store.add_bytes(files.png(3000, 2000), "wide.png")
    assert estimate_attachment_tokens(image, "gpt-4o").exact
    assert estimate_attachment_tokens(image, "gpt-4o") == estimate_attachment_tokens(
        image, "gpt-4.1"
    )
    for model in ("llava:13b", "qwen-vl-max", "claude-sonnet-4-5", "gpt-5"):
        assert not estimate_attachment_tokens(image, model).exact, model
    assert estimate_attachment_tokens(image, "claude-sonnet-4-5").tokens == round(
        1568 * 1045 / 750 + 0.5
    )


def test_a_document_costs_the_tokens_of_its_text_part(store: AttachmentStore) -> None:
    TokenCounter("gpt-4o").count("load the table")  # else a wait-free count estimates
    attachment = store.add_bytes(("word " * 1000).encode(), "words.txt")
    counted = estimate_attachment_tokens(attachment, "gpt-4o", store.text_of(attachment))
    assert 1000 <= counted.tokens <= 1020
    unknown = estimate_attachment_tokens(attachment, "gpt-4o")  # no text at hand
    assert not unknown.exact and unknown.tokens > 1000


def test_which_models_see_images() -> None:
    for model in (
        "gpt-4o",
        "gpt-4o-mini",
        "openai/gpt-4.1",
        "claude-3-5-sonnet",
        "gemini-2.0-flash",
        "llava:7b",
        "qwen-vl-max",
        "llama3.2-vision",
        "o3",
        "gpt-5-mini",
    ):
        assert model_sees_images(None, model) is True, model
    for model in (
        "deepseek-chat",
        "deepseek-reasoner",
        "gpt-3.5-turbo",
        "o3-mini",
        "qwen-max",
        "llama3.1:8b",
        "moonshot-v1-8k",
    ):
        assert model_sees_images(None, model) is False, model
    assert model_sees_images(None, "my-local-model") is None
    assert model_sees_images(None, "") is None


def test_openai_scaling_fits_the_box_then_the_short_side() -> None:
    assert scaled_size(4096, 2048, OPENAI) == (1536, 768)
    assert scaled_size(500, 300, OPENAI) == (500, 300)
    assert scaled_size(10_000, 500, OPENAI) == (2048, 102)
