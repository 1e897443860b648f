"""Why a file cannot be attached (``AttachmentError.kind``, the codes of
desktop/core/attachments/reasons.py) in the user's language: the same texts as the
catalogue's English, through ``translate`` (tests/ui/test_attachment_reasons.py checks that
each code has its text here, with the same fields)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.core.attachments import reasons
from desktop.core.errors import AttachmentError


def _texts() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {
        reasons.UNREADABLE: translate("AttachmentReason", "{name} cannot be read ({error})"),
        reasons.EMPTY: translate("AttachmentReason", "{name} is empty"),
        reasons.TOO_LARGE: translate(
            "AttachmentReason",
            "{name} is {size} MB: more than the {limit} MB Confab attaches",
        ),
        reasons.TOO_MANY_PIXELS: translate(
            "AttachmentReason",
            "{name} has {pixels} megapixels: more than the {limit} Confab opens",
        ),
        reasons.UNSUPPORTED: translate(
            "AttachmentReason",
            "{name} is not a file Confab can attach ({type}): images (PNG, JPEG, GIF, "
            "WebP), PDF, DOCX and text files are",
        ),
        reasons.DAMAGED: translate(
            "AttachmentReason", "{name} is damaged or not what it seems ({error})"
        ),
        reasons.ENCRYPTED: translate("AttachmentReason", "{name} is protected by a password"),
        reasons.UNPACKS_TOO_LARGE: translate(
            "AttachmentReason", "{name} unpacks to more than {limit} MB: not opened"
        ),
        reasons.MISSING: translate(
            "AttachmentReason", "the file of {name} is missing from the data folder"
        ),
        reasons.WRITE_FAILED: translate(
            "AttachmentReason", "{name} could not be saved in the data folder ({error})"
        ),
        reasons.FAILED: translate("AttachmentReason", "{name}: {error}"),
    }


def texts() -> dict[str, str]:
    """Each code's text in the user's language (its fields still to fill)."""
    return _texts()


def say(error: AttachmentError | BaseException) -> str:
    """``error`` in the user's language; the English when its code has no text here. Not an
    AttachmentError (a file that failed some other way, in the adding thread): said in
    words too, never a traceback."""
    if not isinstance(error, AttachmentError):
        if isinstance(error, OSError):
            return QCoreApplication.translate(
                "AttachmentReason", "The file cannot be read ({error})"
            ).format(error=error.strerror or str(error))
        return QCoreApplication.translate(
            "AttachmentReason", "The file cannot be attached ({error})"
        ).format(error=str(error) or type(error).__name__)
    from desktop.core.reasons import say as filled

    return filled(_texts().get(error.kind), error.fields, str(error))
