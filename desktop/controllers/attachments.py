"""Attachments for the window: adding files and pasted images to the store
(desktop/core/attachments.py: hashing, writing, probing, extracting, all blocking) in a thread
of their own, and the images' thumbnails decoded and scaled in another.

Each job's outcome comes back as the writer's do (desktop/controllers/conversations.py): the
future's done-callback, in the worker thread, only appends to a deque, and a timer on the UI
thread takes the outcomes in and emits the signals. A thumbnail is a QImage (QImage may be
made and dropped in any thread; QPixmap only in the UI thread, so the widgets make those), kept
in a cache by content and size: the 50 images of a long conversation are decoded once.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QImageReader

if TYPE_CHECKING:
    from desktop.core.attachments import AttachmentStore, Estimate
    from desktop.core.models import Attachment

# Outcomes are taken in this often while jobs are under way.
POLL_MS = 5
# Bytes of decoded thumbnails kept (a 180 × 120 one is ~86 kB: some 190 of them), the least
# recently shown dropped first; answers without an image (missing, a document) weigh little.
CACHE_BYTES = 16 << 20
# A pasted image is stored as PNG under this name (the store names it; shown on its chip).
PASTED_NAME = "pasted-image.png"
# Where documents are copied under their own names to be opened (see ``open_copy``).
OPEN_FOLDER = "confab-attachments"


class Missing:
    """A thumbnail job's answer when the stored file is not there (deleted, not synced yet)."""


MISSING = Missing()


class AttachmentsController(QObject):
    # (ticket, Attachment): an add ended well.
    added = Signal(int, object)
    # (ticket, the error: an AttachmentError, or an OSError of the file).
    refused = Signal(int, object)
    # (ticket, Path): a dropped .json file was an export after all: import it instead.
    is_export = Signal(int, object)
    # (key, QImage | Missing | None): a thumbnail asked for with ``thumbnail``; None: the
    # file is there but is not an image Qt reads.
    thumbnail_ready = Signal(str, object)

    def __init__(self, store: AttachmentStore, parent: QObject | None = None) -> None:
        """``store``: the data folder's attachments (the chat service reads the same one)."""
        super().__init__(parent)
        self.store = store
        self._adding = ThreadPoolExecutor(1, thread_name_prefix="attach")
        self._decoding = ThreadPoolExecutor(1, thread_name_prefix="thumbnail")
        self._next_ticket = 0
        self._ended: deque[tuple[str, Any, Future[Any]]] = deque()
        self._cache: OrderedDict[str, QImage | Missing | bool | None] = OrderedDict()
        self._decoding_keys: set[str] = set()
        self._cached_bytes = 0
        self._then: dict[int, Callable[[Path | None], None]] = {}
        self._under_way = 0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._take_in)

    # ---- adding --------------------------------------------------------------------

    def add_file(self, path: Path, *, export: Callable[[Path], bool] | None = None) -> int:
        """Add ``path`` in the adding thread; ``added`` or ``refused`` says how it went, with
        the ticket returned here. ``export``: asked first, in that thread, whether the file
        is an export to import instead (``is_export``); it must hold no Qt object."""
        store = self.store
        return self._submit(self._adding, "add", _add_file, store, Path(path), export)

    def add_bytes(self, data: bytes, name: str, mime: str | None = None) -> int:
        return self._submit(self._adding, "add", _add_bytes, self.store, data, name, mime)

    def add_image(self, image: QImage, name: str = PASTED_NAME) -> int:
        """A pasted image: encoded as PNG in the adding thread, then added."""
        return self._submit(self._adding, "add", _add_image, self.store, QImage(image), name)

    @property
    def busy(self) -> bool:
        return self._under_way > 0

    # ---- what the window shows -----------------------------------------------------

    def path_of(self, attachment: Attachment) -> Path:
        return self.store.path_of(attachment)

    def estimate(self, attachment: Attachment, model: str | None) -> Estimate:
        from desktop.core.attachments import estimate_attachment_tokens

        # A document's text as the store extracted it when it was added (None: not in
        # memory, e.g. after a restart: an estimate from its size).
        text = self.store.cached_text(attachment) if attachment.kind != "image" else None
        return estimate_attachment_tokens(attachment, model or "", text)

    def sees_images(self, provider: str | None, model: str | None) -> bool | None:
        from desktop.core.attachments import model_sees_images

        return model_sees_images(provider or "", model or "")

    @staticmethod
    def key(attachment: Attachment, box: int) -> str:
        return f"{attachment.sha256}:{box}"

    def thumbnail(self, attachment: Attachment, box: int) -> QImage | Missing | bool | None:
        """The image scaled to fit ``box`` pixels, from the cache; False when not decoded yet
        (it is decoded now, in the decoding thread: ``thumbnail_ready`` with its key). Of a
        document: True, or MISSING when its file is not there."""
        key = self.key(attachment, box)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if key not in self._decoding_keys:
            self._decoding_keys.add(key)
            path = str(self.store.path_of(attachment))
            job = _decode if attachment.kind == "image" else _exists
            self._submit(self._decoding, "thumbnail", job, path, box, key=key)
        return False

    def full_image(self, attachment: Attachment, box: QSize) -> int:
        """The image fitted into ``box`` (the screen), decoded in the decoding thread:
        ``thumbnail_ready`` with the key ``full:<ticket>``."""
        path = str(self.store.path_of(attachment))
        ticket = self._ticket()
        key = f"full:{ticket}"
        self._submit(self._decoding, "full", _decode_into, path, box, key=key)
        return ticket

    def open_copy(self, attachment: Attachment, then: Callable[[Path | None], None]) -> None:
        """A copy of a stored document named as the user knows it (``name``), in a folder of
        the temporary folder, made in the adding thread; ``then`` gets its path, or None when
        the stored file is missing."""
        source = self.store.path_of(attachment)
        name = _safe_name(attachment.name, attachment.ext)
        target = Path(tempfile.gettempdir()) / OPEN_FOLDER / attachment.sha256[:16] / name
        # ``then`` stays here, on the UI thread: a job holding it (a widget's method) could
        # drop the last reference to that widget in the worker thread.
        ticket = self._submit(self._adding, "copy", _copy, source, target)
        self._then[ticket] = then

    # ---- the threads' outcomes -----------------------------------------------------

    def _ticket(self) -> int:
        self._next_ticket += 1
        return self._next_ticket

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        kind: str,
        fn: Callable[..., Any],
        *args: Any,
        key: Any = None,
    ) -> int:
        ticket = self._ticket()
        future = pool.submit(fn, *args)
        self._under_way += 1
        future.add_done_callback(
            functools.partial(_appended, self._ended, kind, ticket if key is None else key)
        )
        if not self._timer.isActive():
            self._timer.start()
        return ticket

    def _take_in(self) -> None:
        while self._ended:
            kind, key, future = self._ended.popleft()
            self._under_way -= 1
            error = future.exception()
            if kind == "add":
                if error is not None:
                    self.refused.emit(key, error)
                else:
                    result = future.result()
                    if isinstance(result, Path):
                        self.is_export.emit(key, result)
                    else:
                        self.added.emit(key, result)
            elif kind == "thumbnail":
                self._decoding_keys.discard(key)
                image = None if error is not None else future.result()
                self._keep(key, image)
                self.thumbnail_ready.emit(key, image)
            elif kind == "full":
                self.thumbnail_ready.emit(key, None if error is not None else future.result())
            elif kind == "copy":
                then = self._then.pop(key, None)
                if then is not None:
                    then(None if error is not None else future.result())
        if not self._under_way:
            self._timer.stop()

    def forget_thumbnails(self) -> None:
        """Empty the thumbnails' cache (they are decoded again when next shown)."""
        self._cache.clear()
        self._cached_bytes = 0

    def _keep(self, key: str, image: QImage | Missing | bool | None) -> None:
        self._cache[key] = image
        self._cached_bytes += _weight(image)
        while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
            _key, dropped = self._cache.popitem(last=False)
            self._cached_bytes -= _weight(dropped)

    def wait(self) -> None:
        """Until every job given so far has ended, and take their outcomes in (tests, quit)."""
        for pool in (self._adding, self._decoding):
            pool.submit(lambda: None).result()
        self._take_in()

    def close(self) -> None:
        self._timer.stop()
        for pool in (self._adding, self._decoding):
            pool.shutdown(wait=True, cancel_futures=True)
        self._ended.clear()


