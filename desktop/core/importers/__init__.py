"""Readers of other apps' exports (and Confab's own files): each turns what it reads into
Confab ``Conversation`` trees, one at a time, for the import service to merge into the library.

``detect(path)`` says what a path is (a ChatGPT or Claude export, as its .zip, its
conversations.json, ChatGPT's split ``conversations-000.json …`` files or a folder of them;
Confab conversation files, a folder of them or Confab's export archive); ``read(source)``
streams what is in it: an ``Item`` per conversation read, a ``Problem`` per conversation (or
file) that could not be, and ``Progress`` now and then. Nothing here raises on bad input: a
truncated file gives the conversations before the damage and a ``Problem`` that says where,
a broken node is left out with its reason in ``Item.skipped_messages``.

Ids are derived from the source's (desktop/core/importers/ids.py): importing the same export
twice gives the same conversation and message ids, so the import service can tell what it
already has. A Confab file keeps its own ids. Each conversation carries ``imported_from``
(the app, its id there, the time of the import).

The readers (chatgpt.py, claude.py, confab.py) and what each keeps, drops and how: their own
docstrings, and docs/architecture.md ("Import").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from desktop.core.importers.reasons import NOT_AN_EXPORT, Reason, reason
from desktop.core.models import Clock, Conversation, utc_now

CHATGPT = "chatgpt"
CLAUDE = "claude"
CONFAB = "confab"
KINDS = (CHATGPT, CLAUDE, CONFAB)


class Source(NamedTuple):
    """An export found at ``path`` (a .zip, a .json or a folder): ``kind`` is one of KINDS."""

    path: Path
    kind: str


@dataclass
class Item:
    """One conversation read. ``skipped_messages``: (the source's id of a message or node,
    why it was left out), for the import's report; ``notes``: anything else worth saying
    (a field that could not be read, an image not found in the export); ``files``: the
    names, inside the source, of the files the conversation refers to that exist there
    (ChatGPT's images, a Confab archive's attachments), for attachments to come (issue 14)."""

    conversation: Conversation
    skipped_messages: list[tuple[str, Reason]] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class Problem(NamedTuple):
    """A conversation (or a file) that could not be read: ``where`` names it (the file, and
    the conversation's title or number in it), ``why`` says what was wrong, for a person."""

    where: str
    why: Reason


class Progress(NamedTuple):
    """``done`` conversations read so far, of ``total`` (None: not known before the end);
    ``bytes_done`` of ``bytes_total`` of the source read (a progress bar's measure when the
    number of conversations is not known)."""

    done: int
    total: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None


Event = Item | Problem | Progress
Cancelled = Callable[[], bool]


def _never() -> bool:
    return False


def detect(path: Path) -> Source | None:
    """What ``path`` is: a Source, or None when it is not an export Confab reads (or cannot
    be opened)."""
    from desktop.core.importers.detection import detect_kind

    kind = detect_kind(Path(path))
    return Source(Path(path), kind) if kind is not None else None


def read(source: Source, cancelled: Cancelled = _never, clock: Clock = utc_now) -> Iterator[Event]:
    """Stream what ``source`` holds: Items, Problems and Progress, in the source's order,
    one conversation in memory at a time (beside the reader's buffer). ``cancelled`` is
    asked between conversations: once it says True the reading stops. ``clock`` gives the
    time written into each conversation's ``imported_from``."""
    if source.kind == CHATGPT:
        from desktop.core.importers.chatgpt import read_chatgpt

        return read_chatgpt(source.path, cancelled, clock)
    if source.kind == CLAUDE:
        from desktop.core.importers.claude import read_claude

        return read_claude(source.path, cancelled, clock)
    if source.kind == CONFAB:
        from desktop.core.importers.confab import read_confab

        return read_confab(source.path, cancelled, clock)
    return iter([Problem(str(source.path), reason(NOT_AN_EXPORT, kind=source.kind))])


def files(source: Source) -> list[str]:
    """The names, inside ``source``, of the files conversations may refer to: ChatGPT's
    images, a Confab archive's ``attachments/`` (for attachments, issue 14)."""
    from desktop.core.importers.confab import attachment_names
    from desktop.core.importers.container import READ_ERRORS, Container

    try:
        with Container.open(source.path) as container:
            if source.kind == CONFAB:
                return attachment_names(container)
            if source.kind == CHATGPT:
                from desktop.core.importers.chatgpt import image_index

                return sorted(set(image_index(container).values()))
    except READ_ERRORS:
        return []
    return []


def read_file(source: Source, name: str, limit: int = 256 << 20) -> bytes:
    """The bytes of file ``name`` of ``source`` (a name ``files`` gave). Raises KeyError (no
    such file), OSError or zipfile.BadZipFile (it cannot be read), jsonstream.TooLarge
    (larger than ``limit``)."""
    from desktop.core.importers.container import Container, safe_name

    with Container.open(source.path) as container:
        try:
            return container.read_member(name, limit)
        except KeyError:
            if source.kind != CONFAB or not name.startswith("attachments/"):
                raise
    # A Confab file's attachments beside it (confab.attachment_folders).
    from desktop.core.importers.confab import attachment_folders
    from desktop.core.importers.jsonstream import TooLarge

    inside = safe_name(name.removeprefix("attachments/"))
    if inside is None or "/" in inside:
        raise KeyError(name)
    for folder in attachment_folders(source.path):
        path = folder / inside
        if path.is_file():
            if path.stat().st_size > limit:
                raise TooLarge(f"{path.name} holds more than {limit:,} bytes", -1)
            return path.read_bytes()
    raise KeyError(name)
