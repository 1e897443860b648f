"""Confab's own files: a conversation file, a folder of them (a data folder too: its
``conversations/``), and Confab's export archive (a .zip with ``conversations/<id>.json``
and ``attachments/``).

Each file is read as Confab reads its own (desktop/core/fileformat.py: liberally, what cannot
be read noted), and keeps its ids: the import service sees the same conversation again as
such. ``imported_from`` is set (app "confab", the conversation's id) unless the file already
says where the conversation came from (a ChatGPT conversation exported from another Confab).
The attachments a conversation names (``attachments/<sha256>.<ext>``) that the source holds
are listed in its ``Item.files``: in the archive, in the folder read, or beside the file (a
single ``.json`` exported with its ``attachments/`` folder, or a data folder's
``conversations/<id>.json``); they are read with ``read_file``
(desktop/core/importers/__init__.py) and stored by the import service.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from desktop.core.errors import CorruptFileError
from desktop.core.importers import CONFAB, Cancelled, Event, Item, Problem, Progress
from desktop.core.importers.container import MEMBER_ERRORS, Container
from desktop.core.importers.detection import confab_files
from desktop.core.importers.jsonstream import TooLarge
from desktop.core.importers.lists import CONVERSION_ERRORS
from desktop.core.importers.reasons import (
    CONVERSION_FAILED,
    DAMAGED_FILE,
    FIELD_LEFT_OUT,
    NEWER_FORMAT,
    NO_CONFAB_CONVERSATION,
    NOT_JSON,
    NOT_READABLE,
    TOO_LARGE,
    UNSAFE_ID,
    error_text,
    reason,
)
from desktop.core.models import Clock, Conversation, ImportedFrom

ATTACHMENTS = "attachments"
# As desktop/core/storage.py's: an id that can name a file.
SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# A conversation file of 2,000 messages is ~3 MB; past this one is not read.
MAX_FILE_BYTES = 1 << 30


def attachment_folders(path: Path) -> list[Path]:
    """Where a conversation file or folder read from disk keeps its attachments besides the
    container itself: the ``attachments/`` beside it, or beside the ``conversations/``
    folder it is in (a data folder's)."""
    if zipfile.is_zipfile(path) if path.is_file() else False:
        return []
    base = path if path.is_dir() else path.parent
    found = [base / ATTACHMENTS]
    if base.name == "conversations":
        found.append(base.parent / ATTACHMENTS)
    return found


def _attached(container: Container, conversation: Conversation, beside: list[Path]) -> list[str]:
    names = set(container.names())
    files: list[str] = []
    named = [a for m in conversation.messages for a in m.attachments]
    for attachment in [*named, *conversation.draft_attachments]:
        name = f"{ATTACHMENTS}/{attachment.file_name}"
        if name in files:
            continue
        if name in names or any((f / attachment.file_name).is_file() for f in beside):
            files.append(name)
    return files


def read_confab(path: Path, cancelled: Cancelled, clock: Clock) -> Iterator[Event]:
    container = Container.open_or_problem(path)
    if isinstance(container, Problem):
        yield container
        return
    beside = attachment_folders(path)
    with container:
        names = confab_files(container)
        total = sum(container.size(name) for name in names)
        read = 0
        for number, name in enumerate(names):
            if cancelled():
                return
            where = name if container.is_zip or path.is_dir() else str(path)
            found = _read_one(container, name, where, clock)
            if isinstance(found, Item):
                found.files = _attached(container, found.conversation, beside)
            yield found
            read += container.size(name)
            yield Progress(number + 1, len(names), read, total)
        if not names:
            yield Problem(str(path), reason(NO_CONFAB_CONVERSATION))


def _read_one(container: Container, name: str, where: str, clock: Clock) -> Item | Problem:
    try:
        text = container.read_member(name, MAX_FILE_BYTES)
    except TooLarge:
        return Problem(where, reason(TOO_LARGE, mib=MAX_FILE_BYTES >> 20))
    except MEMBER_ERRORS as exc:
        return Problem(where, reason(NOT_READABLE, error=exc))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return Problem(where, reason(NOT_JSON, error=exc))
    found: list[str] = []
    try:
        conversation = Conversation.from_dict(data, found)
    except CorruptFileError as exc:
        return Problem(where, reason(DAMAGED_FILE, error=exc.detail or exc))
    except CONVERSION_ERRORS as exc:
        return Problem(where, reason(CONVERSION_FAILED, error=error_text(exc)))
    notes = [reason(FIELD_LEFT_OUT, detail=text) for text in found]
    if not SAFE_ID.fullmatch(conversation.id):
        # It would name a file in conversations/ (a hostile "../x" anywhere else).
        return Problem(where, reason(UNSAFE_ID, id=repr(conversation.id[:40])))
    if conversation.read_only:
        notes.append(reason(NEWER_FORMAT, version=conversation.newer_version))
    if conversation.imported_from is None:
        conversation.imported_from = ImportedFrom(CONFAB, conversation.id, clock())
    return Item(conversation, [], notes)


def attachment_names(container: Container) -> list[str]:
    return sorted(
        n for n in container.names() if n.startswith("attachments/") and n.count("/") == 1
    )
