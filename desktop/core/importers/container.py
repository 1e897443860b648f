"""What an export comes in: a .zip, a folder, or a single file, read through one interface.

Nothing is ever extracted to disk: members are read by name, so a name such as
"../../.bashrc" can do no harm; such names (absolute, with "..", with a drive) are not listed
at all. What is read from a zip member is capped (``MAX_MEMBER_BYTES``, and the reader's own
limit), whatever the member claims its size is: a zip bomb ends in ``TooLarge``.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from desktop.core.importers import Problem
from desktop.core.importers.jsonstream import TooLarge
from desktop.core.importers.reasons import OPEN_FAILED, reason

# What opening or reading a member may raise: a damaged zip, a damaged deflate stream (zlib's
# own error), an encrypted or unsupported member (RuntimeError, NotImplementedError), a
# truncated file.
READ_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    zipfile.BadZipFile,
    zlib.error,
    ValueError,
    RuntimeError,
    EOFError,
)
# Those, and a name that is not there.
MEMBER_ERRORS: tuple[type[Exception], ...] = (KeyError, *READ_ERRORS)
# A conversations.json of a heavy user is ~1-2 GB; past this, a member is not read.
MAX_MEMBER_BYTES = 8 << 30
# A folder is searched this deep, and this many entries at most.
MAX_DEPTH = 3
MAX_ENTRIES = 200_000


def safe_name(name: str) -> str | None:
    """A member's name as a relative POSIX path, or None when it points outside."""
    name = name.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        return None
    clean = "/".join(part for part in path.parts if part not in ("", "."))
    return clean or None


class _Capped(io.RawIOBase):
    """A member's stream that refuses to give more than ``limit`` bytes."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._left = limit
        self._limit = limit

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self._left + 1
        data = self._stream.read(min(size, self._left + 1))
        self._left -= len(data)
        if self._left < 0:
            raise TooLarge(f"a member holds more than {self._limit:,} bytes", -1)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


class Container:
    """Names (relative, "/"-separated) and their bytes. Open with ``Container.open(path)``
    (OSError, zipfile.BadZipFile when the path cannot be read); close when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_zip = False
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}
        self._sizes: dict[str, int] = {}

    @classmethod
    def open_or_problem(cls, path: Path) -> Container | Problem:
        """``open``, or the Problem that says why the path cannot be read."""
        try:
            return cls.open(path)
        except READ_ERRORS as exc:
            return Problem(str(path), reason(OPEN_FAILED, error=exc))

    @classmethod
    def open(cls, path: Path) -> Container:
        container = cls(path)
        if not path.is_dir() and not path.is_file():
            # A FIFO or a device would block the first read; a missing path says so here.
            raise OSError(f"{path} is not a file or a folder")
        if path.is_dir():
            container._list_folder()
        elif zipfile.is_zipfile(path):
            container.is_zip = True
            container._zip = zipfile.ZipFile(path)
            for info in container._zip.infolist():
                name = safe_name(info.filename)
                if name is not None and not info.is_dir() and name not in container._names:
                    container._names[name] = info.filename
                    container._sizes[name] = info.file_size
        else:
            with open(path, "rb"):
                pass  # readable: OSError here, not later
            container._names[path.name] = str(path)
            container._sizes[path.name] = path.stat().st_size
        return container

    def _list_folder(self) -> None:
        root = self.path
        stack: list[tuple[Path, int]] = [(root, 0)]
        while stack and len(self._names) < MAX_ENTRIES:
            folder, depth = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if depth + 1 < MAX_DEPTH:
                            stack.append((Path(entry.path), depth + 1))
                    elif entry.is_file():
                        name = Path(entry.path).relative_to(root).as_posix()
                        self._names[name] = entry.path
                        self._sizes[name] = entry.stat().st_size
                except OSError:
                    continue

    def names(self) -> list[str]:
        return list(self._names)

    def size(self, name: str) -> int:
        return self._sizes.get(name, 0)

    def open_member(self, name: str, limit: int | None = None) -> IO[bytes]:
        """The bytes of ``name`` as a stream (KeyError: no such member; OSError, zip errors:
        it cannot be read); reading more than ``limit`` (default MAX_MEMBER_BYTES) raises
        TooLarge."""
        limit = MAX_MEMBER_BYTES if limit is None else limit
        real = self._names[name]
        if self._zip is not None:
            stream: IO[bytes] = self._zip.open(real)
        else:
            stream = open(real, "rb")  # noqa: SIM115 (the caller closes it)
        return io.BufferedReader(_Capped(stream, limit))

    def read_member(self, name: str, limit: int) -> bytes:
        with self.open_member(name, limit) as stream:
            return stream.read()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)
