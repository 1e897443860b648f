"""Global shortcuts, the pure part: a shortcut as the user writes it ("Ctrl+Alt+Space"), each
platform's modifiers and key code for it, and which backend a session can use.

The text is Qt's portable form (QKeySequence.PortableText), the one settings.json keeps in
``quick_ask_shortcut``. As in Qt, on macOS "Ctrl" is the Command key and "Meta" the Control
key, so one setting means the same gesture a Mac user sees in Qt's own menus.

The backends themselves (desktop/controllers/hotkeys.py) call X11, Win32, Carbon or the XDG
desktop portal; everything they compute from the text is here, so that it is tested on any
machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "BACKEND_MACOS",
    "BACKEND_NONE",
    "BACKEND_PORTAL",
    "BACKEND_WINDOWS",
    "BACKEND_X11",
    "Hotkey",
    "HotkeyError",
    "choose_backend",
    "lock_variants",
    "mac_key",
    "parse_hotkey",
    "portal_trigger",
    "windows_key",
    "x11_key",
]

CTRL, ALT, SHIFT, META = "ctrl", "alt", "shift", "meta"
_MODIFIER_ORDER = (CTRL, ALT, SHIFT, META)
_MODIFIER_NAMES = {
    "ctrl": CTRL,
    "control": CTRL,
    "cmd": CTRL,  # Qt's Ctrl is the Command key on macOS
    "command": CTRL,
    "alt": ALT,
    "option": ALT,
    "opt": ALT,
    "shift": SHIFT,
    "meta": META,
    "super": META,
    "win": META,
    "logo": META,
}
_PORTABLE_MODIFIER = {CTRL: "Ctrl", ALT: "Alt", SHIFT: "Shift", META: "Meta"}

# Named keys: Qt's portable name → (X11 keysym name, Windows virtual key, macOS kVK code).
_NAMED: dict[str, tuple[str, int, int]] = {
    "Space": ("space", 0x20, 0x31),
    "Return": ("Return", 0x0D, 0x24),
    "Enter": ("KP_Enter", 0x0D, 0x4C),
    "Tab": ("Tab", 0x09, 0x30),
    "Esc": ("Escape", 0x1B, 0x35),
    "Backspace": ("BackSpace", 0x08, 0x33),
    "Del": ("Delete", 0x2E, 0x75),
    "Ins": ("Insert", 0x2D, 0x72),
    "Home": ("Home", 0x24, 0x73),
    "End": ("End", 0x23, 0x77),
    "PgUp": ("Prior", 0x21, 0x74),
    "PgDown": ("Next", 0x22, 0x79),
    "Left": ("Left", 0x25, 0x7B),
    "Right": ("Right", 0x27, 0x7C),
    "Up": ("Up", 0x26, 0x7E),
    "Down": ("Down", 0x28, 0x7D),
    "`": ("grave", 0xC0, 0x32),
    "-": ("minus", 0xBD, 0x1B),
    "=": ("equal", 0xBB, 0x18),
    "[": ("bracketleft", 0xDB, 0x21),
    "]": ("bracketright", 0xDD, 0x1E),
    "\\": ("backslash", 0xDC, 0x2A),
    ";": ("semicolon", 0xBA, 0x29),
    "'": ("apostrophe", 0xDE, 0x27),
    ",": ("comma", 0xBC, 0x2B),
    ".": ("period", 0xBE, 0x2F),
    "/": ("slash", 0xBF, 0x2C),
}
_ALIASES = {
    "space": "Space",
    "return": "Return",
    "enter": "Enter",
    "tab": "Tab",
    "esc": "Esc",
    "escape": "Esc",
    "backspace": "Backspace",
    "del": "Del",
    "delete": "Del",
    "ins": "Ins",
    "insert": "Ins",
    "home": "Home",
    "end": "End",
    "pgup": "PgUp",
    "pageup": "PgUp",
    "pgdown": "PgDown",
    "pagedown": "PgDown",
    "left": "Left",
    "right": "Right",
    "up": "Up",
    "down": "Down",
}
# macOS's virtual key codes (Carbon's kVK_ANSI_*) follow the keyboard's layout, not the alphabet.
_MAC_CHARACTERS = {
    "A": 0x00, "S": 0x01, "D": 0x02, "F": 0x03, "H": 0x04, "G": 0x05, "Z": 0x06, "X": 0x07,
    "C": 0x08, "V": 0x09, "B": 0x0B, "Q": 0x0C, "W": 0x0D, "E": 0x0E, "R": 0x0F, "Y": 0x10,
    "T": 0x11, "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "9": 0x19,
    "7": 0x1A, "8": 0x1C, "0": 0x1D, "O": 0x1F, "U": 0x20, "I": 0x22, "P": 0x23, "L": 0x25,
    "J": 0x26, "K": 0x28, "N": 0x2D, "M": 0x2E,
}  # fmt: skip
_MAC_FUNCTION = {
    1: 0x7A, 2: 0x78, 3: 0x63, 4: 0x76, 5: 0x60, 6: 0x61, 7: 0x62, 8: 0x64, 9: 0x65,
    10: 0x6D, 11: 0x67, 12: 0x6F, 13: 0x69, 14: 0x6B, 15: 0x71, 16: 0x6A, 17: 0x40,
    18: 0x4F, 19: 0x50, 20: 0x5A,
}  # fmt: skip

# X11's modifier masks (X.h).
X_SHIFT, X_LOCK, X_CONTROL, X_MOD1, X_MOD4 = 1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 6
# Win32's RegisterHotKey modifiers.
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
# Carbon's modifier bits (Events.h).
MAC_CMD, MAC_SHIFT, MAC_OPTION, MAC_CONTROL = 0x100, 0x200, 0x800, 0x1000
# Each modifier's bit on each platform (Qt's Ctrl is Command on macOS, its Meta is Control).
_X_BITS = {CTRL: X_CONTROL, ALT: X_MOD1, SHIFT: X_SHIFT, META: X_MOD4}
_WINDOWS_BITS = {CTRL: MOD_CONTROL, ALT: MOD_ALT, SHIFT: MOD_SHIFT, META: MOD_WIN}
_MAC_BITS = {CTRL: MAC_CMD, ALT: MAC_OPTION, SHIFT: MAC_SHIFT, META: MAC_CONTROL}

BACKEND_X11 = "x11"
BACKEND_WINDOWS = "windows"
BACKEND_MACOS = "macos"
BACKEND_PORTAL = "portal"  # Wayland: org.freedesktop.portal.GlobalShortcuts
BACKEND_NONE = "none"


class HotkeyError(ValueError):
    """A shortcut that cannot be a global one; ``str()`` says which part."""


@dataclass(frozen=True)
class Hotkey:
    modifiers: frozenset[str]
    key: str  # Qt's portable name: "Space", "K", "F5", "/"

    @property
    def portable(self) -> str:
        """The shortcut as settings.json keeps it: "Ctrl+Alt+Space"."""
        names = [_PORTABLE_MODIFIER[m] for m in _MODIFIER_ORDER if m in self.modifiers]
        return "+".join([*names, self.key])

    @property
    def function_key(self) -> int | None:
        if len(self.key) > 1 and self.key[0] == "F" and self.key[1:].isdigit():
            return int(self.key[1:])
        return None


def parse_hotkey(text: str) -> Hotkey:
    """ "Ctrl+Alt+Space", "ctrl+alt+space", "Meta+Shift+K", "Cmd+Option+Space": one key and
    its modifiers. A global shortcut needs a modifier (a bare letter would be taken from every
    other program), except a function key."""
    words = [w.strip() for w in text.strip().split("+")]
    if text.strip().endswith("++"):  # "Ctrl++": the plus key itself
        words = [*words[:-2], "+"]
    if not text.strip() or any(not w for w in words):
        raise HotkeyError(f"not a shortcut: {text!r}")
    modifiers: set[str] = set()
    for word in words[:-1]:
        name = _MODIFIER_NAMES.get(word.lower())
        if name is None:
            raise HotkeyError(f"not a modifier: {word!r}")
        modifiers.add(name)
    key = _key_name(words[-1])
    hotkey = Hotkey(frozenset(modifiers), key)
    if not modifiers and hotkey.function_key is None:
        raise HotkeyError(f"a global shortcut needs Ctrl, Alt, Shift or Meta: {text!r}")
    return hotkey


def _key_name(word: str) -> str:
    if word.lower() in _MODIFIER_NAMES:
        raise HotkeyError(f"a modifier alone is not a key: {word!r}")
    if len(word) == 1:
        if word.isascii() and word.isalnum():
            return word.upper()
        if word in _NAMED:
            return word
        raise HotkeyError(f"no global shortcut can use the key {word!r}")
    if word.lower() in _ALIASES:
        return _ALIASES[word.lower()]
    if word[0] in "Ff" and word[1:].isdigit() and 1 <= int(word[1:]) <= 24:
        return f"F{int(word[1:])}"
    raise HotkeyError(f"unknown key: {word!r}")


def _mask(hotkey: Hotkey, bits: Mapping[str, int]) -> int:
    """The hotkey's modifiers as one platform's bits."""
    mask = 0
    for modifier, bit in bits.items():
        if modifier in hotkey.modifiers:
            mask |= bit
    return mask


def x11_key(hotkey: Hotkey) -> tuple[int, str]:
    """The modifier mask and the keysym name XGrabKey wants (``XStringToKeysym``)."""
    mask = _mask(hotkey, _X_BITS)
    if hotkey.key in _NAMED:
        return mask, _NAMED[hotkey.key][0]
    return mask, hotkey.key.lower() if hotkey.key.isalpha() and len(hotkey.key) == 1 else hotkey.key


def lock_variants(mask: int, numlock_mask: int) -> list[int]:
    """The masks to grab so that the shortcut works whatever Caps Lock and Num Lock are: X
    matches a grab's modifiers exactly, and the locks are modifiers too."""
    locks = [0, X_LOCK]
    if numlock_mask and numlock_mask != X_LOCK:
        locks += [numlock_mask, numlock_mask | X_LOCK]
    return [mask | lock for lock in locks]


