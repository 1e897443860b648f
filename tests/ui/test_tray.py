"""The tray icon's menu on the real window, closing to the tray, and the setting that turns
the icon off. (Xvfb has no tray: tests/e2e/test_quick_process.py runs one, trayer, for the
icon itself.)"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

# The offscreen platform has no tray of its own: Qt's icon then says so, harmlessly.
OFFSCREEN_TRAY = pytest.mark.qt_log_ignore(r"No such signal QPlatformNativeInterface::systemTray")


def _texts(citizen: Any) -> list[str]:
    return [a.text() for a in citizen.integration.tray.menu.actions() if not a.isSeparator()]


def test_the_menu_new_conversation_quick_ask_show_and_quit(start_citizen: Any, qtbot: Any) -> None:
    citizen = start_citizen()
    tray, window = citizen.integration.tray, citizen.app.window
    assert _texts(citizen) == ["New Conversation", "Quick Ask", "Show Confab", "Quit Confab"]

    window.hide()
    tray.show_action.trigger()
    assert window.isVisible()

    window.showMinimized()
    before = citizen.app.conversations.current
    citizen.app.type_and_send("so that the next new one is another")
    citizen.app.wait_idle()
    tray.new_action.trigger()
    assert window.isVisible() and not window.isMinimized()
    assert citizen.app.conversations.current is not before
    assert citizen.app.conversations.current.messages == []

    tray.quick_action.trigger()
    assert citizen.integration.quick_window.isVisible()

    with qtbot.waitSignal(window.close_requested):
        tray.quit_action.trigger()


def test_without_a_tray_there_is_no_icon_and_closing_quits(start_citizen: Any, qtbot: Any) -> None:
    citizen = start_citizen(tray_available=False)
    assert citizen.integration.tray.icon is None
    with qtbot.waitSignal(citizen.app.window.close_requested):
        citizen.app.window.close()


@OFFSCREEN_TRAY
def test_with_the_icon_closing_hides_to_the_tray_and_says_so_once(
    start_citizen: Any, qtbot: Any
) -> None:
    citizen = start_citizen(tray_available=True)
    tray, window, settings = citizen.integration.tray, citizen.app.window, citizen.app.settings
    assert isinstance(tray.icon, QSystemTrayIcon) and tray.visible
    told: list[tuple[str, str]] = []
    tray.show_message = lambda title, text: told.append((title, text)) or True
    quit_asked: list[bool] = []
    window.close_requested.connect(lambda: quit_asked.append(True))
    window.close()
    assert not window.isVisible() and quit_asked == []
    assert told and told[0][0] == "Confab is still running" and "Quit" in told[0][1]
    settings.wait_for_writes()
    assert settings.window_state()["told_in_tray"] is True
    citizen.integration.show_main()
    window.close()
    assert len(told) == 1  # the first time only
    assert settings.window_state()["told_in_tray"] is True  # the window's size kept beside it
    assert "geometry" in settings.window_state()
    # Quit (Ctrl+Q, File → Quit, the tray's) quits, the window hidden or not.
    assert not window.isVisible()
    with qtbot.waitSignal(window.close_requested):
        tray.quit_action.trigger()


@OFFSCREEN_TRAY
def test_the_icon_off_in_preferences_means_no_icon_and_closing_quits(
    start_citizen: Any, qtbot: Any
) -> None:
    citizen = start_citizen(tray_available=True)
    assert citizen.integration.tray.visible
    settings = citizen.app.settings
    settings.set_preferences(replace(settings.preferences(), tray_icon=False))
    assert citizen.integration.tray.icon is None
    with qtbot.waitSignal(citizen.app.window.close_requested):
        citizen.app.window.close()


@OFFSCREEN_TRAY
def test_ctrl_q_quits_even_with_the_tray_icon(start_citizen: Any, qtbot: Any) -> None:
    citizen = start_citizen(tray_available=True)
    with qtbot.waitSignal(citizen.app.window.close_requested):
        citizen.app.window.quit_action.trigger()
