"""What the process's imports cost: the source of each module that PySide6's import hook reads
is not kept in memory (desktop/app.py, _spare_memory)."""

from __future__ import annotations

import importlib
import linecache
import sys
from pathlib import Path
from typing import Any

import pytest


def _import(folder: Path, name: str, source: str) -> Any:
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    importlib.invalidate_caches()
    return __import__(name)  # an import statement's way in: through PySide6's hook


def test_modules_imported_after_pyside6_leave_no_source_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import PySide6.QtWidgets  # noqa: F401
    from shibokensupport import feature  # type: ignore[import-not-found]

    from desktop.app import _spare_memory

    monkeypatch.setattr(feature, "_mod_uses_pyside", feature._mod_uses_pyside)  # restored after

    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        linecache.clearcache()
        _import(tmp_path, "confab_probe_before", "ANSWER = 1\n" * 2000)
        # What PySide6 does on its own: every imported module's lines stay in linecache.
        assert str(tmp_path / "confab_probe_before.py") in linecache.cache
        _spare_memory()
        linecache.clearcache()
        plain = _import(tmp_path, "confab_probe_plain", "ANSWER = 2\n" * 2000)
        qt = _import(
            tmp_path,
            "confab_probe_qt",
            "from PySide6.QtWidgets import QLabel\n\nNAME = QLabel.__name__\n",
        )
        assert plain.ANSWER == 2 and qt.NAME == "QLabel"
        assert linecache.cache == {}
    finally:
        for name in ("confab_probe_before", "confab_probe_plain", "confab_probe_qt"):
            sys.modules.pop(name, None)
