"""Why a file cannot be attached, in the user's language: the window's texts
(desktop/ui/attachment_reasons.py) are the catalogue's (desktop/core/attachments/reasons.py),
code for code and field for field, Chinese in Chinese; a reply that failed because the model
takes no images says so, then and after a restart."""

from __future__ import annotations

import string
from typing import Any

from desktop.core.attachments import reasons
from desktop.core.errors import AttachmentError, ImagesRejectedError
from desktop.core.models import ReplyError
from desktop.ui import attachment_reasons, error_text


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_each_reason_has_the_windows_text_with_the_same_fields(qapp: Any) -> None:
    texts = attachment_reasons.texts()
    assert set(texts) == set(reasons.ENGLISH)
    for code, english in reasons.ENGLISH.items():
        assert texts[code] == english, code
        assert fields(texts[code]) == fields(english)


def test_an_error_reads_in_english_with_its_fields(qapp: Any) -> None:
    error = AttachmentError(reasons.TOO_LARGE, name="huge.png", size="31.5", limit="20")
    assert str(error) == "huge.png is 31.5 MB: more than the 20 MB Confab attaches"
    assert attachment_reasons.say(error) == str(error)
    assert error_text.explain(error) == str(error)


def test_every_reason_is_chinese_in_chinese(chinese: None) -> None:
    for code, text in attachment_reasons.texts().items():
        assert text != reasons.ENGLISH[code], code
        assert fields(text) == fields(reasons.ENGLISH[code]), code
    error = AttachmentError(reasons.ENCRYPTED, name="合同.pdf")
    assert attachment_reasons.say(error) == "合同.pdf 受密码保护"


def test_a_model_that_takes_no_images_is_said_so_now_and_after_a_restart(qapp: Any) -> None:
    error = ImagesRejectedError(400, "Invalid type for 'messages[0].content': expected a string")
    said = error_text.explain(error)
    assert "cannot take images" in said
    saved = ReplyError.of(error)
    assert saved.kind == "images_rejected"
    assert error_text.describe_saved_error(saved) == said


def test_a_file_that_failed_another_way_is_said_in_words(qapp: Any) -> None:
    assert attachment_reasons.say(OSError(13, "Permission denied")) == (
        "The file cannot be read (Permission denied)"
    )
    assert attachment_reasons.say(MemoryError()) == "The file cannot be attached (MemoryError)"
