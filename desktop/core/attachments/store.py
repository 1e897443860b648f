"""The attachments of the data folder: ``attachments/<sha256>.<ext>``, one file per content
(the same image attached twice, to one conversation or to two, is stored once), each written
atomically (desktop/core/atomic.py) and never changed after.

What can be made again from them lives in ``derived/``, beside: ``<sha256>.txt`` (a
document's extracted text, UTF-8, as it is sent) and ``<sha256>.<target>.<jpg|png>`` (an image
as sent to a provider, desktop/core/attachments/images.py). Deleting ``derived/`` loses
nothing: each file is made again when next needed. Both are removed with their attachment
(``remove_unused``). Extracted texts and prepared images are also kept in memory (bounded),
so a long conversation does not read or re-encode them at every turn.

Everything here blocks (reads, decodes, writes, fsyncs): callers run it off the UI thread,
except the ``cached_*`` look-ups, which never touch the disk.

Limits (``IMAGE_LIMIT``, ``DOCUMENT_LIMIT``) are checked against the file's size before it is
read, and no more than the limit is ever read: a huge file is refused with its size and the
limit without being loaded.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from desktop.core.atomic import write_bytes_atomic
from desktop.core.attachments import reasons
from desktop.core.attachments.documents import DocumentText, decode_text, docx_text, pdf_text
from desktop.core.attachments.images import Target, prepare, probe
from desktop.core.attachments.sniff import HEAD, Sniffed, sniff, sniff_head
from desktop.core.errors import AttachmentError, WriteFailedError
from desktop.core.models import Attachment

log = logging.getLogger("confab.attachments")

MB = 2**20
IMAGE_LIMIT = 20 * MB
DOCUMENT_LIMIT = 50 * MB
ATTACHMENTS = "attachments"
DERIVED = "derived"
# remove_unused keeps files younger than this (attached in the composer, not sent yet).
GRACE_SECONDS = 24 * 3600

_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF"}
_PILLOW_FORMATS["image/webp"] = "WEBP"


def limit_of(sniffed: Sniffed) -> int:
    return IMAGE_LIMIT if sniffed.kind == "image" else DOCUMENT_LIMIT


def _mb(size: int) -> str:
    """Megabytes to one decimal, rounded up (a file 1 byte over 20 MB is "20.1", not "20")."""
    return f"{math.ceil(size * 10 / MB) / 10:.1f}".removesuffix(".0")


class _Lru:
    """Values by key, the oldest dropped once their total weight passes ``budget``."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._weight = 0
        self._items: OrderedDict[object, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: object, value: object, weight: int) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._items[key] = (value, weight)
            self._weight += weight
            while self._weight > self._budget and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._weight -= dropped

    def drop(self, match: Iterable[object]) -> None:
        with self._lock:
            for key in list(self._items):
                if key in match or (isinstance(key, tuple) and key[0] in match):
                    self._weight -= self._items.pop(key)[1]


