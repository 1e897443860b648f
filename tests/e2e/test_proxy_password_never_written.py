"""A planted proxy password goes to the keyring and the proxy, and nowhere else: not to
settings, conversations, logs or crash reports (as tests/e2e/test_key_never_written.py does for
API keys)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import keyring

from tests.conftest import write_settings
from tests.support.leaks import files_holding, log_and_crash_hook
from tests.support.proxies import HttpProxy, Socks5Proxy

PASSWORD = "proxy-planted 4b8e2f0a"  # with a space: passwords are kept exactly as typed


def test_a_planted_proxy_password_is_found_only_in_the_keyring(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with (
        HttpProxy(credentials=("alice", PASSWORD)) as http_proxy,
        Socks5Proxy(credentials=("alice", PASSWORD)) as socks_proxy,
    ):
        providers = [
            {
                "id": name,
                "name": name,
                "base_url": openai_server.base_url,
                "default_model": "test-model",
                "network": {"proxy": "custom", "proxy_url": proxy.url, "proxy_user": "alice"},
            }
            for name, proxy in (("via-http", http_proxy), ("via-socks", socks_proxy))
        ]
        write_settings(data, providers)
        with log_and_crash_hook(data) as crash:
            app = start_app(data)
            for provider in app.settings.providers():
                app.settings.save_provider(provider, None, PASSWORD)
            app.settle_keyring()
            assert keyring.get_password("Confab", "via-http:proxy") == PASSWORD
            assert keyring.get_password("Confab", "via-socks:proxy") == PASSWORD

            app.type_and_send("through HTTP")
            app.wait_idle()
            app.window.provider_combo.setCurrentIndex(1)
            app.type_and_send("through SOCKS5")
            app.wait_idle()
            assert app.bubbles()[-1] == ("assistant", "echo[3]: through SOCKS5")
            assert app.conversations.current.provider == "via-socks"
            logging.getLogger("confab.test").warning("proxy login alice:%s", PASSWORD)
            crash(PASSWORD)
            app.quit()

    assert any(r["method"] == "POST" and r["authorized"] for r in http_proxy.requests)
    assert any(r["password"] == PASSWORD for r in socks_proxy.requests)
    written = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"settings.json", "confab.log"}
    assert files_holding(data, PASSWORD) == []
    assert "alice:***" in (data / "logs" / "confab.log").read_text()
