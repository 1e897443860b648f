"""Exporting conversations: one, a selection, or the whole library, as Markdown, HTML, PDF,
Confab JSON or a Confab export archive (.zip).

``Exporter.run`` (``export`` is the same in one call) runs in a thread of the caller's (the
window's export thread, the command line's main thread), reads the files of
``conversations/`` one at a time, as they are on disk (never all at once: a library of
100,000 conversations streams through), reports progress after each and stops when
``cancelled()`` says so. It writes to a temporary name beside the target and renames it into
place at the end: a full disk, an unwritable folder or Cancel leaves no half file (a folder
of files gets only whole ones). PDF is printed by the ``pdf`` collaborator (rich text →
bytes; desktop/controllers/pdf.py's Qt printer): core has no Qt.

What is written where (``plan``):

- one conversation (``ids`` of one): ``out`` is the file (``.md``, ``.html``, ``.pdf``,
  ``.json``: the conversation file itself, every branch);
- several or all, in md/html/pdf: ``out`` ending in ``.zip`` is a zip of one file per
  conversation, named by its title (made safe for every file system, unique); otherwise
  ``out`` is a folder (made if missing) and the files go into it;
- several in json: a folder of ``<id>.json``, or, to a ``.zip``, an archive (below) of them;
- ``zip``: the Confab export archive, docs/format.md ("The export archive"):
  ``conversations/<id>.json``, ``attachments/`` (the whole folder for the library; for a
  selection, the files its conversations name), and when it is the whole library
  ``settings.json`` without any key, password or token, then ``manifest.json``
  (``"format": "confab.export"``, version, app version, time, counts).

Attachments (desktop/core/attachments/): Markdown embeds a conversation's images and links
its documents from a folder beside it, ``<file's name>_files/`` (each file under its own
name, made safe and unique), in the zip or the folder too; HTML embeds the images as data:
URLs (one self-contained file) and names the documents; PDF names them. Confab JSON carries
the files its conversations name in ``attachments/<sha256>.<ext>`` beside the ``.json`` (or in
the folder or archive), the layout of the data folder, which the importer reads back. An
attachment whose file is missing is named, never an error.

Never a key: conversation files hold none (desktop/core/logs.py masks a reply's error), and
settings.json is written back through fileformat (which drops secret-named fields) with any
secret-named field left anywhere dropped and any value masked that looks like a key or is
one the process has handled.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from desktop.core.atomic import json_bytes, shared_mode, temporary_beside, write_bytes_atomic
from desktop.core.attachments.store import AttachmentStore
from desktop.core.encoding import read_file
from desktop.core.errors import AttachmentError, StorageError, WriteFailedError
from desktop.core.export.common import Style, UniqueNames, safe_name
from desktop.core.export.page import PrintImage, conversation_page, print_html
from desktop.core.export.text import conversation_markdown
from desktop.core.fileformat import (
    CONVERSATION_FORMAT,
    SECRET_FIELD_NAMES,
    conversation_from_dict,
    settings_from_dict,
    settings_to_dict,
)
from desktop.core.files import read_regular_file
from desktop.core.logs import redact
from desktop.core.models import Attachment, Clock, Conversation, format_time, utc_now
from desktop.core.storage import is_safe_id

log = logging.getLogger("confab.export")

FORMATS = ("md", "html", "pdf", "json", "zip")
EXTENSIONS = {"md": ".md", "html": ".html", "pdf": ".pdf", "json": ".json", "zip": ".zip"}
_BY_EXTENSION = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".json": "json",
    ".zip": "zip",
}
ARCHIVE_FORMAT = "confab.export"
ARCHIVE_VERSION = 1
# A secret-looking field name anywhere in settings.json (beyond fileformat's own rules).
_SECRET_HINTS = ("password", "passwd", "secret", "token", "api_key", "apikey", "authorization")

# rich text and the pictures it names (page.print_html's PrintPage) → the bytes of a PDF
PdfPrinter = Callable[[str, Mapping[str, PrintImage]], bytes]
Progress = Callable[[int, int], None]


def format_of(path: Path) -> str | None:
    """The format ``path``'s extension names (None: none that Confab writes)."""
    return _BY_EXTENSION.get(path.suffix.lower())


