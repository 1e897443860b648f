"""Reading the data folder's files, which are untrusted: a synced folder or another program
may put a FIFO, a device, a link to ``/dev/zero`` or a folder where a JSON file should be.

Only regular files are read, opened without blocking (a FIFO would wait forever for a
writer) and checked on the open descriptor (so a file swapped after a check is still caught),
up to a size far above any real conversation.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from desktop.core.errors import NotAFileError, StorageError

# A 2,000-message conversation is ~3 MB; ChatGPT's whole export of years is a few hundred.
MAX_FILE_BYTES = 512 * 1024 * 1024

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_regular_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises FileNotFoundError, NotAFileError or StorageError as ``read_regular_file_stat``."""
    return read_regular_file_stat(path, limit)[0]


def read_regular_file_stat(path: Path, limit: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, and the
    status of the file they were read from (its descriptor's, once read: a file renamed over
    ``path`` meanwhile does not change it).

    Raises FileNotFoundError when it does not exist, NotAFileError when it is anything but a
    regular file (or larger than ``limit``), StorageError when the system refuses to read it.
    """
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise
    except IsADirectoryError as exc:
        raise NotAFileError(f"{path.name} is a folder, not a file") from exc
    except OSError as exc:
        raise StorageError(f"{path.name}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFileError(f"{path.name} is {_kind(info.st_mode)}, not a file")
        if info.st_size > limit:
            raise NotAFileError(
                f"{path.name} is {info.st_size:,} bytes, more than {limit:,}: not read"
            )
        chunks = []
        left = limit + 1  # a file growing while it is read still stops at the limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise NotAFileError(f"{path.name} grew past {limit:,} bytes while read")
        return b"".join(chunks), os.fstat(fd)
    except OSError as exc:
        raise StorageError(f"{path.name}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
