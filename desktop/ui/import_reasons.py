"""The readers' reasons (desktop/core/importers/reasons.py) in the user's language: the same
texts as the catalogue's English, through ``translate`` (tests/ui/test_import_reasons.py
checks that each code has its text here, with the same fields)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.core.importers import reasons
from desktop.core.importers.reasons import Reason


def _texts() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {
        reasons.OPEN_FAILED: translate("ImportReason", "cannot be opened ({error})"),
        reasons.NOT_READABLE: translate("ImportReason", "cannot be read ({error})"),
        reasons.NO_CONVERSATIONS_JSON: translate("ImportReason", "has no conversations.json"),
        reasons.NO_CONFAB_CONVERSATION: translate("ImportReason", "holds no Confab conversation"),
        reasons.NOT_AN_EXPORT: translate("ImportReason", "not an export Confab reads ({kind})"),
        reasons.STOPPED_AT: translate(
            "ImportReason", "{error}: the conversations before it were read"
        ),
        reasons.ENDS_EARLY: translate(
            "ImportReason",
            "the file ends here (cut short?): the conversations before it were read",
        ),
        reasons.NOT_A_LIST: translate("ImportReason", "not a JSON list of conversations"),
        reasons.SOURCE_TOO_LARGE: translate(
            "ImportReason",
            "larger than Confab reads ({error}): the conversations before it were read",
        ),
        reasons.STOPPED_AFTER: translate(
            "ImportReason",
            "unreadable after conversation {count} ({error}): those before were read",
        ),
        reasons.READER_FAILED: translate(
            "ImportReason", "the reading stopped ({error}): what was read before is kept"
        ),
        reasons.TOO_LARGE: translate("ImportReason", "larger than {mib} MiB: not read"),
        reasons.NOT_JSON: translate("ImportReason", "not valid JSON ({error})"),
        reasons.NOT_AN_OBJECT: translate("ImportReason", "a conversation is {type}, not an object"),
        reasons.CONVERSION_FAILED: translate("ImportReason", "cannot be read ({error})"),
        reasons.DAMAGED_FILE: translate("ImportReason", "damaged: {error}"),
        reasons.UNSAFE_ID: translate("ImportReason", "its id {id} cannot name a file"),
        reasons.NODE_NOT_AN_OBJECT: translate("ImportReason", "the node is {type}, not an object"),
        reasons.MESSAGE_NOT_AN_OBJECT: translate(
            "ImportReason", "its message is {type}, not an object"
        ),
        reasons.CONTENT_WITHOUT_TEXT: translate(
            "ImportReason", "content of type {kind} has no text Confab reads"
        ),
        reasons.PARENT_CYCLE: translate("ImportReason", "its parent links form a cycle"),
        reasons.MADE_ID: translate(
            "ImportReason", "the conversation has no id: one was made from its title and time"
        ),
        reasons.MESSAGES_MISSING: translate("ImportReason", "its messages ({field}) are missing"),
        reasons.MESSAGES_NOT_AN_OBJECT: translate(
            "ImportReason", "its messages ({field}) are {type}, not an object"
        ),
        reasons.MESSAGES_NOT_A_LIST: translate(
            "ImportReason", "its messages ({field}) are {type}, not a list"
        ),
        reasons.BLOCK_WITHOUT_TEXT: translate(
            "ImportReason", "message {message}: a {kind} block with no text left out"
        ),
        reasons.IMAGE_NOT_IN_EXPORT: translate("ImportReason", "image {name} is not in the export"),
        reasons.ATTACHMENT_REFUSED: translate(
            "ImportReason", "file {name} was not attached: {error}"
        ),
        reasons.NEWER_FORMAT: translate(
            "ImportReason", "written by a newer Confab (format version {version})"
        ),
        reasons.FIELD_LEFT_OUT: translate("ImportReason", "a field could not be read: {detail}"),
    }


def texts() -> dict[str, str]:
    """Each code's text in the user's language (its fields still to fill)."""
    return _texts()


def say(reason: Reason) -> str:
    """``reason`` in the user's language; the English when its code has no text here."""
    from desktop.core.reasons import say as filled

    return filled(_texts().get(reason.code), reason.values(), str(reason))
