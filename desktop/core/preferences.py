"""The values and defaults of the preferences kept in settings.json (the Preferences window).

``Settings`` (desktop/core/settings.py) holds them; desktop/core/fileformat.py reads and
writes them; docs/format.md describes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

THEME_SYSTEM = "system"
THEME_LIGHT = "light"
THEME_DARK = "dark"
THEMES = (THEME_SYSTEM, THEME_LIGHT, THEME_DARK)
SEND_ENTER = "enter"  # Enter sends, Shift+Enter starts a new line
SEND_CTRL_ENTER = "ctrl+enter"  # Ctrl+Enter sends, Enter starts a new line
SEND_KEYS = (SEND_ENTER, SEND_CTRL_ENTER)
# The thread's font size in points, when the user chose one.
MIN_FONT_SIZE = 6
MAX_FONT_SIZE = 72
DEFAULT_QUICK_ASK_SHORTCUT = "Ctrl+Alt+Space"

if TYPE_CHECKING:
    from desktop.core.settings import Settings


@dataclass(frozen=True)
class Preferences:
    """The preferences as one value: what the Preferences window shows, previews and saves.
    Each field is the ``Settings`` attribute of the same name."""

    theme: str = THEME_SYSTEM
    language: str | None = None
    thread_font_size: int | None = None
    send_key: str = SEND_ENTER
    default_provider: str | None = None
    default_model: str | None = None
    auto_title: bool = True
    start_on_login: bool = False
    shortcuts: Mapping[str, str] = field(default_factory=dict)
    quick_ask_shortcut: str = DEFAULT_QUICK_ASK_SHORTCUT
    tray_icon: bool = True
    notify_when_done: bool = True

    def changed_from(self, other: Preferences) -> set[str]:
        """The names of the fields that differ from ``other``'s."""
        return {f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)}


def preferences_of(settings: Settings) -> Preferences:
    values = {f.name: getattr(settings, f.name) for f in fields(Preferences)}
    values["shortcuts"] = dict(settings.shortcuts)
    return Preferences(**values)


def store_preferences(settings: Settings, preferences: Preferences) -> set[str]:
    """Set ``preferences`` on ``settings``; the names of the fields that changed."""
    changed = preferences.changed_from(preferences_of(settings))
    for name in changed:
        value = getattr(preferences, name)
        setattr(settings, name, dict(value) if name == "shortcuts" else value)
    return changed
