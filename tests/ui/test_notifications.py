"""A system notification when a reply ends while the main window is not the active one: sent
for real over D-Bus to a small notification server on the test session's private bus
(tests/support/notification_server.py), and clicked there."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from queue import Empty
from typing import Any

import pytest

from desktop.controllers.notifier import Notifier
from tests.support.bus_service import ServiceProcess
from tests.support.openai_server import Reply


class NotificationServer(ServiceProcess):
    def __init__(self, *args: str) -> None:
        super().__init__("tests.support.notification_server", *args)

    def next(self, qtbot: Any) -> dict[str, Any]:
        seen: list[str] = []

        def arrived() -> bool:
            try:
                seen.append(self.lines.get_nowait())
            except Empty:
                return False
            return True

        qtbot.waitUntil(arrived, timeout=15_000)
        record = json.loads(seen[0])
        assert isinstance(record, dict)
        return record

    def none_came(self) -> bool:
        return self.lines.empty()

    def click(self, notification_id: int) -> None:
        self.command(f"click {notification_id}")


@pytest.fixture
def notification_server(secret_service: Any) -> Iterator[NotificationServer]:
    # secret_service: the test session's private D-Bus (no notification reaches the user's).
    server = NotificationServer()
    yield server
    server.stop()


@pytest.fixture
def notifier(run_async: Any) -> Iterator[Notifier]:
    made = Notifier()
    yield made
    run_async(made.aclose())


def _the_only_one(server: NotificationServer, notifier: Notifier, qtbot: Any) -> dict[str, Any]:
    """The notification sent, once the notifier has sent one and the server has no other."""
    record = server.next(qtbot)
    qtbot.waitUntil(lambda: notifier.sent == 1)
    assert server.none_came()
    return record


def _inactive(app: Any) -> None:
    """The user is in another program: Confab's window minimised."""
    app.window.showMinimized()
    app.window.hide()


def test_a_reply_finished_in_the_background_is_notified_and_the_click_opens_it(
    start_citizen: Any,
    notification_server: NotificationServer,
    notifier: Notifier,
    openai_server: Any,
    qtbot: Any,
) -> None:
    citizen = start_citizen(notifier=notifier)
    app = citizen.app
    gate = threading.Event()
    openai_server.enqueue(
        Reply(text="Paris is the capital of **France**. " * 8, stall_after=2, gate=gate)
    )
    app.type_and_send("Capital of France?")
    asked = app.conversations.current
    qtbot.waitUntil(lambda: app.chat.is_streaming(asked.id))
    _inactive(app)
    app.window.new_conversation()  # and the window shows another conversation by then
    gate.set()
    record = notification_server.next(qtbot)
    assert record["app_name"] == "Confab"
    assert record["summary"] == "Capital of France?"  # the conversation's title
    assert record["body"].startswith("Paris is the capital of France. Paris")
    assert len(record["body"]) <= 140
    assert record["actions"] == ["default", "Open"]

    notification_server.click(record["id"])
    qtbot.waitUntil(lambda: app.conversations.current is asked)
    assert app.window.isVisible()
    assert app.bubbles()[-1][1].startswith("Paris is the capital of **France**.")


def test_a_failed_reply_is_notified_too(
    start_citizen: Any,
    notification_server: NotificationServer,
    notifier: Notifier,
    openai_server: Any,
    qtbot: Any,
) -> None:
    citizen = start_citizen(notifier=notifier)
    _inactive(citizen.app)
    openai_server.enqueue(Reply(status=400, body='{"error": {"message": "no such model"}}'))
    citizen.app.type_and_send("Hello")
    record = notification_server.next(qtbot)
    assert record["summary"] == "Hello"
    assert record["body"].startswith("The reply failed: ")


def test_no_notification_while_the_window_is_active(
    start_citizen: Any,
    notification_server: NotificationServer,
    notifier: Notifier,
    qtbot: Any,
) -> None:
    citizen = start_citizen(notifier=notifier)
    app = citizen.app
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow)
    app.type_and_send("Hello")
    app.wait_idle()
    _inactive(app)  # a second reply, in the background: that one is notified
    app.type_and_send("Again")
    app.wait_idle()
    # The second reply's (the first came while the window was active: none for it).
    assert _the_only_one(notification_server, notifier, qtbot)["body"] == "echo[3]: Again"


def test_no_notification_for_the_reply_the_quick_window_shows(
    start_citizen: Any,
    notification_server: NotificationServer,
    notifier: Notifier,
    qtbot: Any,
) -> None:
    citizen = start_citizen(notifier=notifier)
    _inactive(citizen.app)
    quick = citizen.integration.open_quick()
    quick.composer.edit.setPlainText("Quick one")
    quick.composer.send_button.click()
    qtbot.waitUntil(lambda: quick.conversation is not None)
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    quick.hide()  # now asked again without the quick window: notified
    quick.composer.edit.setPlainText("Second")
    quick.send(quick.composer.text())
    qtbot.waitUntil(lambda: not citizen.app.chat.is_streaming(quick.conversation.id))
    record = _the_only_one(notification_server, notifier, qtbot)
    assert record["summary"] == "Quick one" and record["body"] == "echo[3]: Second"


def test_notifications_off_in_preferences_means_none(
    start_citizen: Any,
    notification_server: NotificationServer,
    notifier: Notifier,
    qtbot: Any,
) -> None:
    citizen = start_citizen(notifier=notifier)
    settings = citizen.app.settings
    settings.set_preferences(replace(settings.preferences(), notify_when_done=False))
    _inactive(citizen.app)
    citizen.app.type_and_send("Hello")
    citizen.app.wait_idle()
    settings.set_preferences(replace(settings.preferences(), notify_when_done=True))
    citizen.app.type_and_send("Now with them on")
    citizen.app.wait_idle()
    record = _the_only_one(notification_server, notifier, qtbot)
    assert record["body"] == "echo[3]: Now with them on"  # not the first reply's


def test_without_actions_the_notification_has_no_button(
    start_citizen: Any, secret_service: Any, notifier: Notifier, qtbot: Any
) -> None:
    server = NotificationServer("--no-actions")
    try:
        citizen = start_citizen(notifier=notifier)
        _inactive(citizen.app)
        citizen.app.type_and_send("Hello")
        assert server.next(qtbot)["actions"] == []
    finally:
        server.stop()


def test_no_notification_server_falls_back_quietly(
    start_citizen: Any, secret_service: Any, notifier: Notifier, qtbot: Any
) -> None:
    citizen = start_citizen(notifier=notifier)
    _inactive(citizen.app)
    citizen.app.type_and_send("Hello")
    citizen.app.wait_idle()
    qtbot.waitUntil(lambda: notifier.available is False)
    assert notifier.notify("t", "b", "x") is False  # not tried again
