"""One JSON file per conversation in ``conversations/``; deleted ones go to ``trash/``;
unreadable ones are moved to ``quarantine/`` and never deleted. A file of an older format
version is backed up to ``backups/`` before its upgrade is written; one of a newer version is
read, never written.

A synced folder (Syncthing, Dropbox) may change a file under a conversation Confab has open.
The store remembers the ``Stamp`` (inode, size, modification time) of the version of each file
the conversation in memory was read from or last written as: ``on_disk`` tells whether the
file is still that version, and a write never replaces another version unseen. When the file
is not the one Confab read or wrote, it is first renamed aside, ``<id>.other-device-<time>.json``
(``set_aside``), which a listing then opens as a copy under a new id, titled
``other_version_title``: both versions are kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Container, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from desktop.core.atomic import write_bytes_atomic, write_json_atomic
from desktop.core.encoding import encode_conversation, read_file
from desktop.core.errors import CorruptFileError, NewerFormatError, StorageError
from desktop.core.fileformat import CONVERSATION_FORMAT, CONVERSATION_VERSION, format_version
from desktop.core.files import read_regular_file, read_regular_file_stat
from desktop.core.migrations import CONVERSATION_MIGRATIONS, Migration, upgrade
from desktop.core.models import Conversation, ConversationSummary, new_id, sort_newest_first
from desktop.core.writer import FileWriter

log = logging.getLogger("confab.storage")

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# The name a version of a file another program wrote is set aside under (see the docstring).
_OTHER_VERSION = re.compile(r"^[A-Za-z0-9_-]{1,128}\.other-device-\d{8}-\d{6}(\.\d+)?\.json$")

# A file's version: (inode, size, modification time in ns). A sync tool renames a new file
# into place (another inode) or writes it (another time); Confab's own rename keeps the
# temporary file's three.
Stamp = tuple[int, int, int]
# What on_disk found (OnDisk.state).
SAME = "same"  # the version the conversation in memory was read from or last written as
CHANGED = "changed"  # another version (read into OnDisk.conversation)
REMOVED = "removed"  # the file is gone
UNKNOWN = "unknown"  # could not be read (damaged, newer, no permission): left to the listing


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _free_name(folder: Path, stem: str) -> Path:
    """``folder/<stem>.json``, or ``<stem>.1.json``, ``.2``, … if that is taken."""
    path = folder / f"{stem}.json"
    counter = 1
    while path.exists():
        path = folder / f"{stem}.{counter}.json"
        counter += 1
    return path


def _stamp_now(path: Path) -> Stamp | None:
    """The version of the file at ``path`` now (None: there is none)."""
    try:
        return stamp_of(path.stat())
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class OnDisk:
    """A conversation's file compared with the version Confab has in memory."""

    state: str
    base: Stamp | None  # the version in memory (None: never read or written)
    conversation: Conversation | None = None  # CHANGED: the file's version
    stamp: Stamp | None = None  # CHANGED: its stamp


def is_set_aside(name: str) -> bool:
    """A file name ``ConversationStore`` set another program's version aside under."""
    return _OTHER_VERSION.match(name) is not None


# What became of a file read from conversations/ (Listed.outcome).
READ = "read"
REPAIRED = "repaired"  # read, with fields left at their defaults (the file is in backups/)
COPY = "copy"  # a copy of a conversation, kept under a new id; the file went to quarantine/
QUARANTINED = "quarantined"  # unreadable, moved to quarantine/
UNMOVABLE = "unmovable"  # unreadable (or a copy) that could not be moved to quarantine/
NEWER = "newer"  # written by a newer Confab, which this one cannot read: left alone
UNREADABLE = "unreadable"  # not a regular file, no permission, gone meanwhile: left alone


@dataclass(frozen=True)
class Listed:
    conversation: Conversation | None
    outcome: str


def listing_order(paths: Iterable[Path]) -> list[Path]:
    """The files named after an id first (they are the real ones), by name."""
    return sorted(sorted(paths), key=lambda p: not _SAFE_ID.match(p.stem))


def is_safe_id(name: str) -> bool:
    """Fit to be a conversation's id and its file's name."""
    return _SAFE_ID.match(name) is not None


