"""Atomic file replacement: a reader (or a crash) sees the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from desktop.core.errors import WriteFailedError

# Puts the written temporary file (first) in place of the file (second); the third argument
# is the temporary file's status once written and fsynced, which the renamed file keeps.
Replace = Callable[[Path, Path, os.stat_result], None]


def _replace(tmp: Path, path: Path, _written: os.stat_result) -> None:
    os.replace(tmp, path)


def shared_mode() -> int:
    """The mode a file the user makes to take elsewhere gets (an export): 0o666 less the
    process's umask, as any program's new file. (The data folder's own files keep mkstemp's
    0o600: they are the user's alone.) Read from /proc where it is there, since setting the
    umask to read it would change it for every thread for a moment; 0o644 elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o644


def temporary_beside(path: Path, mode: int | None = None) -> tuple[int, Path]:
    """A new hidden temporary file beside ``path`` (its folder made if missing), open for
    writing, with ``mode`` (None: only the user may read it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    if mode is not None and hasattr(os, "fchmod"):
        try:
            os.fchmod(fd, mode)
        except OSError:
            os.close(fd)
            os.unlink(name)
            raise
    return fd, Path(name)


def write_bytes_atomic(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    replace: Replace = _replace,
    mode: int | None = None,
) -> None:
    """Write ``data`` (bytes, or pieces of them written one after the other) to a temporary
    file beside ``path``, fsync it, then replace ``path`` (by ``replace``: a caller that must
    look at the file it replaces first, see storage.py). ``mode``: the file's (None: only the
    user may read it; ``shared_mode()`` for an export)."""
    try:
        fd, tmp = temporary_beside(path, mode)
    except OSError as exc:  # read-only folder, disk full, permission denied
        raise WriteFailedError(f"{path.name}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                for piece in data:
                    handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
            written = os.fstat(handle.fileno())
        replace(tmp, path, written)
    except BaseException as exc:
        # Also on KeyboardInterrupt and the like: never leave a stray temporary file behind.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WriteFailedError(f"{path.name}: {exc.strerror or exc}") from exc
        raise
    _fsync_dir(path.parent)


def json_bytes(data: Any) -> bytes:
    """``data`` as the JSON Confab writes (indent 1, UTF-8)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate somewhere: as \\u escapes it is still valid JSON and reads back the
        # same, where UTF-8 would refuse to write it at all.
        return json.dumps(data, ensure_ascii=True, indent=1).encode("ascii")


def write_json_atomic(path: Path, data: Any) -> None:
    write_bytes_atomic(path, json_bytes(data))


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open directories.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
