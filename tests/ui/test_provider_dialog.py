"""Settings → Providers in the real window: presets, a custom server, keys in the keyring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from tests.conftest import write_settings


def _button(dialog: Any, text: str) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


def test_first_start_adds_a_custom_server_with_a_key_and_chats(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    openai_server.api_key = "sk-secret-abc123"
    app = start_app()
    qtbot.waitUntil(
        lambda: app.window.provider_dialog is not None and app.window.provider_dialog.isVisible()
    )
    dialog = app.window.provider_dialog
    qtbot.mouseClick(_button(dialog, "Other OpenAI-compatible server…"), Qt.MouseButton.LeftButton)
    assert dialog.form_widget.isVisible()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "My server")
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, openai_server.base_url)
    qtbot.keyClicks(dialog.key_edit, "sk-secret-abc123")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Connected" in dialog.status.text())
    assert "The server offers 2 models." in dialog.status.text()
    assert [dialog.model_combo.itemText(i) for i in range(dialog.model_combo.count())] == [
        "other-model",
        "test-model",
    ]
    dialog.model_combo.setEditText("test-model")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    app.settings.wait_for_writes()  # settings.json is written in its thread
    settings_text = (app.data_dir / "settings.json").read_text()
    assert "sk-secret-abc123" not in settings_text
    (provider,) = json.loads(settings_text)["providers"]
    assert provider["name"] == "My server" and provider["base_url"] == openai_server.base_url
    assert provider["default_model"] == "test-model"
    # The key is in the OS keyring (the private Secret Service), under service "Confab".
    app.settle_keyring()
    assert keyring.get_password("Confab", provider["id"]) == "sk-secret-abc123"

    app.type_and_send("Hello with a key")
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "echo[1]: Hello with a key")
    assert openai_server.chat_requests()[-1]["headers"]["authorization"] == (
        "Bearer sk-secret-abc123"
    )


def test_presets_fill_in_the_known_servers(start_app: Any, qtbot: Any) -> None:
    app = start_app()
    qtbot.waitUntil(lambda: app.window.provider_dialog is not None)
    dialog = app.window.provider_dialog
    expected = {
        "OpenAI": "https://api.openai.com/v1",
        "DeepSeek": "https://api.deepseek.com/v1",
        "OpenRouter": "https://openrouter.ai/api/v1",
        "Ollama (on this computer)": "http://localhost:11434/v1",
        "LM Studio (on this computer)": "http://localhost:1234/v1",
    }
    for label, url in expected.items():
        if dialog.empty_hint.isVisible():
            qtbot.mouseClick(_button(dialog, label), Qt.MouseButton.LeftButton)
        else:
            action = next(
                a
                for a in dialog.add_menu.actions()
                if a.text().replace("(local)", "(on this computer)") == label
            )
            action.trigger()
        assert dialog.url_edit.text() == url
    assert [p.base_url for p in app.settings.providers()] == list(expected.values())
    assert app.window.provider_combo.count() == 5


def test_a_local_server_needs_no_key_and_removing_a_provider_forgets_its_key(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(
        tmp_path / "data",
        [
            {
                "id": "local",
                "name": "Loopback",
                "base_url": openai_server.base_url,
                "default_model": "test-model",
            }
        ],
    )
    app = start_app()
    app.type_and_send("no key")
    app.wait_idle()
    assert "authorization" not in openai_server.chat_requests()[-1]["headers"]

    dialog = app.window.open_providers()
    qtbot.keyClicks(dialog.key_edit, "sk-to-forget")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    app.settle_keyring()
    assert keyring.get_password("Confab", "local") == "sk-to-forget"
    qtbot.waitUntil(lambda: dialog.forget_key_button.isVisible())
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert app.settings.providers() == []
    app.settle_keyring()
    assert keyring.get_password("Confab", "local") is None


def test_a_bad_base_url_is_refused_with_a_message(start_app: Any, qtbot: Any) -> None:
    app = start_app()
    qtbot.waitUntil(lambda: app.window.provider_dialog is not None)
    dialog = app.window.provider_dialog
    qtbot.mouseClick(_button(dialog, "Other OpenAI-compatible server…"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.url_edit, "localhost:8080")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "must start with http" in dialog.status.text()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # not closed over an invalid form


def test_without_a_keyring_the_key_lives_in_memory_and_the_user_is_told(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from desktop.core.errors import KeyringUnavailableError
    from desktop.core.secrets import _KeyringModule

    def unavailable(self: Any, *args: Any) -> None:
        raise KeyringUnavailableError("org.freedesktop.secrets was not provided by any file")

    monkeypatch.setattr(_KeyringModule, "_call", unavailable)
    openai_server.api_key = "sk-memory-only-1"
    write_settings(
        tmp_path / "data",
        [
            {
                "id": "local",
                "name": "Loopback",
                "base_url": openai_server.base_url,
                "default_model": "test-model",
            }
        ],
    )
    app = start_app()
    dialog = app.window.open_providers()
    qtbot.keyClicks(dialog.key_edit, "sk-memory-only-1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    app.settle_keyring()  # keyring calls run in their own thread
    qtbot.waitUntil(lambda: "memory" in dialog.key_note.text())
    qtbot.waitUntil(lambda: app.window.banner.isVisible())
    assert "keyring" in app.window.banner.text.text()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    app.type_and_send("works anyway")
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "echo[1]: works anyway")
    for path in app.data_dir.rglob("*"):
        if path.is_file():
            assert b"sk-memory-only-1" not in path.read_bytes(), path


def test_an_invalid_form_is_not_thrown_away_by_add_or_switching(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(
        tmp_path / "data",
        [
            {"id": "a", "name": "A", "base_url": "http://127.0.0.1:1/v1", "default_model": "m"},
            {"id": "b", "name": "B", "base_url": "http://127.0.0.1:2/v1", "default_model": "m"},
        ],
    )
    app = start_app()
    dialog = app.window.open_providers()
    assert dialog.list.currentItem().text() == "A"
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "no-scheme.example")
    dialog.add_menu.actions()[-1].trigger()  # Add → Other OpenAI-compatible server…
    assert dialog.url_edit.text() == "no-scheme.example"
    assert "must start with http" in dialog.status.text()
    dialog.list.setCurrentRow(1)
    assert dialog.list.currentItem().text() == "A"  # stays until the form is fixed
    assert dialog.url_edit.text() == "no-scheme.example"
    assert len(app.settings.providers()) == 2


# ---- the Network tab: proxy, CA bundle, TLS verification, timeouts ---------------------------


def _loopback_provider(openai_server: Any, **network: Any) -> dict[str, Any]:
    provider = {
        "id": "local",
        "name": "Loopback",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }
    if network:
        provider["network"] = network
    return provider


def test_a_custom_proxy_round_trips_and_its_password_stays_in_the_keyring(
    start_app: Any, openai_server: Any, secret_service: Any, qtbot: Any, tmp_path: Path
) -> None:
    from tests.support.proxies import HttpProxy

    password = "pw-planted-5e1d7c"
    write_settings(tmp_path / "data", [_loopback_provider(openai_server)])
    with HttpProxy(credentials=("alice", password)) as proxy:
        app = start_app()
        app.type_and_send("direct")  # the provider's client is made and kept
        app.wait_idle()
        assert proxy.requests == []

        dialog = app.window.open_providers()
        dialog.tabs.setCurrentWidget(dialog.network_page)
        assert dialog.proxy_combo.currentText() == "System proxy"
        assert not dialog.proxy_url_edit.isEnabled()
        dialog.proxy_combo.setCurrentIndex(dialog.proxy_combo.findText("Custom proxy"))
        assert dialog.proxy_url_edit.isEnabled()
        # Pasted with the login in it, as proxy addresses often are.
        qtbot.keyClicks(
            dialog.proxy_url_edit, proxy.url.replace("http://", f"http://alice:{password}@")
        )
        dialog.timeout_spins["first_byte"].setValue(300)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.status.text() == "Saved."
        assert dialog.proxy_url_edit.text() == proxy.url  # the password left the address
        assert dialog.proxy_user_edit.text() == "alice"
        assert dialog.proxy_password_edit.text() == ""
        qtbot.waitUntil(lambda: "keyring" in dialog.proxy_password_edit.placeholderText())
        app.settle_keyring()
        assert keyring.get_password("Confab", "local:proxy") == password
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

        app.type_and_send("through the proxy")  # the changed settings take effect at once
        app.wait_idle()
        assert app.bubbles()[-1] == ("assistant", "echo[3]: through the proxy")
        assert [(r["method"], r["user"], r["password"]) for r in proxy.requests] == [
            ("POST", "alice", password)
        ]
        app.quit()

        written = [p for p in app.data_dir.rglob("*") if p.is_file()]
        for path in written:
            assert password.encode() not in path.read_bytes(), path
        app.settings.wait_for_writes()  # settings.json is written in its thread
        (saved,) = json.loads((app.data_dir / "settings.json").read_text())["providers"]
        assert saved["network"] == {
            "proxy": "custom",
            "proxy_url": proxy.url,
            "proxy_user": "alice",
            "timeouts": {"first_byte": 300},
        }

        again = start_app(app.data_dir)  # a new start shows what was saved
        dialog = again.window.open_providers()
        assert dialog.proxy_combo.currentText() == "Custom proxy"
        assert dialog.proxy_url_edit.text() == proxy.url
        assert dialog.proxy_user_edit.text() == "alice"
        qtbot.waitUntil(lambda: "keyring" in dialog.proxy_password_edit.placeholderText())
        assert dialog.timeout_spins["first_byte"].value() == 300
        assert dialog.timeout_spins["silence"].value() == 60
        again.type_and_send("after a restart")
        again.wait_idle()
        assert again.bubbles()[-1][1].endswith("after a restart")
        assert len(proxy.requests) == 2

        dialog = again.window.open_providers()
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        again.settle_keyring()
        assert keyring.get_password("Confab", "local:proxy") is None


def test_bad_network_settings_are_refused_with_a_message_and_kept(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [_loopback_provider(openai_server)])
    app = start_app()
    dialog = app.window.open_providers()
    dialog.proxy_combo.setCurrentIndex(dialog.proxy_combo.findText("Custom proxy"))
    qtbot.keyClicks(dialog.proxy_url_edit, "proxy.example.com:3128")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "must start with http://, https://, socks5://" in dialog.status.text()
    assert dialog.tabs.currentWidget() is dialog.network_page
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # not closed over an invalid form
    assert dialog.proxy_url_edit.text() == "proxy.example.com:3128"

    dialog.proxy_url_edit.setText("socks5://127.0.0.1")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)  # testing checks it too
    assert "needs a port number" in dialog.status.text()
    dialog.proxy_url_edit.setText("socks5://127.0.0.1:1080")

    missing = tmp_path / "no-such-ca.pem"
    qtbot.keyClicks(dialog.ca_edit, str(missing))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == f"The CA bundle file does not exist: {missing}"
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate")
    dialog.ca_edit.setText(str(not_pem))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "is not a PEM certificate file" in dialog.status.text()
    assert app.settings.provider("local").network.proxy == "system"  # nothing half-saved

    dialog.ca_edit.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Saved."
    network = app.settings.provider("local").network
    assert (network.proxy, network.proxy_url) == ("custom", "socks5://127.0.0.1:1080")


def test_a_self_signed_server_needs_its_ca_bundle_or_a_warned_opt_out(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    from tests.support.certs import make_certificates
    from tests.support.proxies import TlsFront

    certs = make_certificates(tmp_path / "certs")
    with TlsFront(openai_server.port, str(certs.cert_file), str(certs.key_file)) as front:
        write_settings(
            tmp_path / "data",
            [{**_loopback_provider(openai_server), "base_url": f"{front.url}/v1"}],
        )
        app = start_app()
        dialog = app.window.open_providers()
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled())
        assert "certificate could not be verified" in dialog.status.text()
        assert "CA bundle" in dialog.status.text()  # says where to fix it

        dialog.ca_edit.setText(str(certs.ca_file))
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled())
        assert "Connected" in dialog.status.text()

        dialog.ca_edit.clear()
        assert not dialog.tls_warning.isVisible() and dialog.verify_check.isChecked()
        dialog.tabs.setCurrentWidget(dialog.network_page)
        assert not dialog.tls_warning.isVisible()
        box = dialog.verify_check
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        assert not box.isChecked()
        assert dialog.tls_warning.isVisible()
        assert "not checked" in dialog.tls_warning.text()
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled())
        assert "Connected" in dialog.status.text()
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
        assert app.settings.provider("local").network.verify_tls is False

        app.type_and_send("over TLS")
        app.wait_idle()
        reply = app.conversations.current.thread()[-1]
        assert (reply.content, reply.error) == ("echo[1]: over TLS", None)  # the error, if any
        assert app.bubbles()[-1] == ("assistant", "echo[1]: over TLS")
        dialog = app.window.open_providers()
        dialog.tabs.setCurrentWidget(dialog.network_page)
        assert dialog.tls_warning.isVisible()  # shown whenever the provider is opened


def test_a_wrong_proxy_password_says_so_at_once(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    from tests.support.proxies import HttpProxy

    with HttpProxy(credentials=("alice", "right")) as proxy:
        write_settings(
            tmp_path / "data",
            [
                _loopback_provider(
                    openai_server, proxy="custom", proxy_url=proxy.url, proxy_user="alice"
                )
            ],
        )
        app = start_app()
        app.settings.save_provider(app.settings.provider("local"), None, "wrong")
        app.type_and_send("hello")
        app.wait_idle()
        assert "proxy refused the user name or password" in app.window.banner.text.text()
        # Not retried: a wrong password does not mend itself.
        assert [r["method"] for r in proxy.requests if r["method"] == "POST"] == ["POST"]
        assert not any(r["authorized"] for r in proxy.requests)
        assert app.bubbles()[0] == ("user", "hello")
        assert openai_server.chat_requests() == []


def test_a_timeout_names_itself_and_where_to_change_it(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    from tests.support.openai_server import Reply

    write_settings(
        tmp_path / "data", [_loopback_provider(openai_server, timeouts={"first_byte": 0.5})]
    )
    openai_server.enqueue(Reply(text="too late", first_byte_delay=5))
    app = start_app()
    app.type_and_send("think hard")
    app.wait_idle()
    text = app.window.banner.text.text()
    assert "No reply within 0.5 s (first-byte timeout)" in text
    assert "Network settings" in text
    assert len(openai_server.chat_requests()) == 1  # timeouts are not retried
    reply = app.conversation_files()[0]["messages"][-1]
    assert reply["error"] == "RequestTimeoutError: first-byte timeout (0.5 s)"
    dialog = app.window.open_providers()
    assert dialog.timeout_spins["first_byte"].value() == 1  # shown rounded…
    qtbot.keyClicks(dialog.name_edit, " renamed")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert app.settings.provider("local").network.timeouts.first_byte == 0.5  # …kept as set


def test_with_checking_off_a_ca_bundle_gone_missing_does_not_block_saving(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    gone = tmp_path / "moved-away.pem"
    write_settings(tmp_path / "data", [_loopback_provider(openai_server, ca_bundle=str(gone))])
    app = start_app()
    dialog = app.window.open_providers()
    dialog.tabs.setCurrentIndex(1)
    dialog.verify_check.setChecked(False)
    assert not dialog.ca_edit.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Saved."


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:{port}/v1", "http://localhost:{port}/v1"])
def test_without_a_keyring_a_local_server_chats_without_a_warning(
    start_app: Any,
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: Any,
    base_url: str,
) -> None:
    """Ollama or LM Studio need no key: a missing keyring is nothing to warn about there."""
    from desktop.core.errors import KeyringUnavailableError
    from desktop.core.secrets import _KeyringModule

    def unavailable(self: Any, *args: Any) -> None:
        raise KeyringUnavailableError("org.freedesktop.secrets was not provided by any file")

    monkeypatch.setattr(_KeyringModule, "_call", unavailable)
    port = openai_server.base_url.split(":")[2].split("/")[0]
    write_settings(
        tmp_path / "data",
        [{"id": "local", "name": "Local", "base_url": base_url.format(port=port),
          "default_model": "test-model"}],
    )  # fmt: skip
    app = start_app()
    app.type_and_send("hello")
    app.wait_idle()
    assert app.bubbles()[-1][1].startswith("echo")
    assert not (app.window.banner.isVisible() and "keyring" in app.window.banner.text.text())


def test_without_a_keyring_a_remote_provider_is_warned_about(
    start_app: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any, run_async: Any
) -> None:
    from desktop.core.errors import KeyringUnavailableError
    from desktop.core.secrets import _KeyringModule

    def unavailable(self: Any, *args: Any) -> None:
        raise KeyringUnavailableError("org.freedesktop.secrets was not provided by any file")

    monkeypatch.setattr(_KeyringModule, "_call", unavailable)
    write_settings(
        tmp_path / "data",
        [{"id": "remote", "name": "Remote", "base_url": "https://chat.example.invalid/v1",
          "default_model": "m"}],
    )  # fmt: skip
    app = start_app()
    run_async(app.settings.api_key("remote"))  # what the first send does
    assert app.window.banner.isVisible() and "keyring" in app.window.banner.text.text()
