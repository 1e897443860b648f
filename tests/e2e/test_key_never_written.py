"""A planted API key goes to the keyring and the server, and nowhere else: not to settings,
conversations, exports, logs or crash reports."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import keyring

from desktop import app as app_module
from desktop.core.logs import setup_logging
from tests.conftest import write_settings
from tests.support.openai_server import Reply

KEY = "sk-planted-7f3a9c1e5b2d4e6f8a0b"


def test_a_planted_key_is_found_only_in_the_keyring(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(
        data,
        [
            {
                "id": "locked",
                "name": "Locked",
                "base_url": openai_server.base_url,
                "default_model": "gpt-4o-mini",
            }
        ],
    )
    setup_logging(data)
    logging.getLogger("confab.test").setLevel(logging.DEBUG)
    openai_server.api_key = KEY
    previous_hook = sys.excepthook
    try:
        app = start_app(data)
        app.settings.save_provider(app.settings.provider("locked"), KEY)
        assert keyring.get_password("Confab", "locked") == KEY

        app.type_and_send("hello")  # a normal reply
        app.wait_idle()
        openai_server.enqueue(
            Reply(status=401, body=f'{{"error": {{"message": "bad key {KEY}"}}}}')
        )
        app.type_and_send("again")  # an error whose text echoes the key
        app.wait_idle()
        assert KEY not in app.window.banner.detail.text()
        dialog = app.window.open_usage()
        assert dialog.export_to(data / "usage.csv")  # an export
        dialog.close()
        logging.getLogger("confab.test").info("Authorization: Bearer %s", KEY)  # a log line
        app_module.install_crash_hook()  # a crash report
        try:
            raise RuntimeError(f"boom with {KEY}")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        app.quit()
    finally:
        sys.excepthook = previous_hook
        for box in app_module._open_dialogs:
            if hasattr(box, "close"):
                box.close()
        app_module._open_dialogs.clear()
        root = logging.getLogger("confab")
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()

    assert openai_server.chat_requests()[0]["headers"]["authorization"] == f"Bearer {KEY}"
    written = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"settings.json", "confab.log", "usage.csv"}
    assert any(p.parent.name == "conversations" for p in written)
    for path in written:
        assert KEY.encode() not in path.read_bytes(), path
    assert "Bearer ***" in (data / "logs" / "confab.log").read_text()
