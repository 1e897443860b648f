"""Bringing exports into the library: ChatGPT's and Claude's data exports, and Confab's own
files and archives, read by desktop/core/importers (``detect``, ``read``), merged into
``conversations/`` one conversation at a time. Pure Python, no Qt: the app runs ``Importer.run``
in a thread of its own (desktop/controllers/importing.py), ``confab import`` in the command's
own process (desktop/cli.py).

Idempotent, by id: the readers derive each conversation's and each message's id from the
source's ids, so importing the same export again finds the same ids.

- A conversation whose id the library does not have is written as a new file.
- One it has (imported before) gets only the messages whose ids it lacks, each under the parent
  the source gives it; nothing is ever removed or rewritten, so what the user wrote or changed
  in Confab stays. With nothing new, the file is not written at all (``unchanged``).
- Its head (the branch on screen) moves to the source's only while the user has not changed the
  conversation in Confab since the last import (``user_changed``): its ``updated_at`` (which
  sending, editing and regenerating move) is not after the import's time in ``imported_from``.
- One in the trash stays there, and the report says so (``in_trash``): the user put it there,
  and a restore is theirs to ask for (File → Trash); importing again then brings what is new.
- A file of the library that cannot be read, or one of a newer format, is left alone and the
  conversation skipped, with the reason.

Each conversation is merged and encoded here and written by one of ``WRITERS`` threads with the
store's atomic write (temporary file, fsync, rename), which renames only over the version of the
file the merge was made from: if Confab's writer (the conversation is open
and the user sent a message) or a sync tool replaced it meanwhile, the file is read and merged
again. A conversation open in the app then follows the sync rules (desktop/core/services/sync.py):
its file changed on disk, and holds everything the one in memory has.

Progress comes per conversation read; Cancel (``cancelled``) stops between two conversations:
what was written stays, and the report says it was cancelled.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import NamedTuple, Protocol

from desktop.core.atomic import write_bytes_atomic
from desktop.core.attachments.store import ATTACHMENTS, AttachmentStore
from desktop.core.encoding import encode_conversation
from desktop.core.errors import AttachmentError, ConfabError, StorageError
from desktop.core.fileformat import CONVERSATION_FORMAT, CONVERSATION_VERSION, format_version
from desktop.core.files import read_regular_file
from desktop.core.importers import Item, Problem, Progress, Source, reasons
from desktop.core.importers.reasons import Reason
from desktop.core.models import (
    Attachment,
    Clock,
    Conversation,
    ImportedFile,
    ImportedFrom,
    utc_now,
)
from desktop.core.pacing import Pace
from desktop.core.storage import ConversationStore, Stamp, is_safe_id, stamp_of

log = logging.getLogger("confab.import")

# Skipped.kind: why something was not imported, for the window to say in the user's language
# (READER: the reader's own words, shown as they are).
READER = "reader"  # a Problem or a skipped message, as the reader put it
NOT_AN_EXPORT = "not_an_export"  # a path that is no export Confab knows
UNREADABLE = "unreadable"  # a path that could not be read at all
IN_TRASH = "in_trash"  # the conversation is in the trash: left there
NEWER = "newer"  # the library's file is of a newer format: left alone
DAMAGED = "damaged"  # the library's file for that id cannot be read: left alone
BAD_ID = "bad_id"  # the reader gave an id unfit for a file name
WRITE_FAILED = "write_failed"  # the file could not be written (disk full, permissions)
IN_USE = "in_use"  # open in the app during the import and closed before its end: not taken

# How many times a merge is made again when its file changed between the read and the write.
_ATTEMPTS = 3
# Threads writing conversation files, and how many writes may wait for them. One fsync at a
# time cost 4-10 ms a file here (5,000 files: most of a minute); several under way share the
# file system's journal commits. Two kept up with the reading and merging (5,000 conversations
# in ~16 s with 2, 4 or 8), and fewer threads wanting the GIL back leave the UI thread more.
WRITERS = 2
IN_FLIGHT = 64


def _without_placeholder(content: str, placeholder: str) -> str:
    """``content`` without the first ``placeholder`` (the image is attached instead), and
    the blank lines it leaves."""
    before, found, after = content.partition(placeholder)
    if not found:
        return content
    return "\n\n".join(part.strip("\n") for part in (before, after) if part.strip())


class Reading(Protocol):
    """The readers (desktop/core/importers): a seam for tests."""

    def detect(self, path: Path) -> Source | None: ...

    def read(
        self, source: Source, cancelled: Callable[[], bool], clock: Clock
    ) -> Iterator[Item | Problem | Progress]: ...

    def read_file(self, source: Source, name: str, limit: int = ...) -> bytes: ...


@dataclass(frozen=True)
class Skipped:
    """Something not imported (or, in ``ImportReport.notes``, noticed): ``where`` (a file, a
    conversation's title, a message), ``why`` (the detail of ``kind``; for READER the
    reader's ``reason`` in English)."""

    where: str
    why: str
    kind: str = READER
    reason: Reason | None = None

    @classmethod
    def by_reader(cls, where: str, reason: Reason) -> Skipped:
        return cls(where, str(reason), READER, reason)


def describe(skipped: Skipped) -> str:
    """Why ``skipped`` was not imported, in English (the command line's words; the window
    says it in the user's language, desktop/ui/import_dialogs.py)."""
    kind = skipped.kind
    if kind == NOT_AN_EXPORT:
        return "not a ChatGPT or Claude export, nor Confab files"
    if kind == UNREADABLE:
        return f"cannot be read: {skipped.why}"
    if kind == IN_TRASH:
        return "in the trash: restore it and import again to update it"
    if kind == NEWER:
        return "saved by a newer version of Confab: left as it is"
    if kind == DAMAGED:
        return "its file in the library cannot be read: left as it is"
    if kind == BAD_ID:
        return f"its id cannot name a file: {skipped.why}"
    if kind == WRITE_FAILED:
        return f"could not be written: {skipped.why}"
    return skipped.why


class ImportProgress(NamedTuple):
    """``done`` conversations of ``total`` (None: not known yet) taken from source ``source``
    (0-based) of ``sources``, and ``bytes_done`` of ``bytes_total`` of it read (the bar's
    measure while the number of conversations is not known)."""

    source: int
    sources: int
    done: int
    total: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None


@dataclass
class ImportReport:
    new: int = 0  # conversations written as new files
    updated: int = 0  # conversations that got new messages (or the source's branch)
    unchanged: int = 0  # conversations found with nothing new: not written
    messages: int = 0  # messages brought in: every message of the new ones, the new of others
    skipped: list[Skipped] = field(default_factory=list)
    skipped_messages: int = 0  # of the skipped, how many were single messages
    # What the readers noticed in conversations they did read (a field that could not be
    # read, an image not in the export): ``where`` is the conversation's title.
    notes: list[Skipped] = field(default_factory=list)
    in_trash: list[str] = field(default_factory=list)  # titles of conversations left in trash
    cancelled: bool = False
    sources_read: int = 0  # paths that were exports Confab could read
    # The conversations written (new or updated), in the order they were.
    written: list[str] = field(default_factory=list)
    # Conversations the app has in memory (``held``): not written here but handed back, for
    # the app to merge into its own object on its UI thread (ImportController). Written
    # here, the app's next save of it (a reply streaming in, say) would find a version it
    # did not know and set it aside as a copy.
    held: list[Conversation] = field(default_factory=list)

    @property
    def conversations(self) -> int:
        """Conversations found in the sources and taken in (new, updated or unchanged)."""
        return self.new + self.updated + self.unchanged

    @property
    def failed(self) -> bool:
        """Nothing could be read from any of the paths given."""
        return self.sources_read == 0 and not self.cancelled


class _Moved(Exception):
    """The file changed between the merge's read and its write."""


def user_changed(existing: Conversation) -> bool:
    """Whether the user changed ``existing`` in Confab since the import that last wrote it: its
    ``updated_at`` (which every message sent or edited moves) is after that import's time. A
    conversation never imported is the user's own: changed."""
    origin = existing.imported_from
    return origin is None or existing.updated_at > origin.at


def merge(existing: Conversation, incoming: Conversation, now: datetime) -> Conversation | None:
    """``existing`` (the library's) with what ``incoming`` (the same conversation read from an
    export) adds: the messages it lacks, under their parents, and the source's head if the user
    has not changed the conversation since the last import. None: nothing to add."""
    have = {m.id for m in existing.messages}
    added = [m for m in incoming.messages if m.id not in have]
    changed = user_changed(existing)
    move_head = (
        incoming.head is not None
        and incoming.head != existing.head
        and (not changed or existing.head is None)
        and (incoming.head in have or any(m.id == incoming.head for m in added))
    )
    if not added and not move_head:
        return None
    merged = replace(existing, messages=[*existing.messages, *added])
    if move_head:
        merged.head = incoming.head
    merged.updated_at = max(existing.updated_at, incoming.updated_at)
    if not merged.title:
        merged.title = incoming.title
    if not changed:
        # The conversation is still as the last import left it: this import is the one to
        # compare with next time. (Changed by the user, it stays theirs: the time is kept.)
        merged.imported_from = _origin(incoming, now, merged.updated_at)
    return merged


def _origin(conversation: Conversation, now: datetime, updated: datetime) -> ImportedFrom | None:
    """``imported_from`` as this import writes it: at ``now``, and never before the
    conversation's ``updated_at`` (a source's clock ahead of this machine's would otherwise make
    every imported conversation look changed by the user)."""
    origin = conversation.imported_from
    if origin is None:
        return None
    return replace(origin, at=max(now, updated))


class Importer:
    """Imports paths into ``store``'s folder (see the module's docstring). ``progress`` and
    ``wrote`` (the id of each conversation written) are called in the importing thread: they
    must not touch a Qt object."""

    def __init__(
        self,
        store: ConversationStore,
        *,
        reading: Reading | None = None,
        clock: Clock = utc_now,
        cancelled: Callable[[], bool] = lambda: False,
        progress: Callable[[ImportProgress], None] = lambda _p: None,
        wrote: Callable[[str], None] = lambda _id: None,
        pace: Callable[[], None] | None = None,
        held: Callable[[str], bool] = lambda _id: False,
    ) -> None:
        if reading is None:
            from desktop.core import importers

            reading = importers
        self._store = store
        self._reading = reading
        self._clock = clock
        self._cancelled = cancelled
        self._progress = progress
        self._wrote = wrote
        self._held = held
        # Short turns at the GIL between conversations (desktop/core/pacing.py): the window
        # stays responsive while its importing thread works.
        self._pace = pace or Pace()
        # The writes under way in the writing threads (fsync waits for the disk: several at
        # once share its journal's commits), oldest first.
        self._pool: ThreadPoolExecutor | None = None
        self._writing: dict[str, _Planned] = {}
        # The data folder's attachments, and the files of the sources read into it (by the
        # source and the file's name there: one image many conversations share is read once).
        self._attachments = AttachmentStore(store.data_dir)
        self._from_source: dict[tuple[str, str], Attachment] = {}

    def run(self, paths: Iterable[Path]) -> ImportReport:
        report = ImportReport()
        paths = list(paths)
        try:
            for index, path in enumerate(paths):
                if self._cancelled():
                    report.cancelled = True
                    break
                self._run_one(Path(path), index, len(paths), report)
                if report.cancelled:
                    break
        finally:
            # What was handed to the writing threads is written, even when cancelled.
            self._settle(report)
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
        log.info(
            "import: %d new, %d updated, %d unchanged, %d messages, %d skipped%s",
            report.new,
            report.updated,
            report.unchanged,
            report.messages,
            len(report.skipped),
            " (cancelled)" if report.cancelled else "",
        )
        return report

    def _run_one(self, path: Path, index: int, sources: int, report: ImportReport) -> None:
        name = str(path)
        if not path.exists():
            report.skipped.append(Skipped(name, "not found", UNREADABLE))
            return
        try:
            source = self._reading.detect(path)
        except Exception as exc:  # the readers promise not to raise: still, one line
            log.exception("looking at %s failed", path)
            report.skipped.append(Skipped(name, f"{type(exc).__name__}: {exc}", UNREADABLE))
            return
        if source is None:
            report.skipped.append(Skipped(name, "not an export Confab reads", NOT_AN_EXPORT))
            return
        report.sources_read += 1
        shown = ImportProgress(index, sources, 0)
        self._progress(shown)
        taken = 0
        try:
            for found in self._reading.read(source, self._cancelled, self._clock):
                if isinstance(found, Progress):
                    shown = ImportProgress(
                        index,
                        sources,
                        taken,
                        found.total,
                        found.bytes_done,
                        found.bytes_total,
                    )
                elif isinstance(found, Problem):
                    report.skipped.append(Skipped.by_reader(found.where, found.why))
                else:
                    if found.files:
                        self._attach(found, source)
                    self._take(found, report)
                    taken += 1
                    shown = shown._replace(done=taken)
                self._progress(shown)
                self._pace()
                if self._cancelled():
                    break
        except Exception as exc:  # a reader that broke its promise: what it read stays
            log.exception("reading %s failed", path)
            failed = reasons.reason(reasons.READER_FAILED, error=reasons.error_text(exc))
            report.skipped.append(Skipped.by_reader(name, failed))
        if self._cancelled():
            report.cancelled = True

    def _attach(self, item: Item, source: Source) -> None:
        """The files of ``item`` that its source holds, into the data folder's attachments
        (through the store: type, limits and hostile files checked as when the user attaches
        one): a Confab archive's ``attachments/`` its messages name, and a ChatGPT export's
        images, which become the messages' attachments in place of their "[Image: name]"
        placeholder (an image the export lacks, or one refused, stays an imported file, and
        the refusal is noted)."""
        files = set(item.files)
        for attachment in item.conversation.draft_attachments:  # a Confab draft's
            self._attach_named(item, source, files, attachment)
        for message in item.conversation.messages:
            for attachment in message.attachments:  # a Confab file's own
                self._attach_named(item, source, files, attachment)
            kept: list[ImportedFile] = []
            added: list[Attachment] = []
            for file in message.imported_files:  # another app's images
                stored = None
                if file.kind == "image" and file.path is not None and file.path in files:
                    stored = self._read_attachment(item, source, file.path, file.name)
                if stored is None:
                    kept.append(file)
                    continue
                added.append(stored)
                message.content = _without_placeholder(message.content, f"[Image: {file.name}]")
            if added:
                message.attachments = (*message.attachments, *added)
                message.imported_files = tuple(kept)

    def _attach_named(
        self, item: Item, source: Source, files: set[str], attachment: Attachment
    ) -> None:
        name = f"{ATTACHMENTS}/{attachment.file_name}"
        if name in files and not self._attachments.exists(attachment):
            stored = self._read_attachment(item, source, name, attachment.name)
            if stored is not None and stored.sha256 != attachment.sha256:
                log.warning("import: %s does not hold what its name says", name)

    def _read_attachment(
        self, item: Item, source: Source, name: str, shown: str
    ) -> Attachment | None:
        from desktop.core.attachments.store import DOCUMENT_LIMIT

        known = self._from_source.get((str(source.path), name))
        if known is not None:
            return replace(known, name=shown)
        try:
            data = self._reading.read_file(source, name, DOCUMENT_LIMIT + 1)
            stored = self._attachments.add_bytes(data, shown)
        except AttachmentError as exc:
            item.notes.append(
                reasons.reason(reasons.ATTACHMENT_REFUSED, name=shown, error=str(exc))
            )
            return None
        except Exception as exc:  # KeyError, OSError, zip errors, TooLarge: not read
            item.notes.append(
                reasons.reason(
                    reasons.ATTACHMENT_REFUSED, name=shown, error=reasons.error_text(exc)
                )
            )
            return None
        self._from_source[(str(source.path), name)] = stored
        return stored

    def _take(self, item: Item, report: ImportReport) -> None:
        incoming = item.conversation
        title = incoming.title or incoming.id
        for source_id, why in item.skipped_messages:
            report.skipped.append(Skipped.by_reader(f"{title}: {source_id}", why))
            report.skipped_messages += 1
        report.notes += [Skipped.by_reader(title, note) for note in item.notes]
        if not is_safe_id(incoming.id):
            report.skipped.append(Skipped(title, incoming.id, BAD_ID))
            return
        if incoming.read_only:
            # Written by a newer Confab: this one would drop what it cannot read.
            report.skipped.append(Skipped(title, f"format version {incoming.newer_version}", NEWER))
            return
        path = self._store.path_of(incoming.id)
        if incoming.id in self._writing:  # the same id twice in a source: one after the other
            self._settle(report, until_done=incoming.id)
        if self._in_trash(path, title, report):
            return
        if self._held(incoming.id):
            report.held.append(incoming)
            return
        try:
            planned = self._plan(path, incoming, title, report)
        except _Moved:
            self._now(path, incoming, title, report)
            return
        except ConfabError as exc:
            self._failed(incoming, title, exc, report)
            return
        if planned is not None:
            planned.future = self._writers().submit(self._write, path, planned.pieces, planned.base)
            planned.pieces = []
            self._writing[incoming.id] = planned
            self._settle(report, keep=IN_FLIGHT)

    def _in_trash(self, path: Path, title: str, report: ImportReport) -> bool:
        if path.exists() or not (self._store.trash / path.name).exists():
            return False
        report.in_trash.append(title)
        report.skipped.append(Skipped(title, "in the trash", IN_TRASH))
        return True

    def _plan(
        self, path: Path, incoming: Conversation, title: str, report: ImportReport
    ) -> _Planned | None:
        """What to write for ``incoming`` (None: nothing, and the report says why); _Moved if
        the file changed while it was read."""
        base = _stamp(path)
        now = self._clock()
        if base is None and self._in_trash(path, title, report):
            # Trashed since _take looked (a retry after the file moved): it stays there, with
            # the user's messages, rather than come back with only the imported ones.
            return None
        if base is None:
            conversation = replace(
                incoming, imported_from=_origin(incoming, now, incoming.updated_at)
            )
            added = len(conversation.messages)
        else:
            existing = self._store.read_as_is(path)
            if _stamp(path) != base:
                raise _Moved()
            if existing is None:
                kind = NEWER if _newer(path) else DAMAGED
                report.skipped.append(Skipped(title, path.name, kind))
                return None
            if existing.read_only:
                report.skipped.append(Skipped(title, path.name, NEWER))
                return None
            merged = merge(existing, incoming, now)
            if merged is None:
                report.unchanged += 1
                return None
            conversation = merged
            added = len(merged.messages) - len(existing.messages)
        # Encoded here, paced (encoding.py); the writing threads only write and fsync.
        pieces = encode_conversation(conversation).pieces()
        return _Planned(incoming, title, path, base, pieces, base is None, added)

    def _now(self, path: Path, incoming: Conversation, title: str, report: ImportReport) -> None:
        """Merged and written in this thread, again until the file holds still (its file
        changed between the read and the write: Confab's writer, or a sync tool)."""
        for _attempt in range(_ATTEMPTS):
            try:
                planned = self._plan(path, incoming, title, report)
                if planned is not None:
                    self._write(path, planned.pieces, planned.base)
                    self._count(planned, report)
            except _Moved:
                continue
            except ConfabError as exc:
                self._failed(incoming, title, exc, report)
            return
        report.skipped.append(Skipped(title, "its file kept changing", WRITE_FAILED))

    def _settle(
        self, report: ImportReport, *, keep: int = 0, until_done: str | None = None
    ) -> None:
        """Take in the writes that ended, in the order they were handed over, waiting for the
        oldest while more than ``keep`` are under way (or until ``until_done``'s has ended)."""
        while self._writing:
            conversation_id, planned = next(iter(self._writing.items()))
            future = planned.future
            assert future is not None
            if not future.done() and len(self._writing) <= keep and until_done is None:
                return
            del self._writing[conversation_id]
            try:
                future.result()
            except _Moved:
                self._now(planned.path, planned.incoming, planned.title, report)
            except ConfabError as exc:
                self._failed(planned.incoming, planned.title, exc, report)
            else:
                self._count(planned, report)
            if conversation_id == until_done:
                return

    def _count(self, planned: _Planned, report: ImportReport) -> None:
        if planned.new:
            report.new += 1
        else:
            report.updated += 1
        report.messages += planned.added
        report.written.append(planned.incoming.id)
        self._wrote(planned.incoming.id)

    def _failed(
        self, incoming: Conversation, title: str, exc: ConfabError, report: ImportReport
    ) -> None:
        log.warning("importing %s failed: %s", incoming.id, exc.detail)
        report.skipped.append(Skipped(title, exc.detail, WRITE_FAILED))

    def _writers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="confab-import-write")
        return self._pool

    @staticmethod
    def _write(path: Path, pieces: list[bytes], base: Stamp | None) -> None:
        """The store's atomic write (a writing thread's), renamed into place only over the
        version ``base`` (None: over no file): _Moved if the file is another version by then."""

        def replace_if_same(tmp: Path, target: Path, _written: os.stat_result) -> None:
            if _stamp(target) != base:
                raise _Moved()
            os.replace(tmp, target)

        write_bytes_atomic(path, pieces, replace=replace_if_same)


@dataclass
class _Planned:
    """A conversation's write handed to a writing thread."""

    incoming: Conversation
    title: str
    path: Path
    base: Stamp | None
    pieces: list[bytes]
    new: bool
    added: int  # messages it brings
    future: Future[None] | None = None


def _newer(path: Path) -> bool:
    """A file of a newer format than this Confab reads (one it could not read at all)."""
    try:
        data = json.loads(read_regular_file(path))
        if not isinstance(data, dict) or data.get("format") != CONVERSATION_FORMAT:
            return False
        return format_version(data) > CONVERSATION_VERSION
    except (OSError, ConfabError, ValueError, RecursionError):
        return False


def _stamp(path: Path) -> Stamp | None:
    """The version of the file at ``path`` (None: there is none); StorageError when it cannot
    be looked at (it may exist: nothing is written over it)."""
    try:
        return stamp_of(path.stat())
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"{path.name}: {exc.strerror or exc}") from exc
