"""A server (or proxy) that echoes the credentials it was sent, in any encoding, cut short or
split over lines, gets them shown nowhere: not in the banner, the conversation file's ``error``,
the log or a crash report (as tests/e2e/test_key_never_written.py does for the key as sent)."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import keyring

from tests.conftest import RunningApp, write_settings
from tests.support.leaks import log_and_crash_hook
from tests.support.openai_server import ECHOES
from tests.support.secret_forms import leaks

# Stored by an earlier Confab, before keys were checked on entry: sent as UTF-8, read back by
# the server as Latin-1 ("ÐºÐ»ÑŽÑ‡").
KEY = "sk-planted-ключ-9d2c4b7e1f3a5c8e0b6d"
PASSWORD = "pw-ech0 5e"  # short: its own base64 pieces are too few to mask by themselves
LOGIN = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()


def _banner(app: RunningApp) -> str:
    banner = app.window.banner
    assert banner.isVisible()
    return banner.text.text() + "\n" + banner.detail.text()


def _scan(data: Path, secret: str, also: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Each file of the data folder that holds a form of ``secret``, with the forms found."""
    found = {}
    for path in sorted(data.rglob("*")):
        if path.is_file():
            hits = leaks(path.read_bytes().decode("utf-8", "replace"), secret, also)
            if hits:
                found[str(path.relative_to(data))] = hits
    return found


def test_a_key_echoed_in_any_encoding_is_found_only_in_the_keyring(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(
        data,
        [
            {
                "id": "echoing",
                "name": "Echoing",
                "base_url": openai_server.base_url,
                "default_model": "test-model",
            }
        ],
    )
    keyring.set_password("Confab", "echoing", KEY)
    header = f"Bearer {KEY}".encode()
    try:
        with log_and_crash_hook(data) as crash:
            app = start_app(data)
            for name in ECHOES:
                openai_server.echo_credentials = name
                app.type_and_send(f"try {name}")
                app.wait_idle()
                shown = _banner(app)
                assert "rejected the API key" in shown, name
                assert leaks(shown, KEY) == [], (name, shown)
            # What a careless log line or a crash would carry: the server's whole answer.
            log = logging.getLogger("confab.client")
            for name, echo in ECHOES.items():
                log.warning("the server answered (%s): %s", name, echo(header))
            crash(ECHOES["latin-1, json escapes"](header))
            app.quit()
    finally:
        keyring.delete_password("Confab", "echoing")

    # It was sent, as UTF-8, and came back as the server read it.
    received = openai_server.chat_requests()[0]["headers"]["authorization"]
    assert received == header.decode("latin-1") != header.decode()
    (conversation,) = app.conversation_files()
    errors = [m["error"] for m in conversation["messages"] if m["role"] == "assistant"]
    assert len(errors) == len(ECHOES)
    assert all(e.startswith("AuthenticationError: ") and "***" in e for e in errors), errors
    assert _scan(data, KEY) == {}
    log_text = (data / "logs" / "confab.log").read_text(encoding="utf-8")
    assert log_text.count("the server answered") == len(ECHOES)
    assert "Incorrect API key provided" in log_text  # the rest of the server's words stay


def test_a_proxy_login_echoed_in_any_encoding_is_found_only_in_the_keyring(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(
        data,
        [
            {
                "id": "proxied",
                "name": "Proxied",
                "base_url": openai_server.base_url,
                "default_model": "test-model",
                # The loopback server is the proxy too: it answers 407 with what it was sent.
                "network": {
                    "proxy": "custom",
                    "proxy_url": openai_server.url,
                    "proxy_user": "alice",
                },
            }
        ],
    )
    try:
        with log_and_crash_hook(data) as crash:
            app = start_app(data)
            app.settings.save_provider(app.settings.provider("proxied"), None, PASSWORD)
            for name in ECHOES:
                openai_server.echo_credentials = name
                app.type_and_send(f"try {name}")
                app.wait_idle()
                shown = _banner(app)
                assert "proxy refused" in shown, name
                assert leaks(shown, PASSWORD) == [], (name, shown)
                assert leaks(shown, LOGIN) == [], (name, shown)
            header = f"Basic {LOGIN}".encode()
            log = logging.getLogger("confab.client")
            for name, echo in ECHOES.items():
                log.warning("the proxy answered (%s): %s", name, echo(header))
            crash(json.dumps({"auth": LOGIN}))
            app.quit()
    finally:
        keyring.delete_password("Confab", "proxied:proxy")

    # Sent to the proxy (absolute-form request) with the login, and echoed back.
    (first, *_) = [r for r in openai_server.requests if r["method"] == "POST"]
    assert first["path"] == f"{openai_server.base_url}/chat/completions"
    assert first["headers"]["proxy-authorization"] == f"Basic {LOGIN}"
    (conversation,) = app.conversation_files()
    errors = [m["error"] for m in conversation["messages"] if m["role"] == "assistant"]
    assert all(e.startswith("ProxyAuthError: 407") and "***" in e for e in errors), errors
    assert _scan(data, PASSWORD) == {}
    assert _scan(data, LOGIN) == {}