def is_conversation_name(name: str) -> bool:
    """A file of conversations/ that a listing reads (as ``glob("*.json")`` does)."""
    return name.endswith(".json")


@dataclass
class LoadReport:
    summaries: list[ConversationSummary] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrashedConversation:
    id: str
    title: str
    deleted_at: datetime
    messages: int


class ConversationStore:
    def __init__(
        self, data_dir: Path, migrations: Mapping[int, Migration] = CONVERSATION_MIGRATIONS
    ) -> None:
        self.data_dir = data_dir
        self.folder = data_dir / "conversations"
        self.trash = data_dir / "trash"
        self.quarantine = data_dir / "quarantine"
        self.backups = data_dir / "backups"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{self.folder}: {exc.strerror or exc}") from exc
        self._migrations = migrations
        self.copies: list[str] = []
        # Files of a newer format this Confab could not even read: left where they are.
        self.newer: list[str] = []
        # Files upgraded from an older format (the originals are in backups/).
        self.migrated: list[str] = []
        # Files loaded with fields that could not be read (the originals are in backups/).
        self.repaired: list[str] = []
        # Unreadable files that could not even be moved to quarantine/: left in place.
        self.unmovable: list[str] = []
        # The version of each file the conversation in memory was read from or last written
        # as (the loading, writer and UI threads: under the lock).
        self._stamps: dict[str, Stamp] = {}
        self._written: dict[str, os.stat_result] = {}  # the last write's file, by id
        self._folder_after: dict[str, int] = {}  # the folder's time after that write, by id
        self._stamps_lock = threading.Lock()
        # (conversation id, file name) of each version set aside by a write (the writer
        # thread appends, the UI thread takes), and how many so far (the index's thread).
        self.set_aside: deque[tuple[str, str]] = deque()
        self.set_aside_count = 0
        # Ids of conversations whose file another program had removed when a write put it
        # back (the writer thread appends, the UI thread takes).
        self.written_back: deque[str] = deque()
        # The title of a copy made from a version set aside ({title}: the conversation's).
        self.other_version_title = "{title} (from another device)"
        # Every conversation file is written by this thread, in order: see save_soon.
        self.writer = FileWriter(self._write)

    def path_of(self, conversation_id: str) -> Path:
        if not _SAFE_ID.match(conversation_id):
            raise StorageError(f"invalid conversation id {conversation_id!r}")
        return self.folder / f"{conversation_id}.json"

    def save_soon(self, conversation: Conversation) -> Future[None]:
        """Encode ``conversation`` now (only what changed since its last save: see
        encoding.py) and have the writer thread write it; the future completes when the file
        is on disk, or holds the StorageError that stopped it. Writes of one conversation land
        in order, the latest winning over one still waiting. Raises NewerFormatError for a
        file of a newer format (never written) and StorageError for an id unfit for a name."""
        if conversation.read_only:
            raise NewerFormatError(
                f"{conversation.id}.json is in format version {conversation.newer_version}, "
                f"newer than this Confab's ({CONVERSATION_VERSION})",
                conversation.newer_version or 0,
            )
        path = self.path_of(conversation.id)
        return self.writer.submit(path, encode_conversation(conversation).pieces)

    def save(self, conversation: Conversation) -> None:
        """Write ``conversation`` and wait until it is on disk (after any write of it still
        waiting in the writer thread)."""
        self.save_soon(conversation).result()

    def wait_for_writes(self) -> None:
        """Until every write asked for so far has ended."""
        self.writer.wait()

    def close(self) -> None:
        """Finish the writes asked for and stop the writer thread (a later save starts it)."""
        self.writer.close()

    def load(self, conversation_id: str) -> Conversation:
        """Read a conversation, and remember its file's version as the one in memory."""
        conversation, stamp = self._read_stamped(self.path_of(conversation_id))
        with self._stamps_lock:
            self._stamps[conversation_id] = stamp
        return conversation

    def _read_stamped(self, path: Path) -> tuple[Conversation, Stamp]:
        try:
            raw, info = read_regular_file_stat(path)
        except FileNotFoundError as exc:
            raise StorageError(f"{path.name} does not exist") from exc
        migrated = len(self.migrated)
        conversation = self._parse(path, raw, migrate=True)
        stamp = stamp_of(info)
        if len(self.migrated) > migrated:
            # The upgrade was written over it: that is the version in memory.
            with contextlib.suppress(OSError):
                stamp = stamp_of(path.stat())
        return conversation, stamp

    def on_disk(self, conversation_id: str) -> OnDisk:
        """Whether the file is still the version the conversation in memory was read from or
        last written as; if not, the file's version, read (in the loading thread)."""
        path = self.path_of(conversation_id)
        with self._stamps_lock:
            base = self._stamps.get(conversation_id)
        try:
            now = _stamp_now(path)
        except OSError as exc:
            log.warning("cannot look at %s: %s", path.name, exc)
            return OnDisk(UNKNOWN, base)
        if now == base:
            return OnDisk(SAME, base)
        if now is None:
            return OnDisk(REMOVED, base)
        try:
            conversation, stamp = self._read_stamped(path)
        except StorageError as exc:
            log.warning("cannot read the new version of %s: %s", path.name, exc.detail)
            return OnDisk(UNKNOWN, base)
        if conversation.id != conversation_id:
            return OnDisk(UNKNOWN, base)  # a copy of another one: the listing's to adopt
        return OnDisk(CHANGED, base, conversation, stamp)

    def take_version(self, conversation_id: str, base: Stamp | None, stamp: Stamp) -> bool:
        """The conversation in memory now holds the version ``stamp`` (read by on_disk), if
        its version is still ``base`` (no write of it since): True; else False, and nothing
        changes."""
        with self._stamps_lock:
            if self._stamps.get(conversation_id) != base:
                return False
            self._stamps[conversation_id] = stamp
            return True

    def forget_version(self, conversation_id: str) -> None:
        """Its file is gone and the conversation left memory."""
        with self._stamps_lock:
            self._stamps.pop(conversation_id, None)
            self._written.pop(conversation_id, None)
            self._folder_after.pop(conversation_id, None)

    def _write(self, path: Path, data: bytes | list[bytes]) -> None:
        """The writer thread's write of a conversation file: atomic, and never over a version
        of the file this Confab has not seen."""
        write_bytes_atomic(path, data, replace=self._replace)

    def _replace(self, tmp: Path, path: Path, written: os.stat_result) -> None:
        conversation_id = path.stem
        with self._stamps_lock:
            base = self._stamps.get(conversation_id)
            now = _stamp_now(path)
            if base is not None and now is not None and now != base:
                # Another program (a sync tool) wrote this file since Confab read or wrote it:
                # its version is kept beside, as a copy, never overwritten (an OSError here
                # fails the write, which is retried: the file is left as it is).
                aside = self._aside_path(conversation_id)
                os.replace(path, aside)
                self.set_aside.append((conversation_id, aside.name))
                self.set_aside_count += 1
                log.warning("%s was changed by another program: set aside as %s", path.name, aside)
            elif base is not None and now is None:
                # Removed by another program since Confab read or wrote it: this write puts
                # it back (it had something not on disk yet).
                self.written_back.append(conversation_id)
                log.warning("%s was removed by another program: written back", path.name)
            os.replace(tmp, path)
            self._stamps[conversation_id] = stamp_of(written)
            self._written[conversation_id] = written
            # The folder's time right after the rename (see folder_time_after).
            try:
                self._folder_after[conversation_id] = self.folder.stat().st_mtime_ns
            except OSError:
                self._folder_after.pop(conversation_id, None)

    def folder_time_after(self, conversation_id: str) -> int | None:
        """The folder's modification time read right after the last write of a conversation
        renamed its file into place: what the folder's time is if nothing else changed it since
        (read later, in the index's thread, it took in another program's file that arrived
        meanwhile, and a quick rescan then missed that file)."""
        with self._stamps_lock:
            return self._folder_after.get(conversation_id)

    def written_stat(self, conversation_id: str) -> os.stat_result | None:
        """The status of the file the last write of a conversation put in place (not of what
        is there now: another program may have replaced it since)."""
        with self._stamps_lock:
            return self._written.get(conversation_id)

    def changed_behind(self, conversation_ids: Iterable[str]) -> bool:
        """Whether the file of any of these conversations (the loaded ones) is no longer the
        version Confab read or wrote."""
        with self._stamps_lock:
            for conversation_id in conversation_ids:
                base = self._stamps.get(conversation_id)
                if base is None:
                    continue
                try:
                    now = _stamp_now(self.path_of(conversation_id))
                except (OSError, StorageError):
                    now = None
                if now != base:
                    return True
        return False

    def _aside_path(self, conversation_id: str) -> Path:
        when = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        return _free_name(self.folder, f"{conversation_id}.other-device-{when}")

    def load_all(self) -> tuple[list[Conversation], list[str]]:
        """Every readable conversation, and the file names that had to be quarantined.

        A file whose name is not its conversation's id (a sync tool's conflict copy such as
        ``<id>.sync-conflict-….json``, or a copy made by hand) would shadow the real file, and
        the next save would overwrite one with the other. Such a copy is opened as a separate
        conversation under a new id; the original file is moved to quarantine/, never deleted.
        Their names are in ``self.copies``.
        """
        conversations: list[Conversation] = []
        quarantined: list[str] = []
        self.copies = []
        self.newer = []
        self.repaired = []
        self.unmovable = []
        self.remove_stale_temp_files()
        seen: set[str] = set()
        for path in listing_order(self.folder.glob("*.json")):
            listed = self.load_listed(path, seen)
            if listed.outcome == QUARANTINED:
                quarantined.append(path.name)
            if listed.conversation is not None:
                seen.add(listed.conversation.id)
                conversations.append(listed.conversation)
        return conversations, quarantined

    def load_listed(self, path: Path, seen: Container[str] = ()) -> Listed:
        """Read one file of conversations/ as a listing of the folder does (load_all, the
        index): an unreadable file goes to quarantine/ (or stays, UNMOVABLE, if it cannot be
        moved), one of a newer format stays where it is (NEWER), and a copy (a file not named
        after its conversation's id, or one whose id is in ``seen``) is kept under a new id
        (COPY). Also records the outcome in ``copies``, ``newer``, ``repaired`` and
        ``unmovable``."""
        repaired = len(self.repaired)
        unmovable = len(self.unmovable)
        try:
            conversation = self._read(path)
        except CorruptFileError as exc:
            log.warning("quarantining %s: %s", path.name, exc.detail)
            if self._quarantine(path):
                return Listed(None, QUARANTINED)
            return Listed(None, UNMOVABLE)
        except NewerFormatError as exc:
            # Not ours to move: the newer Confab that wrote it (on another machine of
            # a synced folder, say) still reads it from here.
            log.warning("leaving %s alone: %s", path.name, exc.detail)
            self.newer.append(path.name)
            return Listed(None, NEWER)
        except StorageError as exc:
            log.warning("cannot read %s: %s", path.name, exc.detail)
            return Listed(None, UNREADABLE)
        outcome = REPAIRED if len(self.repaired) > repaired else READ
        if path.stem != conversation.id or conversation.id in seen:
            if conversation.read_only:
                # A newer Confab's copy cannot be rewritten under a new id: leave it.
                log.warning("leaving %s alone: a copy in a newer format", path.name)
                self.newer.append(path.name)
                return Listed(None, NEWER)
            adopted = self._adopt_copy(path, conversation)
            if adopted is None:
                return Listed(None, UNREADABLE)
            if len(self.unmovable) > unmovable:
                return Listed(adopted, UNMOVABLE)
            return Listed(adopted, COPY)
        return Listed(conversation, outcome)

    def remove_stale_temp_files(self, before_ns: int | None = None) -> None:
        """A write cut short by a crash leaves its hidden temporary file (the conversation
        file itself is whole: it is only ever replaced). Called at start, under the data
        folder's lock, so no write of another Confab can be under way; a sync tool would
        otherwise copy these around. With ``before_ns``, only the files last changed before
        that time (``time.time_ns()``): when this runs in another thread, this process's
        writer may already be writing one."""
        for tmp in self.folder.glob(".*.json.*.tmp"):
            try:
                if before_ns is not None and tmp.lstat().st_mtime_ns >= before_ns:
                    continue
                tmp.unlink()
            except OSError as exc:
                log.warning("could not remove %s: %s", tmp.name, exc)
            else:
                log.info("removed %s, left by an interrupted write", tmp.name)

    def _adopt_copy(self, path: Path, conversation: Conversation) -> Conversation | None:
        conversation.copied_from = path.name
        conversation.id = new_id()
        if is_set_aside(path.name):
            conversation.title = self.other_version_title.format(title=conversation.title).strip()
            conversation.title_set_by_user = True
        try:
            self.save(conversation)
        except StorageError as exc:
            log.error("could not keep the copy %s: %s", path.name, exc.detail)
            return None
        log.warning(
            "%s is a copy of another conversation: opened as %s", path.name, conversation.id
        )
        self._quarantine(path)
        self.copies.append(path.name)
        return conversation

    def scan(self) -> LoadReport:
        conversations, quarantined = self.load_all()
        return LoadReport(
            sort_newest_first(ConversationSummary.of(c) for c in conversations), quarantined
        )

    def delete(self, conversation_id: str) -> None:
        """Move the file to trash/ (restorable), replacing an older trashed copy."""
        source = self.path_of(conversation_id)
        # A write still waiting would bring the file back after it has gone to the trash.
        self.writer.wait()
        if not source.exists():
            return
        target = self.trash / source.name
        try:
            self.trash.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        except OSError as exc:
            raise StorageError(f"{source.name}: {exc.strerror or exc}") from exc
        # Gone by Confab's own hand: a write bringing it back (a restore) is no news.
        self.forget_version(conversation_id)
        try:
            # The file's time becomes the time it was deleted: the trash lists by it.
            os.utime(target)
        except OSError as exc:
            log.warning("could not date %s in the trash: %s", target.name, exc)

    def trashed(self) -> list[TrashedConversation]:
        """What the trash holds, most recently deleted first; unreadable files are skipped."""
        items: list[TrashedConversation] = []
        for path in self.trash.glob("*.json") if self.trash.is_dir() else ():
            if not _SAFE_ID.match(path.stem):
                continue
            try:
                deleted_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                conversation = self._parse(path, read_regular_file(path))
            except (OSError, StorageError) as exc:
                log.warning("cannot list %s in the trash: %s", path.name, exc)
                continue
            items.append(
                TrashedConversation(
                    path.stem, conversation.title, deleted_at, len(conversation.messages)
                )
            )
        items.sort(key=lambda item: item.deleted_at, reverse=True)
        return items

    def restore(self, conversation_id: str) -> Conversation:
        """Bring a conversation back from the trash. Should a conversation with its id be in
        the folder again meanwhile (a sync tool put it back), the restored one gets a new id:
        neither overwrites the other."""
        source = self.trash / self.path_of(conversation_id).name
        conversation, stamp = self._read_stamped(source)
        target = self.path_of(conversation_id)
        clash = conversation.id != conversation_id or target.exists()
        if not clash:
            # The file goes back as it is: a rename (nothing encoded, written or fsynced:
            # undoing the delete of hundreds stays quick), which keeps the version just read.
            try:
                os.replace(source, target)
            except OSError as exc:
                raise StorageError(f"{source.name}: {exc.strerror or exc}") from exc
            with self._stamps_lock:
                self._stamps[conversation_id] = stamp
            return conversation
        if conversation.read_only:
            # It cannot be rewritten under a new id: it goes back as it is, or not at all.
            raise StorageError(f"{source.name}: a conversation with its id exists")
        conversation.id = new_id()
        self.save(conversation)
        try:
            source.unlink()
        except OSError as exc:
            log.warning("restored %s but could not empty it from the trash: %s", source.name, exc)
        return conversation

    def purge(self, conversation_id: str) -> None:
        """Delete a conversation from the trash for good."""
        path = self.trash / self.path_of(conversation_id).name
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"{path.name}: {exc.strerror or exc}") from exc

    def read_as_is(self, path: Path) -> Conversation | None:
        """A file of conversations/ read for what it holds, touching nothing (no backup, no
        upgrade written back, no quarantine: what load_listed does is left to the listing);
        None if it cannot be read."""
        try:
            return self._parse(path, read_regular_file(path))
        except (OSError, StorageError):
            return None

    def _read(self, path: Path) -> Conversation:
        try:
            raw = read_regular_file(path)
        except FileNotFoundError as exc:
            raise StorageError(f"{path.name} does not exist") from exc
        return self._parse(path, raw, migrate=True)

    def _parse(self, path: Path, raw: bytes, *, migrate: bool = False) -> Conversation:
        try:
            # utf-8-sig: a byte-order mark, as some Windows editors write, is not damage. A
            # big file is read a piece at a time, so that the UI thread gets its turns.
            data = read_file(raw)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError, JSONDecodeError too
            raise CorruptFileError(f"{path.name}: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != CONVERSATION_FORMAT:
            raise CorruptFileError(f"{path.name}: not a Confab conversation")
        version = format_version(data)
        notes: list[str] = []
        if version > CONVERSATION_VERSION:
            # Shown read-only, and only if this version reads all of it: a field it cannot
            # read may be what the newer format is about.
            try:
                newer = Conversation.from_dict(data, notes)
                if notes:
                    raise CorruptFileError(notes[0])
            except CorruptFileError as exc:
                raise NewerFormatError(
                    f"{path.name} is in format version {version}, which this Confab cannot "
                    f"read ({exc.detail})",
                    version,
                ) from exc
            return newer
        if version == CONVERSATION_VERSION:
            conversation = Conversation.from_dict(data, notes)
            if notes and migrate:
                self._keep_damaged(path, raw, notes)
            return conversation
        upgraded = Conversation.from_dict(
            upgrade(data, version, CONVERSATION_VERSION, self._migrations), notes
        )
        if migrate:
            self._write_upgrade(path, raw, version, upgraded)
        return upgraded

    def _keep_damaged(self, path: Path, raw: bytes, notes: list[str]) -> None:
        """A conversation loaded with fields left at their defaults: its next save drops
        what could not be read, so the file as it was goes to backups/ first."""
        for note in notes[:20]:
            log.warning("%s: %s", path.name, note)
        if len(notes) > 20:
            log.warning("%s: and %d more", path.name, len(notes) - 20)
        backup = self._free_backup(f"{path.stem}.damaged")
        try:
            write_bytes_atomic(backup, raw)
        except StorageError as exc:
            log.error("could not keep %s as it was: %s", path.name, exc.detail)
        self.repaired.append(path.name)

    def _write_upgrade(self, path: Path, raw: bytes, version: int, upgraded: Conversation) -> None:
        """Keep the original bytes in backups/, then write the upgraded file over it."""
        backup = self._free_backup(f"{path.stem}.v{version}")
        write_bytes_atomic(backup, raw)
        try:
            write_json_atomic(path, upgraded.to_dict())
        except StorageError as exc:
            # The backup is safe: the next save writes the upgrade.
            log.error("could not write the upgraded %s: %s", path.name, exc.detail)
            return
        log.info("upgraded %s from format version %d; original in %s", path.name, version, backup)
        self.migrated.append(path.name)

    def _free_backup(self, stem: str) -> Path:
        return _free_name(self.backups, stem)

    def _quarantine(self, path: Path) -> bool:
        """Move ``path`` (a link itself, never what it points to) into quarantine/; False,
        and it stays where it is, when that cannot be done (quarantine/ is a file, say)."""
        try:
            self.quarantine.mkdir(parents=True, exist_ok=True)
            target = self.quarantine / path.name
            counter = 1
            while target.exists() or target.is_symlink():
                target = self.quarantine / f"{path.stem}.{counter}{path.suffix}"
                counter += 1
            os.replace(path, target)
        except OSError as exc:
            log.error("could not move %s to quarantine: %s", path.name, exc.strerror or exc)
            self.unmovable.append(path.name)
            return False
        return True