@dataclass
class ExportResult:
    """What an export wrote: ``path`` (a file or a folder), how many conversations, and the
    files it could not read (name, why). ``cancelled``: stopped by the user, nothing left."""

    path: Path
    conversations: int = 0
    messages: int = 0
    attachments: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


class _Cancelled(Exception):
    pass


@dataclass(frozen=True)
class _Read:
    name: str
    raw: bytes
    conversation: Conversation


@dataclass
class _Rendered:
    """A conversation as exported: its file's bytes, and the attachments written beside it
    (the name inside the export, relative to the file's folder, and the stored file)."""

    data: bytes
    files: list[tuple[str, Path]] = field(default_factory=list)


def named_attachments(conversation: Conversation, *, thread: bool = False) -> list[Attachment]:
    """The attachments of the conversation's messages and its draft (``thread``: of the
    thread on screen only), each file once, in their order."""
    seen: dict[str, Attachment] = {}
    messages = conversation.thread() if thread else conversation.messages
    for message in messages:
        for attachment in message.attachments:
            seen.setdefault(attachment.sha256, attachment)
    for attachment in () if thread else conversation.draft_attachments:
        seen.setdefault(attachment.sha256, attachment)
    return list(seen.values())


class Exporter:
    """Exports from the data folder ``data_dir``; see the module's docstring. ``wait`` is
    called first (the window's pending writes reach disk before their files are read)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        style: Style | None = None,
        pdf: PdfPrinter | None = None,
        clock: Clock = utc_now,
        app_version: str = "",
        wait: Callable[[], Any] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.folder = data_dir / "conversations"
        self.style = style or Style()
        self.pdf = pdf
        self.clock = clock
        self.app_version = app_version
        self.wait = wait
        self.attachments = AttachmentStore(data_dir)

    # ---- what to export ---------------------------------------------------------------

    def all_ids(self) -> list[str]:
        """The conversations of the library: every file of conversations/ named by an id."""
        try:
            names = [entry.name for entry in os.scandir(self.folder)]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(f"{self.folder}: {exc.strerror or exc}") from exc
        return sorted(n[:-5] for n in names if n.endswith(".json") and is_safe_id(n[:-5]))

    def _read(self, conversation_id: str) -> _Read:
        """One conversation file, read as it is (nothing moved, nothing written back)."""
        name = f"{conversation_id}.json"
        if not is_safe_id(conversation_id):
            raise StorageError(f"{conversation_id!r} is not a conversation id")
        try:
            raw = read_regular_file(self.folder / name)
        except FileNotFoundError as exc:
            raise StorageError(f"there is no conversation {conversation_id}") from exc
        try:
            data = read_file(raw)
        except (ValueError, RecursionError) as exc:
            raise StorageError(f"{name} is not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != CONVERSATION_FORMAT:
            raise StorageError(f"{name} is not a Confab conversation")
        return _Read(name, raw, conversation_from_dict(data))

    # ---- the flow ---------------------------------------------------------------------

    def run(
        self,
        ids: Sequence[str] | None,
        fmt: str,
        out: Path,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ExportResult:
        """Export ``ids`` (None: the whole library) as ``fmt`` to ``out``. Raises
        StorageError (a conversation asked for by id does not exist, the library cannot be
        listed), WriteFailedError (the target cannot be written: its message says why) and
        ValueError (an unknown format, PDF without a printer)."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        if fmt == "pdf" and self.pdf is None:
            raise ValueError("PDF needs a printer")
        if self.wait is not None:
            self.wait()
        everything = ids is None
        chosen = self.all_ids() if ids is None else list(dict.fromkeys(ids))
        if ids is not None:
            missing = [
                i for i in chosen if not (is_safe_id(i) and (self.folder / f"{i}.json").is_file())
            ]
            if missing:
                raise StorageError("no such conversation: " + ", ".join(missing))
        _check_target(out)
        result = ExportResult(out)
        report = progress or (lambda _done, _total: None)
        stop = cancelled or (lambda: False)
        report(0, len(chosen))
        try:
            if fmt == "zip" or (fmt == "json" and len(chosen) != 1 and _is_zip(out)):
                self._archive(
                    chosen, out, result, report, stop, everything=everything and fmt == "zip"
                )
            elif len(chosen) == 1 and ids is not None:
                self._single(chosen[0], fmt, out, result)
                report(1, 1)
            else:
                self._files(chosen, fmt, out, result, report, stop)
        except _Cancelled:
            result.cancelled = True
        return result

    def _conversations(
        self, ids: list[str], result: ExportResult, report: Progress, stop: Callable[[], bool]
    ) -> Iterator[_Read]:
        """Each readable conversation in turn (the unreadable in ``result.skipped``)."""
        for done, conversation_id in enumerate(ids):
            if stop():
                raise _Cancelled
            try:
                read = self._read(conversation_id)
            except StorageError as exc:
                log.warning("export: skipping %s: %s", conversation_id, exc.detail)
                result.skipped.append((f"{conversation_id}.json", exc.detail))
            else:
                yield read
                result.conversations += 1
                result.messages += len(read.conversation.messages)
            report(done + 1, len(ids))
        if stop():
            raise _Cancelled

    def _rendered(self, read: _Read, fmt: str, file_name: str = "") -> _Rendered:
        """``read`` as ``fmt``; ``file_name`` is the name it is written under (Markdown's
        attachments go to ``<stem>_files/`` beside it)."""
        conversation = read.conversation
        exported = self.style.time(self.clock())
        if fmt == "md":
            folder = f"{Path(file_name).stem or 'conversation'}_files"
            files, links = self._beside(conversation, folder)
            text = conversation_markdown(conversation, self.style, exported, links.get)
            return _Rendered(text.encode("utf-8"), files)
        if fmt == "html":
            generator = f"Confab {self.app_version}".strip()
            page = conversation_page(conversation, self.style, exported, generator, self._data_url)
            return _Rendered(page.encode("utf-8"))
        if fmt == "pdf":
            assert self.pdf is not None  # checked in run
            printed = print_html(conversation, self.style, exported, self._print_image)
            return _Rendered(self.pdf(printed.html, printed.images))
        # json: the file as Confab wrote it, and its attachments as the data folder has them.
        return _Rendered(read.raw, self._stored(named_attachments(conversation)))

    def _stored(self, attachments: list[Attachment]) -> list[tuple[str, Path]]:
        """``attachments/<sha256>.<ext>`` of each whose file is there."""
        found = []
        for attachment in attachments:
            path = self.attachments.path_of(attachment)
            if path.is_file():
                found.append((f"attachments/{attachment.file_name}", path))
            else:
                log.warning("export: the file of attachment %s is missing", attachment.name)
        return found

    def _beside(
        self, conversation: Conversation, folder: str
    ) -> tuple[list[tuple[str, Path]], dict[Attachment, str]]:
        """The thread's attachments under their own names in ``folder``, and each one's
        path (relative to the Markdown file)."""
        names = UniqueNames()
        by_digest: dict[str, str] = {}
        files: list[tuple[str, Path]] = []
        for attachment in named_attachments(conversation, thread=True):
            path = self.attachments.path_of(attachment)
            if not path.is_file():
                continue
            stem, dot, ext = attachment.name.rpartition(".")
            if not dot or not stem:
                stem, ext = attachment.name, attachment.ext
            name = names.take(safe_name(stem, "attachment"), f".{safe_name(ext, attachment.ext)}")
            by_digest[attachment.sha256] = f"{folder}/{name}"
            files.append((f"{folder}/{name}", path))
        links = {
            a: by_digest[a.sha256]
            for m in conversation.thread()
            for a in m.attachments
            if a.sha256 in by_digest
        }
        return files, links

    def _print_image(self, attachment: Attachment) -> bytes | None:
        """An image as the PDF prints it: as it is sent to most models (at most 2048 pixels
        long: the stored file, or its scaled copy in ``derived/``); None when it cannot be
        (missing, damaged: named only)."""
        from desktop.core.attachments.images import DEFAULT

        try:
            return self.attachments.prepared(attachment, DEFAULT)[0]
        except (AttachmentError, OSError) as exc:
            log.warning("export: %s is not printed: %s", attachment.name, exc)
            return None

    def _data_url(self, attachment: Attachment) -> str | None:
        """An image's stored bytes as a data: URL (None: its file is missing)."""
        import base64

        try:
            data = self.attachments.path_of(attachment).read_bytes()
        except OSError:
            return None
        return f"data:{attachment.mime};base64,{base64.b64encode(data).decode('ascii')}"

    def _file_name(self, read: _Read, fmt: str, names: UniqueNames) -> str:
        if fmt == "json":
            return names.take(read.conversation.id, ".json")
        stem = safe_name(read.conversation.title, self.style.labels.untitled)
        return names.take(stem, EXTENSIONS[fmt])

    def _single(self, conversation_id: str, fmt: str, out: Path, result: ExportResult) -> None:
        read = self._read(conversation_id)
        if out.is_dir():
            out = out / self._file_name(read, fmt, UniqueNames())
            result.path = out
        rendered = self._rendered(read, fmt, out.name)
        self._write_beside(out.parent, rendered, result)
        write_bytes_atomic(out, rendered.data, mode=shared_mode())
        result.conversations = 1
        result.messages = len(read.conversation.messages)

    def _write_beside(self, folder: Path, rendered: _Rendered, result: ExportResult) -> None:
        """The attachments of ``rendered`` into ``folder`` (one already there, the same
        content-addressed file, is left as it is)."""
        for name, source in rendered.files:
            target = folder / name
            if name.startswith("attachments/") and target.is_file():
                continue
            try:
                data = source.read_bytes()
            except OSError as exc:
                log.warning("export: %s left out: %s", source.name, exc)
                continue
            write_bytes_atomic(target, data, mode=shared_mode())
            result.attachments += 1

    def _files(
        self,
        ids: list[str],
        fmt: str,
        out: Path,
        result: ExportResult,
        report: Progress,
        stop: Callable[[], bool],
    ) -> None:
        """One file per conversation, in a zip (``out`` ends in .zip) or a folder."""
        names = UniqueNames()
        conversations = self._conversations(ids, result, report, stop)
        if _is_zip(out):
            with _TempZip(out) as archive:
                for read in conversations:
                    name = self._file_name(read, fmt, names)
                    rendered = self._rendered(read, fmt, name)
                    archive.add(name, rendered.data)
                    for inside, source in rendered.files:
                        if archive.add_file_once(inside, source):
                            result.attachments += 1
            return
        try:
            out.mkdir(parents=True, exist_ok=True)
            for existing in out.iterdir():
                names.take(existing.name, "")
                # A Markdown file's folder is named after it: not taken by another's.
                names.take(f"{Path(existing.name).stem}_files", "")
        except OSError as exc:
            raise WriteFailedError(f"{out}: {exc.strerror or exc}") from exc
        for read in conversations:
            name = self._file_name(read, fmt, names)
            if fmt == "md":
                names.take(f"{Path(name).stem}_files", "")
            rendered = self._rendered(read, fmt, name)
            self._write_beside(out, rendered, result)
            write_bytes_atomic(out / name, rendered.data, mode=shared_mode())

    def _archive(
        self,
        ids: list[str],
        out: Path,
        result: ExportResult,
        report: Progress,
        stop: Callable[[], bool],
        *,
        everything: bool,
    ) -> None:
        with _TempZip(out) as archive:
            for read in self._conversations(ids, result, report, stop):
                archive.add(f"conversations/{read.conversation.id}.json", read.raw)
                if not everything:  # the library's go all at once, below
                    for inside, source in self._stored(named_attachments(read.conversation)):
                        if archive.add_file_once(inside, source):
                            result.attachments += 1
            settings = False
            if everything:
                result.attachments = self._add_attachments(archive, stop)
                settings = self._add_settings(archive)
            manifest = {
                "format": ARCHIVE_FORMAT,
                "version": ARCHIVE_VERSION,
                "app": "Confab",
                "app_version": self.app_version,
                "created_at": format_time(self.clock()),
                "scope": "library" if everything else "selection",
                "conversations": result.conversations,
                "messages": result.messages,
                "attachments": result.attachments,
                "settings": settings,
                "skipped": [{"file": name, "reason": why} for name, why in result.skipped],
            }
            archive.add("manifest.json", json_bytes(manifest))

    def _add_attachments(self, archive: _TempZip, stop: Callable[[], bool]) -> int:
        folder = self.data_dir / "attachments"
        if not folder.is_dir():
            return 0
        count = 0
        for path in sorted(folder.rglob("*")):
            if stop():
                raise _Cancelled
            if path.is_file() and not path.is_symlink():
                archive.add_file(f"attachments/{path.relative_to(folder).as_posix()}", path)
                count += 1
        return count

    def _add_settings(self, archive: _TempZip) -> bool:
        path = self.data_dir / "settings.json"
        try:
            data = json.loads(read_regular_file(path).decode("utf-8-sig"))
        except FileNotFoundError:
            return False
        except (OSError, StorageError, ValueError) as exc:
            log.warning("export: settings.json left out: %s", exc)
            return False
        if not isinstance(data, dict):
            return False
        archive.add(
            "settings.json", json_bytes(without_secrets(settings_to_dict(settings_from_dict(data))))
        )
        return True


