"""Shared fixtures: offscreen Qt, a qasync loop for pytest-qt, the loopback OpenAI server,
and (through tests.support.secret_service) a private Secret Service for every key."""

from __future__ import annotations

import asyncio
import gc
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests must not depend on the developer's language.
os.environ["CONFAB_LANG"] = "en"

pytest_plugins = [
    "tests.support.secret_service",
    "tests.support.written_files",
    "tests.support.xvfb",
]

# Cycles are collected on the main thread only, between tests, as the app collects them on its
# UI thread (desktop/controllers/collector.py): the loopback servers and the writer are threads
# of their own, and a collection they happened to run could destroy a Qt object there.
gc.disable()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(scope="session")
def _qasync_loop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    yield loop
    asyncio.events._set_running_loop(loop)
    loop.stop()
    asyncio.events._set_running_loop(None)
    loop.close()


@pytest.fixture
def qloop(_qasync_loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:
    """The qasync loop, running for this test only (core tests use asyncio.run meanwhile)."""
    asyncio.events._set_running_loop(_qasync_loop)
    try:
        yield _qasync_loop
    finally:
        asyncio.events._set_running_loop(None)


@pytest.fixture
def run_async(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """Run a coroutine on the Qt loop and wait for it, processing Qt events meanwhile."""

    def run(coro: Any, timeout: int = 10_000) -> Any:
        task = asyncio.ensure_future(coro)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run


@pytest.fixture
def inline_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every text handed to markdown-it's inline parser (core/markdown.py)."""
    from desktop.core import markdown

    seen: list[int] = []
    inline = markdown._PARSER.inline
    real = inline.parse

    def spy(src: str, *args: Any) -> Any:
        seen.append(len(src))
        return real(src, *args)

    monkeypatch.setattr(inline, "parse", spy)
    return seen


@pytest.fixture
def openai_server() -> Iterator[Any]:
    from tests.support.openai_server import OpenAIServer

    server = OpenAIServer(models=["test-model", "other-model"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def slow_server() -> Iterator[Any]:
    """A second loopback server (a second provider: Compare), its model "gpt-4o"."""
    from tests.support.openai_server import OpenAIServer

    server = OpenAIServer(models=["gpt-4o"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def write_settings(data_dir: Path, providers: list[dict[str, Any]], **extra: Any) -> None:
    """A settings.json as the user would have it. Generated titles are off unless asked for:
    their extra request would interleave with what a test expects the server to see."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "format": "confab.settings",
        "version": 1,
        "providers": providers,
        "default_provider": providers[0]["id"] if providers else None,
        "auto_title": False,
        **extra,
    }
    (data_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")


class RunningApp:
    """The real main window on a data folder, wired exactly as app.py wires it."""

    def __init__(
        self,
        data_dir: Path,
        qtbot: Any,
        run_async: Callable[..., Any],
        *,
        dark: bool = False,
        key_store: object | None = None,
    ) -> None:
        from desktop.app import build

        self.data_dir = data_dir
        self._qtbot = qtbot
        self._run_async = run_async
        self.parts = build(data_dir, key_store, dark=dark)
        self.window = self.parts.window
        self.conversations = self.parts.conversations
        self.chat = self.parts.chat
        self.settings = self.parts.settings
        self.closed = False
        self.conversations.load()
        # The list from the index and its reconcile with the folder (threads of their own),
        # before the window starts, as a warm start has them at once.
        self.conversations.wait_for_index()
        self.window.show()
        qtbot.waitExposed(self.window)
        self.window.start()

    def open(self, conversation_id: str) -> Any:
        """Open a conversation as a click in the list does, and wait until it is on screen."""
        self.conversations.select(conversation_id)
        self._qtbot.waitUntil(
            lambda: (
                self.conversations.current is not None
                and self.conversations.current.id == conversation_id
            )
        )
        return self.conversations.current

    def loaded(self, conversation_id: str) -> Any:
        """A conversation read in full without showing it (as a reply elsewhere needs it)."""
        return self._run_async(self.conversations.opened(conversation_id))

    def type_and_send(self, text: str) -> None:
        from PySide6.QtCore import Qt

        edit = self.window.composer.edit
        edit.setFocus()
        self._qtbot.keyClicks(edit, text)
        self._qtbot.keyClick(edit, Qt.Key.Key_Return)

    def wait_idle(self, timeout: int = 10_000) -> None:
        current = self.conversations.current
        self._qtbot.waitUntil(
            lambda: current is not None and not self.chat.is_streaming(current.id),
            timeout=timeout,
        )

    def bubbles(self) -> list[tuple[str, str]]:
        # An opened conversation builds its older messages a few per turn of the loop.
        self._qtbot.waitUntil(lambda: not self.window.chat_view.building)
        self.window.chat_view.flush()
        return [(w.role, w.content) for w in self.window.chat_view.message_widgets()]

    def settle_keyring(self) -> None:
        """Until the keyring calls asked for so far have ended (they run in their own
        thread)."""
        self._run_async(self.settings.keyring_settled())

    def conversation_files(self) -> list[dict[str, Any]]:
        """Every conversation file, once the writes asked for so far have ended (they run in
        the writer thread)."""
        self.conversations.wait_for_writes()
        folder = self.data_dir / "conversations"
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]

    def quit(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.window.close()  # as the user does: emits close_requested
        self._run_async(self.parts.shutdown())
        self.window.allow_close()
        self.window.close()
        self.window.deleteLater()


@pytest.fixture
def start_app(
    qtbot: Any, run_async: Callable[..., Any], tmp_path: Path
) -> Iterator[Callable[..., RunningApp]]:
    apps: list[RunningApp] = []

    def start(
        data_dir: Path | None = None, *, dark: bool = False, key_store: object | None = None
    ) -> RunningApp:
        app = RunningApp(
            data_dir or tmp_path / "data", qtbot, run_async, dark=dark, key_store=key_store
        )
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.quit()


@pytest.fixture
def apply_app_theme(qapp: Any) -> Iterator[Callable[[bool], None]]:
    """Style the application as Confab does (style sheet, palette); undone after the test."""
    from desktop.app import resources_dir
    from desktop.ui.theme import apply_theme

    style, palette = qapp.style().name(), qapp.palette()

    def apply(dark: bool) -> None:
        apply_theme(qapp, resources_dir(), dark)

    yield apply
    qapp.setStyleSheet("")
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.fixture
def server_provider(openai_server: Any) -> dict[str, Any]:
    return {
        "id": "local",
        "name": "Loopback",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }


@pytest.fixture
def start_chat_app(
    start_app: Callable[..., RunningApp], server_provider: dict[str, Any], tmp_path: Path
) -> Callable[..., RunningApp]:
    """The window with one provider, the loopback server, already set up."""

    def start(model: str = "test-model", **settings: Any) -> RunningApp:
        write_settings(tmp_path / "data", [{**server_provider, "default_model": model}], **settings)
        return start_app()

    return start
