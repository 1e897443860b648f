"""Why a file cannot be attached: the codes of ``AttachmentError.kind``
(desktop/core/errors.py) and their English texts, with the fields each names. The window says
them in the user's language (desktop/ui/attachment_reasons.py holds the same texts through
``translate``); the log and the command line use the English here. The machinery (filling a
text's fields, the catalogue) is desktop/core/reasons.py's, shared with the importers'.
"""

from __future__ import annotations

from collections.abc import Mapping

from desktop.core.reasons import Catalogue
from desktop.core.reasons import error_text as error_text  # re-exported
from desktop.core.reasons import fill as fill  # re-exported

# The file could not be read at all (gone, no permission, a folder).
UNREADABLE = "unreadable"
# Nothing in it.
EMPTY = "empty"
# Larger than the limit of its kind: ``size`` and ``limit`` in MB (20 for images, 50 for others).
TOO_LARGE = "too_large"
# An image with more pixels than Confab decodes (a decompression bomb, or just huge).
TOO_MANY_PIXELS = "too_many_pixels"
# Not a type Confab attaches (``type``: what it seems to be).
UNSUPPORTED = "unsupported"
# It says it is an image / PDF / DOCX but cannot be read as one (``error``: the reader's words).
DAMAGED = "damaged"
# A PDF with a password.
ENCRYPTED = "encrypted"
# A DOCX (a zip) that unpacks to far more than it holds: a zip bomb, refused.
UNPACKS_TOO_LARGE = "unpacks_too_large"
# The attachment's file is gone from attachments/ (deleted by hand, not synced yet).
MISSING = "missing"
# Writing it to the data folder failed (disk full, no permission).
WRITE_FAILED = "write_failed"
# Anything else (an error read back from a file: its detail).
FAILED = "failed"

ENGLISH: dict[str, str] = {
    UNREADABLE: "{name} cannot be read ({error})",
    EMPTY: "{name} is empty",
    TOO_LARGE: "{name} is {size} MB: more than the {limit} MB Confab attaches",
    TOO_MANY_PIXELS: "{name} has {pixels} megapixels: more than the {limit} Confab opens",
    UNSUPPORTED: "{name} is not a file Confab can attach ({type}): images (PNG, JPEG, GIF, "
    "WebP), PDF, DOCX and text files are",
    DAMAGED: "{name} is damaged or not what it seems ({error})",
    ENCRYPTED: "{name} is protected by a password",
    UNPACKS_TOO_LARGE: "{name} unpacks to more than {limit} MB: not opened",
    MISSING: "the file of {name} is missing from the data folder",
    WRITE_FAILED: "{name} could not be saved in the data folder ({error})",
    FAILED: "{name}: {error}",
}


CATALOGUE = Catalogue(ENGLISH, fallback=FAILED)


def english(kind: str, fields: Mapping[str, str]) -> str:
    return CATALOGUE.english(kind, fields)
