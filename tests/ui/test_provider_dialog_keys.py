"""Key entry in Settings → Providers: a key pasted with quotes, spaces, zero-width characters or
"Bearer " is saved as the key; one that cannot be sent in a header is refused, in words, and
neither saved nor sent."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import write_settings

KEY = "sk-proj-Xq7_a-3Fz9"


@pytest.fixture(autouse=True)
def _no_stored_key(secret_service: Any) -> Iterator[None]:
    """The session's keyring holds no key of this file's provider, before or after."""

    def forget() -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password("Confab", "keyed")

    forget()
    yield
    forget()


def _provider(openai_server: Any) -> dict[str, Any]:
    return {
        "id": "keyed",
        "name": "Keyed",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }


def _paste(qtbot: Any, dialog: Any, text: str) -> None:
    """As the user pastes: through the clipboard into the focused key field."""
    QApplication.clipboard().setText(text)
    dialog.key_edit.setFocus()
    dialog.key_edit.clear()
    dialog.key_edit.paste()


@pytest.mark.parametrize(
    "pasted",
    [
        f"“{KEY}”",
        f"«{KEY}»",
        f"‘{KEY}’",
        f"  {KEY}\u00a0\u200b",
        f"\u2060{KEY[:7]}\u200b{KEY[7:]}\u3000\ufeff",
        f"Bearer {KEY}",
        f"“Bearer {KEY}”",
        "ｓｋ－ｐｒｏｊ－Ｘｑ７＿ａ－３Ｆｚ９",
    ],
)
def test_a_pasted_key_is_saved_and_sent_without_its_wrapping(
    start_app: Any,
    openai_server: Any,
    secret_service: Any,
    qtbot: Any,
    tmp_path: Path,
    pasted: str,
) -> None:
    write_settings(tmp_path / "data", [_provider(openai_server)])
    openai_server.api_key = KEY  # anything but the exact key is a 401
    app = start_app()
    dialog = app.window.open_providers()
    _paste(qtbot, dialog, pasted)
    assert dialog.key_edit.text() == pasted  # the field shows what was pasted, until saved

    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled())
    assert "Connected" in dialog.status.text()  # the server takes nothing but the exact key
    sent = [r["headers"].get("authorization") for r in openai_server.requests]
    assert f"Bearer {KEY}" in sent
    assert set(sent) <= {f"Bearer {KEY}", None}  # the window's own requests go without one

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Saved."
    app.settle_keyring()
    assert keyring.get_password("Confab", "keyed") == KEY
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    app.type_and_send("hello")
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "echo[1]: hello")
    assert openai_server.chat_requests()[-1]["headers"]["authorization"] == f"Bearer {KEY}"
    app.settings.wait_for_writes()  # settings.json is written in its thread
    assert KEY not in (app.data_dir / "settings.json").read_text()


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("“sk-proj-clé-4e1a”", "character 11 is “é” (U+00E9)"),
        ("sk-ключ-4e1a9b", "character 4 is “к” (U+043A)"),
        ("Bearer sk-proj–4e1a9b", "character 8 is “–” (U+2013)"),  # an en dash for "-"
        ("sk-proj-\x1b[4e1a", "character 9 is an invisible control character (U+001B)"),
    ],
)
def test_a_key_that_cannot_be_a_header_is_refused_in_words(
    start_app: Any,
    openai_server: Any,
    secret_service: Any,
    qtbot: Any,
    tmp_path: Path,
    pasted: str,
    said: str,
) -> None:
    write_settings(tmp_path / "data", [_provider(openai_server)])
    app = start_app()
    dialog = app.window.open_providers()
    dialog.tabs.setCurrentWidget(dialog.network_page)
    _paste(qtbot, dialog, pasted)
    before = len(openai_server.requests)

    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert said in dialog.status.text()
    assert "ASCII" in dialog.status.text()
    assert dialog.test_button.isEnabled()  # nothing was started
    assert len(openai_server.requests) == before  # nor sent

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert said in dialog.status.text()
    assert dialog.tabs.currentIndex() == 0  # where the key is
    assert dialog.key_edit.text() == pasted  # kept, to be mended or pasted again
    app.settle_keyring()
    assert keyring.get_password("Confab", "keyed") is None

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # not closed over a key that was not saved

    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, KEY)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    app.settle_keyring()
    assert keyring.get_password("Confab", "keyed") == KEY
