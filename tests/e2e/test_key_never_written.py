"""A planted API key goes to the keyring and the server, and nowhere else: not to settings,
conversations, exports, logs or crash reports."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import keyring

from tests.conftest import write_settings
from tests.support.leaks import files_holding, log_and_crash_hook
from tests.support.openai_server import Reply

KEY = "sk-planted-7f3a9c1e5b2d4e6f8a0b"


def test_a_planted_key_is_found_only_in_the_keyring(
    start_app: Any,
    openai_server: Any,
    secret_service: Any,
    qtbot: Any,
    run_async: Any,
    tmp_path: Path,
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
    openai_server.api_key = KEY
    with log_and_crash_hook(data) as crash:
        app = start_app(data)
        app.settings.save_provider(app.settings.provider("locked"), KEY)
        app.settle_keyring()
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
        qtbot.waitUntil(lambda: not dialog.counting)
        assert run_async(dialog.export_to(data / "usage.csv"))  # an export
        dialog.close()
        logging.getLogger("confab.test").info("Authorization: Bearer %s", KEY)  # a log line
        crash(KEY)  # a crash report
        app.quit()

    assert openai_server.chat_requests()[0]["headers"]["authorization"] == f"Bearer {KEY}"
    written = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"settings.json", "confab.log", "usage.csv"}
    assert any(p.parent.name == "conversations" for p in written)
    assert files_holding(data, KEY) == []
    assert "Bearer ***" in (data / "logs" / "confab.log").read_text()
