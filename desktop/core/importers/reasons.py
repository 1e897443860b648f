"""Why a reader left something out, or what it noticed: a ``Reason`` is a code from the
catalogue below and the values of its fields, so the window can say it in the user's language
(desktop/ui/import_reasons.py holds the same texts through ``translate``) while the command
line and the log use the English here (``str(reason)``). The machinery (filling a text's
fields, the catalogue) is desktop/core/reasons.py's, shared with the attachments'.

The fields' values are data (a type's name, a file's name, the error the system gave), shown
as they are in every language.
"""

from __future__ import annotations

from typing import NamedTuple

from desktop.core import reasons as _shared
from desktop.core.reasons import Catalogue

# The source (a file, a zip) as a whole.
OPEN_FAILED = "open_failed"
NOT_READABLE = "not_readable"
NO_CONVERSATIONS_JSON = "no_conversations_json"
NO_CONFAB_CONVERSATION = "no_confab_conversation"
NOT_AN_EXPORT = "not_an_export"
STOPPED_AT = "stopped_at"
ENDS_EARLY = "ends_early"
NOT_A_LIST = "not_a_list"
SOURCE_TOO_LARGE = "source_too_large"
STOPPED_AFTER = "stopped_after"
READER_FAILED = "reader_failed"
# One conversation.
TOO_LARGE = "too_large"
NOT_JSON = "not_json"
NOT_AN_OBJECT = "not_an_object"
CONVERSION_FAILED = "conversion_failed"
DAMAGED_FILE = "damaged_file"
UNSAFE_ID = "unsafe_id"
# One message (or node) of a conversation.
NODE_NOT_AN_OBJECT = "node_not_an_object"
MESSAGE_NOT_AN_OBJECT = "message_not_an_object"
CONTENT_WITHOUT_TEXT = "content_without_text"
PARENT_CYCLE = "parent_cycle"
# Notes on a conversation that was imported.
MADE_ID = "made_id"
MESSAGES_MISSING = "messages_missing"
MESSAGES_NOT_AN_OBJECT = "messages_not_an_object"
MESSAGES_NOT_A_LIST = "messages_not_a_list"
BLOCK_WITHOUT_TEXT = "block_without_text"
IMAGE_NOT_IN_EXPORT = "image_not_in_export"
ATTACHMENT_REFUSED = "attachment_refused"
NEWER_FORMAT = "newer_format"
FIELD_LEFT_OUT = "field_left_out"

ENGLISH: dict[str, str] = {
    OPEN_FAILED: "cannot be opened ({error})",
    NOT_READABLE: "cannot be read ({error})",
    NO_CONVERSATIONS_JSON: "has no conversations.json",
    NO_CONFAB_CONVERSATION: "holds no Confab conversation",
    NOT_AN_EXPORT: "not an export Confab reads ({kind})",
    STOPPED_AT: "{error}: the conversations before it were read",
    ENDS_EARLY: "the file ends here (cut short?): the conversations before it were read",
    NOT_A_LIST: "not a JSON list of conversations",
    SOURCE_TOO_LARGE: "larger than Confab reads ({error}): the conversations before it were read",
    STOPPED_AFTER: "unreadable after conversation {count} ({error}): those before were read",
    READER_FAILED: "the reading stopped ({error}): what was read before is kept",
    TOO_LARGE: "larger than {mib} MiB: not read",
    NOT_JSON: "not valid JSON ({error})",
    NOT_AN_OBJECT: "a conversation is {type}, not an object",
    CONVERSION_FAILED: "cannot be read ({error})",
    DAMAGED_FILE: "damaged: {error}",
    UNSAFE_ID: "its id {id} cannot name a file",
    NODE_NOT_AN_OBJECT: "the node is {type}, not an object",
    MESSAGE_NOT_AN_OBJECT: "its message is {type}, not an object",
    CONTENT_WITHOUT_TEXT: "content of type {kind} has no text Confab reads",
    PARENT_CYCLE: "its parent links form a cycle",
    MADE_ID: "the conversation has no id: one was made from its title and time",
    MESSAGES_MISSING: "its messages ({field}) are missing",
    MESSAGES_NOT_AN_OBJECT: "its messages ({field}) are {type}, not an object",
    MESSAGES_NOT_A_LIST: "its messages ({field}) are {type}, not a list",
    BLOCK_WITHOUT_TEXT: "message {message}: a {kind} block with no text left out",
    IMAGE_NOT_IN_EXPORT: "image {name} is not in the export",
    ATTACHMENT_REFUSED: "file {name} was not attached: {error}",
    NEWER_FORMAT: "written by a newer Confab (format version {version})",
    FIELD_LEFT_OUT: "a field could not be read: {detail}",
}


CATALOGUE = Catalogue(ENGLISH)


class Reason(NamedTuple):
    """``code``: one of the catalogue's; ``fields``: (name, value) of each of its fields."""

    code: str
    fields: tuple[tuple[str, str], ...] = ()

    def values(self) -> dict[str, str]:
        return dict(self.fields)

    def __str__(self) -> str:
        return CATALOGUE.english(self.code, self.values())


def reason(code: str, **fields: object) -> Reason:
    """The Reason ``code`` with its fields (each shown with ``str``)."""
    if code not in CATALOGUE:
        raise KeyError(code)
    return Reason(code, tuple((name, str(value)) for name, value in fields.items()))


def error_text(exc: BaseException) -> str:
    """An exception as a field: its type's name and what it says."""
    return _shared.error_text(exc, typed=True)
