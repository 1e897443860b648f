"""The Wayland backend against a desktop portal of the test's own on the private session bus
(tests/support/portal_server.py): the session made, the shortcut bound with the user's key as
the preferred trigger, and the desktop's Activated signal opening quick ask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from queue import Empty
from typing import Any

import pytest

from desktop.controllers import hotkeys
from desktop.controllers.hotkeys import GlobalShortcut, PortalBackend
from tests.support.bus_service import ServiceProcess


class Portal(ServiceProcess):
    def __init__(self, *args: str) -> None:
        super().__init__("tests.support.portal_server", *args)

    def calls(self) -> list[dict[str, Any]]:
        found = []
        while True:
            try:
                found.append(json.loads(self.lines.get_nowait()))
            except Empty:
                return found

    def press(self) -> None:
        self.command("press")


@pytest.fixture
def portal(secret_service: Any) -> Iterator[Portal]:
    # secret_service: the test session's private D-Bus, where this portal is the only one.
    server = Portal()
    yield server
    server.stop()


def _portal_shortcut() -> GlobalShortcut:
    return GlobalShortcut(lambda on_activated, on_state: PortalBackend(on_activated, on_state))


def test_the_portal_binds_the_key_and_its_activation_opens_quick_ask(
    portal: Portal, run_async: Any, qtbot: Any
) -> None:
    shortcut = _portal_shortcut()
    pressed: list[bool] = []
    shortcut.activated.connect(lambda: pressed.append(True))
    try:
        # The desktop may ask the user first: pending until it answers.
        assert shortcut.set_shortcut("Ctrl+Alt+Space") == hotkeys.PENDING
        qtbot.waitUntil(lambda: shortcut.state == hotkeys.ACTIVE, timeout=10_000)
        calls = portal.calls()
        assert [c["method"] for c in calls] == ["CreateSession", "BindShortcuts"]
        assert calls[1]["session"] is True
        assert calls[1]["id"] == "quick-ask"
        assert calls[1]["trigger"] == "CTRL+ALT+space"
        assert calls[1]["description"] == "Confab: Quick ask"
        portal.press()
        qtbot.waitUntil(lambda: pressed == [True], timeout=10_000)
        # Turned off: the session closed, and with it the desktop's binding.
        assert shortcut.set_shortcut("") == hotkeys.OFF
        qtbot.waitUntil(lambda: any(c["method"] == "Close" for c in portal.calls()), timeout=10_000)
    finally:
        run_async(shortcut.aclose())


def _binding_ends_unsupported(run_async: Any, qtbot: Any) -> None:
    shortcut = _portal_shortcut()
    try:
        shortcut.set_shortcut("Ctrl+Alt+Space")
        qtbot.waitUntil(lambda: shortcut.state == hotkeys.UNSUPPORTED, timeout=10_000)
    finally:
        run_async(shortcut.aclose())


def test_a_refused_binding_says_how_to_bind_confab_quick_instead(
    secret_service: Any, run_async: Any, qtbot: Any
) -> None:
    portal = Portal("--refuse")
    try:
        _binding_ends_unsupported(run_async, qtbot)
    finally:
        portal.stop()


def test_no_portal_on_the_bus_is_unsupported(
    secret_service: Any, run_async: Any, qtbot: Any
) -> None:
    _binding_ends_unsupported(run_async, qtbot)