def _weight(image: object) -> int:
    return int(image.sizeInBytes()) if isinstance(image, QImage) else 64


def _appended(into: deque, kind: str, key: object, future: Future) -> None:  # type: ignore[type-arg]
    into.append((kind, key, future))


# ---- the jobs (in the worker threads: no QObject of the UI thread, no widgets) ------------


def _add_file(
    store: AttachmentStore, path: Path, export: Callable[[Path], bool] | None
) -> Attachment | Path:
    if export is not None and export(path):
        return path
    return store.add_file(path)


def _add_bytes(store: AttachmentStore, data: bytes, name: str, mime: str | None) -> Attachment:
    return store.add_bytes(data, name, mime)


def _add_image(store: AttachmentStore, image: QImage, name: str) -> Attachment:
    data = QByteArray()
    buffer = QBuffer(data)  # made and dropped here, in this thread
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 takes the format as str, though its stubs say bytes (which it refuses).
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return store.add_bytes(bytes(data.data()), name, "image/png")


def _exists(path: str, _box: int) -> bool | Missing:
    return True if Path(path).is_file() else MISSING


def _decode(path: str, box: int) -> QImage | Missing | None:
    return _decode_into(path, QSize(box, box))


def _decode_into(path: str, box: QSize) -> QImage | Missing | None:
    if not Path(path).is_file():
        return MISSING
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > box.width() or size.height() > box.height()):
        reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else image


def _copy(source: Path, target: Path) -> Path | None:
    if not source.is_file():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)
    return target


def _safe_name(name: str, ext: str) -> str:
    """``name`` as a file name in any OS: no folders, no characters Windows refuses."""
    base = "".join("_" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in name).strip(" .")
    if not base:
        base = "attachment"
    if ext and not Path(base).suffix:  # its own extension says which program opens it
        base = f"{base}.{ext}"
    return base[:200]