def without_secrets(value: Any) -> Any:
    """``value`` (parsed JSON) with every secret-named field dropped and every text that is
    or holds a key masked (desktop/core/logs.py: the keys Confab has handled, ``sk-…``,
    bearer tokens)."""
    if isinstance(value, dict):
        return {
            key: without_secrets(item)
            for key, item in value.items()
            if key.lower() not in SECRET_FIELD_NAMES
            and not any(hint in key.lower() for hint in _SECRET_HINTS)
        }
    if isinstance(value, list):
        return [without_secrets(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value


def _check_target(out: Path) -> None:
    """A target inside something that is not a folder cannot be written: say so plainly
    (mkdir's own words would be "File exists")."""
    for folder in out.parents:
        if folder.exists():
            if not folder.is_dir():
                raise WriteFailedError(f"{out}: {folder} is not a folder")
            return


def _is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


class _TempZip:
    """A zip written to a hidden temporary file beside ``path``, fsynced and renamed over it
    when the block ends normally; removed otherwise (an error, Cancel)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _TempZip:
        try:
            fd, self._tmp = temporary_beside(self.path, shared_mode())
        except OSError as exc:
            raise WriteFailedError(f"{self.path}: {exc.strerror or exc}") from exc
        self._handle: IO[bytes] = os.fdopen(fd, "wb")
        self._zip = zipfile.ZipFile(self._handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._names: set[str] = set()
        return self

    def add(self, name: str, data: bytes) -> None:
        self._guard(lambda: self._zip.writestr(name, data))

    def add_file(self, name: str, path: Path) -> None:
        self._guard(lambda: self._zip.write(path, name))

    def add_file_once(self, name: str, path: Path) -> bool:
        """``add_file`` unless ``name`` is in the archive already (an attachment two
        conversations share); False when it was, or the file cannot be read (logged)."""
        if name in self._names:
            return False
        try:
            self.add_file(name, path)
        except WriteFailedError:
            if not path.is_file():
                log.warning("export: %s left out: it is gone", path.name)
                return False
            raise
        self._names.add(name)
        return True

    def _guard(self, write: Callable[[], None]) -> None:
        try:
            write()
        except OSError as exc:
            raise WriteFailedError(f"{self.path}: {exc.strerror or exc}") from exc

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object
    ) -> None:
        try:
            if kind is None:
                self._zip.close()
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
                os.replace(self._tmp, self.path)
                return
        except OSError as error:
            self._discard()
            raise WriteFailedError(f"{self.path}: {error.strerror or error}") from error
        self._discard()

    def _discard(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._zip.close()
        with contextlib.suppress(OSError):
            self._handle.close()
        with contextlib.suppress(OSError):
            self._tmp.unlink(missing_ok=True)


def export(
    ids: Sequence[str] | None,
    fmt: str,
    out: Path,
    *,
    data_dir: Path,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    **collaborators: Any,
) -> ExportResult:
    """``Exporter(data_dir, **collaborators).run(ids, fmt, out, …)`` in one call."""
    return Exporter(data_dir, **collaborators).run(
        ids, fmt, out, progress=progress, cancelled=cancelled
    )
