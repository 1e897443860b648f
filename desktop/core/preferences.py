"""The values and defaults of the preferences kept in settings.json (the Preferences window).

``Settings`` (desktop/core/settings.py) holds them; desktop/core/fileformat.py reads and
writes them; docs/format.md describes them.
"""

from __future__ import annotations

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
