"""Why a file cannot be attached (desktop/core/attachments/reasons.py) reaches its chip in the
user's language: the window's texts (desktop/ui/attachment_reasons.py) are the catalogue's,
code for code and field for field, in Chinese too, with the fields' values (the file's name,
the limit) as they are; an error that is not an AttachmentError still says something."""

from __future__ import annotations

from typing import Any

from desktop.core.attachments import reasons
from desktop.core.errors import AttachmentError
from desktop.ui import attachment_reasons
from tests.ui.test_import_reasons import fields


def test_each_reason_has_the_windows_text_with_the_same_fields(qapp: Any) -> None:
    texts = attachment_reasons.texts()
    assert set(texts) == set(reasons.ENGLISH)
    for code, english in reasons.ENGLISH.items():
        assert texts[code] == english, code
        assert fields(texts[code]) == fields(english)


def test_a_reason_reads_as_the_catalogue_says_it(qapp: Any) -> None:
    error = AttachmentError(reasons.TOO_LARGE, name="scan.png", size=41, limit=20, what="an image")
    assert attachment_reasons.say(error) == str(error)
    assert str(error) == "scan.png is 41 MB: more than the 20 MB Confab attaches as an image"
    assert attachment_reasons.say(OSError(13, "Permission denied")) == (
        "The file cannot be read (Permission denied)"
    )


def test_every_reason_is_chinese_in_chinese(chinese: None) -> None:
    for code, text in attachment_reasons.texts().items():
        assert text != reasons.ENGLISH[code], code
        assert fields(text) == fields(reasons.ENGLISH[code]), code
    error = AttachmentError(reasons.TOO_LARGE, name="扫描.png", size=41, limit=20, what="an image")
    assert attachment_reasons.say(error) == "扫描.png 有 41 MB：超过了 Confab 单张图片的 20 MB 上限"