class AttachmentStore:
    """The data folder's attachments (see the module's docstring). Thread-safe."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / ATTACHMENTS
        self.derived = self.data_dir / DERIVED
        self._texts = _Lru(64 * MB)  # sha256 → DocumentText (weight: characters)
        self._images = _Lru(128 * MB)  # (sha256, target tag) → data URL (weight: characters)

    # ---- adding ----------------------------------------------------------------------

    def add_file(self, path: Path, name: str | None = None) -> Attachment:
        """Attach the file at ``path`` (shown as ``name``, its own name by default)."""
        path = Path(path)
        shown = name or path.name
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                head = handle.read(HEAD)
                if not head:
                    raise AttachmentError(reasons.EMPTY, name=shown)
                sniffed = sniff_head(head)
                limit = DOCUMENT_LIMIT if sniffed.mime == "application/zip" else limit_of(sniffed)
                if size > limit:
                    raise self._too_large(shown, size, sniffed)
                # Never more than the limit, even if the file grows meanwhile.
                data = head + handle.read(limit + 1 - len(head))
        except AttachmentError:
            raise
        except OSError as exc:  # gone, no permission, a folder, a device
            raise AttachmentError(
                reasons.UNREADABLE, name=shown, error=exc.strerror or reasons.error_text(exc)
            ) from exc
        return self.add_bytes(data, shown)

    def add_bytes(self, data: bytes, name: str, mime: str | None = None) -> Attachment:
        """Attach ``data`` (a pasted image, a file of an import) as ``name``. ``mime`` (what
        the clipboard or the source said) is only a hint: the type comes from the bytes."""
        del mime  # the bytes decide
        if not data:
            raise AttachmentError(reasons.EMPTY, name=name)
        sniffed = sniff(data)
        if not sniffed.supported:
            raise AttachmentError(reasons.UNSUPPORTED, name=name, type=sniffed.seems)
        if len(data) > limit_of(sniffed):
            raise self._too_large(name, len(data), sniffed)
        digest = hashlib.sha256(data).hexdigest()
        width = height = None
        text: DocumentText | None = None
        mime_type = sniffed.mime
        if sniffed.kind == "image":
            probed = probe(data, name, _PILLOW_FORMATS[sniffed.mime])
            width, height = probed.width, probed.height
        else:
            text = self._extract(data, name, sniffed)
        attachment = Attachment(
            sha256=digest,
            name=name,
            kind=sniffed.kind,
            mime=mime_type,
            size=len(data),
            ext=sniffed.ext,
            width=width,
            height=height,
        )
        self._store(attachment, data)
        if text is not None:
            self._keep_text(attachment, text)
        return attachment

    def _too_large(self, name: str, size: int, sniffed: Sniffed) -> AttachmentError:
        return AttachmentError(
            reasons.TOO_LARGE,
            name=name,
            size=_mb(size),
            limit=_mb(limit_of(sniffed)),
        )

    def _extract(self, data: bytes, name: str, sniffed: Sniffed) -> DocumentText:
        if sniffed.ext == "pdf":
            return pdf_text(data, name)
        if sniffed.ext == "docx":
            return docx_text(data, name)
        decoded = decode_text(data)
        if decoded is None:
            raise AttachmentError(reasons.UNSUPPORTED, name=name, type="binary file")
        return DocumentText(decoded[0])

    def _store(self, attachment: Attachment, data: bytes) -> None:
        path = self.path_of(attachment)
        try:
            if path.is_file() and path.stat().st_size == len(data):
                # Stored already (same content): touched, so that a sweep now keeps it.
                with contextlib.suppress(OSError):
                    os.utime(path)
                return
            write_bytes_atomic(path, data)
        except WriteFailedError as exc:
            raise AttachmentError(
                reasons.WRITE_FAILED, name=attachment.name, error=exc.detail
            ) from exc
        except OSError as exc:
            raise AttachmentError(
                reasons.WRITE_FAILED, name=attachment.name, error=reasons.error_text(exc)
            ) from exc

    # ---- reading back ----------------------------------------------------------------

    def path_of(self, attachment: Attachment) -> Path:
        """The stored file (it may be missing: deleted by hand, not synced yet)."""
        return self.folder / attachment.file_name

    def exists(self, attachment: Attachment) -> bool:
        return self.path_of(attachment).is_file()

    def read(self, attachment: Attachment) -> bytes:
        """The stored file's bytes; AttachmentError (missing) when it is not there."""
        try:
            return self.path_of(attachment).read_bytes()
        except FileNotFoundError as exc:
            raise AttachmentError(reasons.MISSING, name=attachment.name) from exc
        except OSError as exc:
            raise AttachmentError(
                reasons.UNREADABLE, name=attachment.name, error=reasons.error_text(exc)
            ) from exc

    def cached_text(self, attachment: Attachment) -> DocumentText | None:
        """The document's text if it is in memory (never touches the disk: for the UI thread)."""
        found = self._texts.get(attachment.sha256)
        return found if isinstance(found, DocumentText) else None

    def text_of(self, attachment: Attachment) -> DocumentText:
        """A document's text, extracted once: from memory, else ``derived/<sha256>.txt``, else
        from the stored file (and kept in both). An image has none (an empty text)."""
        if attachment.kind == "image":
            return DocumentText("")
        known = self.cached_text(attachment)
        if known is not None:
            return known
        cache = self.derived / f"{attachment.sha256}.txt"
        try:
            text = DocumentText(cache.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            data = self.read(attachment)
            text = self._extract(data, attachment.name, sniff(data))
            self._keep_text(attachment, text)
        else:
            self._texts.put(attachment.sha256, text, len(text.text) + 64)
        return text

    def _keep_text(self, attachment: Attachment, text: DocumentText) -> None:
        self._texts.put(attachment.sha256, text, len(text.text) + 64)
        try:
            write_bytes_atomic(
                self.derived / f"{attachment.sha256}.txt",
                text.text.encode("utf-8", "surrogatepass"),
            )
        except WriteFailedError as exc:  # a cache: the text is made again next time
            log.warning("the text of %s is not cached: %s", attachment.file_name, exc.detail)

    def cached_image(self, attachment: Attachment, target: Target) -> str | None:
        """The image's data URL as sent for ``target`` if it is in memory (never touches the
        disk)."""
        found = self._images.get((attachment.sha256, target.tag))
        return found if isinstance(found, str) else None

    def image_url(self, attachment: Attachment, target: Target) -> str:
        """The image as sent for ``target``, as a data: URL (see images.py): from memory, else
        ``derived/``, else scaled and encoded now (and kept in both)."""
        known = self.cached_image(attachment, target)
        if known is not None:
            return known
        data, mime = self._prepared(attachment, target)
        url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        self._images.put((attachment.sha256, target.tag), url, len(url))
        return url

    def prepared(self, attachment: Attachment, target: Target) -> tuple[bytes, str]:
        """The image as sent for ``target`` (bytes, type): from ``derived/``, else the stored
        file when it needs no scaling, else scaled and encoded now (and kept in ``derived/``).
        AttachmentError when its file is missing or cannot be decoded."""
        return self._prepared(attachment, target)

    def _prepared(self, attachment: Attachment, target: Target) -> tuple[bytes, str]:
        stem = f"{attachment.sha256}.{target.tag}"
        for ext, mime in (("jpg", "image/jpeg"), ("png", "image/png")):
            with contextlib.suppress(OSError):
                return (self.derived / f"{stem}.{ext}").read_bytes(), mime
        original = self.read(attachment)
        try:
            data, mime = prepare(original, attachment.mime, target)
        except Exception as exc:  # Pillow on a file changed behind Confab's back
            raise AttachmentError(
                reasons.DAMAGED, name=attachment.name, error=reasons.error_text(exc)
            ) from exc
        if data is not original:  # the stored file itself needs no copy
            ext = "png" if mime == "image/png" else "jpg"
            try:
                write_bytes_atomic(self.derived / f"{stem}.{ext}", data)
            except WriteFailedError as exc:
                log.warning("the prepared %s is not cached: %s", attachment.file_name, exc.detail)
        return data, mime

    # ---- removing --------------------------------------------------------------------

    def stored(self) -> set[str]:
        """The digests of every attachment stored."""
        try:
            names = [entry.name for entry in os.scandir(self.folder) if entry.is_file()]
        except OSError:
            return set()
        return {n.partition(".")[0] for n in names if not n.startswith(".") and "." in n}

    def remove_unused(self, used: set[str], now: float | None = None) -> int:
        """Remove every attachment whose digest is not in ``used`` (with what was derived
        from it), except those written or attached again in the last ``GRACE_SECONDS`` (in
        the composer, not sent yet); returns how many were removed."""
        now = time.time() if now is None else now
        removed = 0
        gone: set[str] = set()
        for folder in (self.folder, self.derived):
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                digest = name.partition(".")[0] if not name.startswith(".") else ""
                if name.startswith(".") and name.endswith(".tmp"):
                    digest = name[1:].partition(".")[0]  # a crash's temporary file
                if len(digest) != 64 or digest in used:
                    continue
                if folder == self.folder and digest not in gone:
                    try:
                        young = now - entry.stat().st_mtime < GRACE_SECONDS
                    except OSError:
                        continue
                    if young:
                        used = used | {digest}
                        continue
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    log.warning("cannot remove %s: %s", name, exc)
                    continue
                if folder == self.folder and not name.startswith("."):
                    if digest not in gone:
                        removed += 1
                    gone.add(digest)
        self._texts.drop(gone)
        self._images.drop(gone)
        return removed
