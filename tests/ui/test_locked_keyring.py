"""A locked keyring asks the user for a password and waits: the window must go on meanwhile,
and the reply leaves once the keyring answers. (The backend stands in for the unlock prompt:
its answer waits until the test lets it go, as the real one waits for the user.)"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tests.conftest import write_settings
from tests.support.keys import MemoryBackend

KEY = "sk-behind-a-locked-keyring"


class LockedBackend(MemoryBackend):
    """Every read waits for ``unlock`` (at most 10 s, so that a frozen window fails the test
    instead of hanging it)."""

    def __init__(self) -> None:
        super().__init__()
        self.unlock = threading.Event()
        self.waiting = threading.Event()
        self.threads: set[str] = set()

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.add(threading.current_thread().name)
        self.waiting.set()
        self.unlock.wait(10)
        self.waiting.clear()
        return super().get_password(service, username)


def test_the_window_goes_on_while_a_locked_keyring_waits_for_its_password(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    from desktop.core.secrets import KeyStore

    backend = LockedBackend()
    backend.items[("Confab", "remote")] = KEY
    openai_server.api_key = KEY
    # A provider that needs a key (not on this computer by name): its key is read at the send.
    write_settings(
        tmp_path / "data",
        [{"id": "remote", "name": "Remote", "base_url": openai_server.base_url,
          "default_model": "test-model"}],
    )  # fmt: skip
    app = start_app(key_store=KeyStore(backend))
    app.type_and_send("first question")
    qtbot.waitUntil(backend.waiting.is_set, timeout=5000)  # the keyring is asking

    # Meanwhile the window answers: what the user types shows at once.
    edit = app.window.composer.edit
    qtbot.keyClicks(edit, "typed while the keyring asks")
    assert edit.toPlainText() == "typed while the keyring asks"
    assert backend.waiting.is_set()  # still asking: none of this waited for it
    assert openai_server.chat_requests() == []  # and nothing left without its key

    backend.unlock.set()
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "echo[1]: first question")
    (request,) = openai_server.chat_requests()
    assert request["headers"]["authorization"] == f"Bearer {KEY}"
    assert threading.main_thread().name not in backend.threads
