"""Another program that holds a key: ``python -m tests.support.x11_grab DISPLAY`` grabs
Ctrl+Alt+Space on the root window (as a launcher or a desktop's own shortcut would), prints
"grabbed", and keeps it until its stdin closes."""

from __future__ import annotations

import sys

from Xlib import XK, X, display


def main() -> int:
    screen = display.Display(sys.argv[1])
    keycode = screen.keysym_to_keycode(XK.string_to_keysym("space"))
    screen.screen().root.grab_key(
        keycode, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync, X.GrabModeAsync
    )
    screen.sync()
    print("grabbed", flush=True)
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