def windows_key(hotkey: Hotkey) -> tuple[int, int]:
    """RegisterHotKey's modifiers (MOD_NOREPEAT: held down, it fires once) and virtual key."""
    mods = MOD_NOREPEAT | _mask(hotkey, _WINDOWS_BITS)
    number = hotkey.function_key
    if number is not None:
        return mods, 0x70 + number - 1  # VK_F1…VK_F24
    if hotkey.key in _NAMED:
        return mods, _NAMED[hotkey.key][1]
    return mods, ord(hotkey.key)  # VK_0…VK_9 and VK_A…VK_Z are their ASCII codes


def mac_key(hotkey: Hotkey) -> tuple[int, int]:
    """RegisterEventHotKey's modifiers and virtual key code (kVK_*)."""
    mods = _mask(hotkey, _MAC_BITS)
    number = hotkey.function_key
    if number is not None:
        if number not in _MAC_FUNCTION:
            raise HotkeyError(f"macOS has no key F{number}")
        return mods, _MAC_FUNCTION[number]
    if hotkey.key in _NAMED:
        return mods, _NAMED[hotkey.key][2]
    return mods, _MAC_CHARACTERS[hotkey.key]


def portal_trigger(hotkey: Hotkey) -> str:
    """The portal's ``preferred_trigger`` (the XDG shortcuts format): "CTRL+ALT+space". The
    desktop shows it as a suggestion; the user confirms or picks another there."""
    names = {CTRL: "CTRL", ALT: "ALT", SHIFT: "SHIFT", META: "LOGO"}
    parts = [names[m] for m in _MODIFIER_ORDER if m in hotkey.modifiers]
    return "+".join([*parts, x11_key(hotkey)[1]])


def choose_backend(system: str, qt_platform: str, env: Mapping[str, str]) -> str:
    """Which backend can grab a key in this session: ``system`` is sys.platform, ``qt_platform``
    Qt's platform plugin ("xcb", "wayland", "windows", "cocoa", "offscreen"…).

    A Wayland session gets the portal even when Confab runs on XWayland (xcb): XWayland's root
    window sees only the keys typed into X11 windows, so a grab there would look set and seldom
    fire. Offscreen (and the other platforms without a desktop) get none: there would be no
    window to show, and a test run must never take a key from the desktop it runs on.
    """
    if system.startswith("win"):
        return BACKEND_WINDOWS
    if system == "darwin":
        return BACKEND_MACOS
    wayland_session = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    if qt_platform.startswith("wayland") or (qt_platform == "xcb" and wayland_session):
        return BACKEND_PORTAL
    if qt_platform == "xcb":
        return BACKEND_X11
    return BACKEND_NONE
