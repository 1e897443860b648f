"""One Confab per data folder: a second process must not write beside the first.

The lock is an OS file lock on ``.confab.lock`` in the data folder: taken in well under a
millisecond, released by the OS when the process ends however it ends (kill -9 included), and
it works the same on a synced or network folder as long as the OS supports locking there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

LOCK_NAME = ".confab.lock"


class DataFolderLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        """True if this process now owns the data folder; False if another Confab does."""
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the process's life
        try:
            if os.name == "nt":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file releases the lock
            self._handle = None


def server_name(data_dir: Path) -> str:
    """The local socket the running Confab listens on for "bring your window to the front" and
    "open the quick-ask window"."""
    import hashlib  # after the first paint: OpenSSL takes a few ms to load

    # Per user and folder: on Unix the socket lives in the shared /tmp, where another user's
    # Confab on a folder of the same path must not be the one reached.
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    key = f"{user}\n{data_dir.resolve()}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"confab-{digest}"
