"""The global shortcut's pure part: the text the user sets, each platform's codes for it, and
which backend a session gets."""

from __future__ import annotations

import pytest

from desktop.core import hotkeys
from desktop.core.hotkeys import Hotkey, HotkeyError, parse_hotkey


@pytest.mark.parametrize(
    ("text", "modifiers", "key"),
    [
        ("Ctrl+Alt+Space", {"ctrl", "alt"}, "Space"),
        ("ctrl+alt+space", {"ctrl", "alt"}, "Space"),
        (" Meta + Shift + k ", {"meta", "shift"}, "K"),
        ("Cmd+Option+Space", {"ctrl", "alt"}, "Space"),
        ("Super+Return", {"meta"}, "Return"),
        ("Ctrl+Shift+/", {"ctrl", "shift"}, "/"),
        ("F12", set(), "F12"),
        ("Alt+f5", {"alt"}, "F5"),
        ("Ctrl+Alt+Escape", {"ctrl", "alt"}, "Esc"),
        ("Ctrl+PageDown", {"ctrl"}, "PgDown"),
    ],
)
def test_shortcuts_as_people_write_them(text: str, modifiers: set[str], key: str) -> None:
    hotkey = parse_hotkey(text)
    assert hotkey.modifiers == frozenset(modifiers) and hotkey.key == key


def test_the_portable_form_is_qts_order() -> None:
    assert parse_hotkey("alt+ctrl+space").portable == "Ctrl+Alt+Space"
    assert parse_hotkey("shift+meta+k").portable == "Shift+Meta+K"


@pytest.mark.parametrize(
    "text", ["", "Ctrl+", "Ctrl+Alt", "K", "Space", "Hyper+K", "Ctrl+Ä", "Ctrl+F30", "Ctrl+Foo"]
)
def test_what_cannot_be_a_global_shortcut_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(HotkeyError) as caught:
        parse_hotkey(text)
    assert str(caught.value)


def test_x11_masks_and_keysyms() -> None:
    mask, keysym = hotkeys.x11_key(parse_hotkey("Ctrl+Alt+Space"))
    assert mask == hotkeys.X_CONTROL | hotkeys.X_MOD1 and keysym == "space"
    assert hotkeys.x11_key(parse_hotkey("Meta+Shift+K")) == (
        hotkeys.X_MOD4 | hotkeys.X_SHIFT,
        "k",
    )
    assert hotkeys.x11_key(parse_hotkey("Ctrl+F5"))[1] == "F5"
    assert hotkeys.x11_key(parse_hotkey("Ctrl+/"))[1] == "slash"
    assert hotkeys.x11_key(parse_hotkey("Ctrl+7"))[1] == "7"


def test_the_grab_covers_caps_lock_and_num_lock() -> None:
    base = hotkeys.X_CONTROL | hotkeys.X_MOD1
    numlock = 1 << 4  # Mod2, where X servers usually put Num Lock
    assert hotkeys.lock_variants(base, numlock) == [
        base,
        base | hotkeys.X_LOCK,
        base | numlock,
        base | numlock | hotkeys.X_LOCK,
    ]
    assert hotkeys.lock_variants(base, 0) == [base, base | hotkeys.X_LOCK]


def test_windows_modifiers_and_virtual_keys() -> None:
    mods, vk = hotkeys.windows_key(parse_hotkey("Ctrl+Alt+Space"))
    assert mods == hotkeys.MOD_CONTROL | hotkeys.MOD_ALT | hotkeys.MOD_NOREPEAT and vk == 0x20
    assert hotkeys.windows_key(parse_hotkey("Meta+Shift+K")) == (
        hotkeys.MOD_WIN | hotkeys.MOD_SHIFT | hotkeys.MOD_NOREPEAT,
        ord("K"),
    )
    assert hotkeys.windows_key(parse_hotkey("F1"))[1] == 0x70
    assert hotkeys.windows_key(parse_hotkey("Alt+F24"))[1] == 0x87
    assert hotkeys.windows_key(parse_hotkey("Ctrl+3"))[1] == 0x33


def test_mac_modifiers_and_key_codes_follow_qts_ctrl_is_command() -> None:
    mods, key = hotkeys.mac_key(parse_hotkey("Ctrl+Alt+Space"))
    assert mods == hotkeys.MAC_CMD | hotkeys.MAC_OPTION and key == 0x31
    assert hotkeys.mac_key(parse_hotkey("Meta+K")) == (hotkeys.MAC_CONTROL, 0x28)
    assert hotkeys.mac_key(parse_hotkey("Shift+Cmd+A")) == (
        hotkeys.MAC_SHIFT | hotkeys.MAC_CMD,
        0x00,
    )
    assert hotkeys.mac_key(parse_hotkey("Ctrl+F5"))[1] == 0x60
    with pytest.raises(HotkeyError):
        hotkeys.mac_key(parse_hotkey("Ctrl+F24"))


def test_the_portal_is_offered_the_xdg_trigger_form() -> None:
    assert hotkeys.portal_trigger(parse_hotkey("Ctrl+Alt+Space")) == "CTRL+ALT+space"
    assert hotkeys.portal_trigger(parse_hotkey("Meta+Shift+K")) == "SHIFT+LOGO+k"


@pytest.mark.parametrize(
    ("system", "qt_platform", "env", "backend"),
    [
        ("win32", "windows", {}, hotkeys.BACKEND_WINDOWS),
        ("darwin", "cocoa", {}, hotkeys.BACKEND_MACOS),
        ("linux", "xcb", {"DISPLAY": ":0"}, hotkeys.BACKEND_X11),
        # XWayland's root window never sees keys typed into Wayland windows: the portal.
        (
            "linux",
            "xcb",
            {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"},
            hotkeys.BACKEND_PORTAL,
        ),
        ("linux", "xcb", {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, hotkeys.BACKEND_PORTAL),
        ("linux", "wayland", {"WAYLAND_DISPLAY": "wayland-0"}, hotkeys.BACKEND_PORTAL),
        ("linux", "wayland-egl", {}, hotkeys.BACKEND_PORTAL),
        # Offscreen (the tests) never takes a key from the desktop it runs on.
        ("linux", "offscreen", {"DISPLAY": ":0"}, hotkeys.BACKEND_NONE),
        ("linux", "offscreen", {"WAYLAND_DISPLAY": "wayland-0"}, hotkeys.BACKEND_NONE),
        ("linux", "minimal", {}, hotkeys.BACKEND_NONE),
        ("freebsd14", "xcb", {"DISPLAY": ":0"}, hotkeys.BACKEND_X11),
    ],
)
def test_the_backend_for_each_session(
    system: str, qt_platform: str, env: dict[str, str], backend: str
) -> None:
    assert hotkeys.choose_backend(system, qt_platform, env) == backend


def test_a_hotkey_knows_its_function_key() -> None:
    assert Hotkey(frozenset(), "F7").function_key == 7
    assert Hotkey(frozenset({"ctrl"}), "F").function_key is None
