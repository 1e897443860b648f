"""Where Confab keeps its data: --data-dir, else $CONFAB_DATA_DIR, else the OS's user data dir."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from desktop.core.errors import StorageError

ENV_DATA_DIR = "CONFAB_DATA_DIR"


def resolve_data_dir(cli_value: str | None, environ: Mapping[str, str] = os.environ) -> Path:
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    if environ.get(ENV_DATA_DIR):
        return Path(environ[ENV_DATA_DIR]).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("Confab", appauthor=False))


def prepare_data_dir(path: Path) -> Path:
    """Create the folder (private to the user on POSIX) and its conversations sub-folder.
    (``logs`` is made by logging, which goes on without a log when it cannot: a file named
    ``logs`` must not keep Confab from starting.)"""
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            path.chmod(0o700)
        (path / "conversations").mkdir(exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{path}: {exc.strerror or exc}") from exc
    return path
