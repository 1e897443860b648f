"""The X11 global shortcut for real, on an X server of its own (Xvfb): xdotool presses the keys
as a keyboard does, and the quick-ask window opens; a key another program holds is "taken"."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from desktop.controllers import hotkeys
from desktop.controllers.hotkeys import GlobalShortcut, X11Backend
from tests.support.xvfb import xdotool


def _x11(display: str) -> Callable[..., X11Backend]:
    return lambda on_activated, _on_state: X11Backend(on_activated, display)


def test_ctrl_alt_space_anywhere_opens_the_quick_window(
    xvfb_display: str, start_citizen: Any, qtbot: Any
) -> None:
    citizen = start_citizen(backend=_x11(xvfb_display))
    integration = citizen.integration
    assert integration.shortcut.state == hotkeys.ACTIVE
    assert integration.quick_window is None
    xdotool(xvfb_display, "key", "ctrl+alt+space")
    qtbot.waitUntil(lambda: integration.quick_window is not None)
    qtbot.waitUntil(integration.quick_window.isVisible)

    # Num Lock and Caps Lock on: the same keys still work.
    integration.quick_window.hide()
    xdotool(xvfb_display, "key", "Num_Lock", "Caps_Lock")
    xdotool(xvfb_display, "key", "ctrl+alt+space")
    qtbot.waitUntil(integration.quick_window.isVisible)
    xdotool(xvfb_display, "key", "Num_Lock", "Caps_Lock")


def test_a_key_another_program_holds_is_taken_and_the_user_told(
    xvfb_display: str, start_citizen: Any, qtbot: Any
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.support.x11_grab", xvfb_display],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "grabbed"
        citizen = start_citizen(backend=_x11(xvfb_display))
        shortcut = citizen.integration.shortcut
        assert shortcut.state == hotkeys.TAKEN
        assert "Ctrl+Alt+Space is in use by another program" in (
            citizen.app.window.banner.text.text()
        )
        # Another key works meanwhile.
        assert shortcut.set_shortcut("Ctrl+Alt+K") == hotkeys.ACTIVE
        xdotool(xvfb_display, "key", "ctrl+alt+k")
        qtbot.waitUntil(lambda: citizen.integration.quick_window is not None)
    finally:
        holder.communicate("")
    # Once the other program has gone, the key can be had.
    assert shortcut.set_shortcut("Ctrl+Alt+Space") == hotkeys.ACTIVE


def test_a_changed_shortcut_lets_the_old_key_go(xvfb_display: str, qapp: Any) -> None:
    ours = GlobalShortcut(_x11(xvfb_display))
    other = GlobalShortcut(_x11(xvfb_display))
    try:
        assert ours.set_shortcut("Ctrl+Alt+Space") == hotkeys.ACTIVE
        assert other.set_shortcut("Ctrl+Alt+Space") == hotkeys.TAKEN
        assert ours.set_shortcut("Meta+Shift+K") == hotkeys.ACTIVE
        assert other.set_shortcut("Ctrl+Alt+Space") == hotkeys.ACTIVE
        assert ours.set_shortcut("") == hotkeys.OFF
        assert other.set_shortcut("Meta+Shift+K") == hotkeys.ACTIVE  # let go when off
        assert ours.set_shortcut("Ctrl+Nonsense") == hotkeys.INVALID
    finally:
        ours.close()
        other.close()
