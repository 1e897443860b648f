"""settings.json is written in a thread of its own: a change returns at once, the file follows,
and a failed write reaches the user on the UI thread."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from desktop.controllers.settings import SettingsController
from desktop.core.atomic import write_bytes_atomic
from desktop.core.errors import WriteFailedError
from desktop.core.secrets import KeyStore
from desktop.core.settings import SettingsStore
from tests.support.keys import MemoryBackend


def _controller(folder: Path) -> SettingsController:
    return SettingsController(SettingsStore(folder), KeyStore(MemoryBackend()))


def test_a_change_returns_before_its_write_and_the_file_follows(
    tmp_path: Path, run_async: Any
) -> None:
    settings = _controller(tmp_path)
    release = threading.Event()
    writers: list[str] = []
    released: list[bool] = []

    def held(path: Path, data: Any) -> None:
        writers.append(threading.current_thread().name)
        # A write on the UI thread would wait here in vain (until the 10 s are up).
        released.append(release.wait(10))
        write_bytes_atomic(path, data)

    settings._writer.write = held

    async def change() -> None:  # as the window does, on the running loop
        settings.set_window_state({"width": 900})
        settings.set_window_state({"width": 1000})  # while the first is still being written
        release.set()  # both calls returned while the first write waits

    run_async(change())
    settings.wait_for_writes()
    saved = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert saved["window"] == {"width": 1000}  # the last change wins
    assert writers and threading.main_thread().name not in writers
    assert all(released)


def test_a_failed_write_is_reported_on_the_ui_thread(
    tmp_path: Path, qtbot: Any, run_async: Any
) -> None:
    settings = _controller(tmp_path)

    def denied(path: Path, data: Any) -> None:
        raise WriteFailedError(f"{path.name}: No space left on device")

    settings._writer.write = denied
    heard: list[tuple[object, str]] = []
    settings.save_failed.connect(lambda exc: heard.append((exc, threading.current_thread().name)))

    async def change() -> None:
        settings.set_window_state({"width": 800})

    run_async(change())
    qtbot.waitUntil(lambda: bool(heard))
    ((error, thread),) = heard
    assert isinstance(error, WriteFailedError) and "No space left" in error.detail
    assert thread == threading.main_thread().name
    assert settings.window_state() == {"width": 800}  # kept in memory
