"""Start on login (Preferences → General): one function per platform, each from pure parts.

- Linux and other XDG desktops: a desktop entry in ``$XDG_CONFIG_HOME/autostart`` (else
  ``~/.config/autostart``), as the XDG Autostart specification says.
- Windows: a value named ``Confab`` under ``HKEY_CURRENT_USER\\...\\CurrentVersion\\Run``.
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/<id>.plist``, with ``RunAtLoad``.

Each writes (or removes) one small thing and raises OSError when it cannot; the caller runs it
off the UI thread and says what went wrong.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from desktop.core.atomic import write_bytes_atomic
from desktop.core.paths import resolve_data_dir

# The desktop entry's and the bundle's id (desktop/app.py APP_ID, packaging/).
APP_ID = "io.github.confab.Confab"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Confab"


def launch_command(
    data_dir: Path | None = None,
    *,
    executable: str = sys.executable,
    frozen: bool = bool(getattr(sys, "frozen", False)),
    environ: Mapping[str, str] = os.environ,
) -> list[str]:
    """How to start this Confab: the bundle's program, else this Python with ``-m desktop``;
    with ``--data-dir`` when the folder is not the one Confab would find by itself."""
    command = [executable] if frozen else [executable, "-m", "desktop"]
    if data_dir is not None and data_dir != resolve_data_dir(None, environ):
        command += ["--data-dir", str(data_dir)]
    return command


# ---- Linux (XDG) --------------------------------------------------------------------------


def xdg_autostart_file(environ: Mapping[str, str] = os.environ) -> Path:
    config = environ.get("XDG_CONFIG_HOME", "").strip()
    # The specification: a relative $XDG_CONFIG_HOME is invalid and to be ignored.
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "autostart" / f"{APP_ID}.desktop"


def _exec_argument(argument: str) -> str:
    """One argument of a desktop entry's Exec key, quoted as the specification asks."""
    if argument and not any(c in argument for c in " \t\n\"'\\><~|&;$*?#()`%"):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'.replace("%", "%%")


def exec_line(command: Sequence[str]) -> str:
    # The desktop entry's own escapes come on top: a backslash is written twice.
    return " ".join(_exec_argument(a) for a in command).replace("\\", "\\\\")


def desktop_entry(command: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Confab\n"
        "Comment=Chat with OpenAI-compatible models\n"
        f"Exec={exec_line(command)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def set_xdg_autostart(
    enabled: bool, command: Sequence[str], environ: Mapping[str, str] = os.environ
) -> Path:
    path = xdg_autostart_file(environ)
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, desktop_entry(command).encode("utf-8"))
    else:
        path.unlink(missing_ok=True)
    return path


# ---- Windows ------------------------------------------------------------------------------


def run_key_value(command: Sequence[str]) -> str:
    """The Run key's value: a command line as Windows parses it."""
    return subprocess.list2cmdline(list(command))


def set_windows_run_key(enabled: bool, command: Sequence[str]) -> None:
    if sys.platform != "win32":
        raise OSError("the Run registry key exists on Windows only")
    import winreg

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if enabled:
            winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, run_key_value(command))
        else:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, RUN_VALUE)


# ---- macOS --------------------------------------------------------------------------------


def launch_agent_file(home: Path | None = None) -> Path:
    return (home or Path.home()) / "Library" / "LaunchAgents" / f"{APP_ID}.plist"


def launch_agent(command: Sequence[str]) -> bytes:
    return plistlib.dumps(
        {
            "Label": APP_ID,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
    )


def set_launch_agent(enabled: bool, command: Sequence[str], home: Path | None = None) -> Path:
    path = launch_agent_file(home)
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, launch_agent(command))
    else:
        path.unlink(missing_ok=True)
    return path


# ---- the one the platform uses ------------------------------------------------------------


def set_start_on_login(
    enabled: bool, command: Sequence[str], *, platform: str = sys.platform
) -> None:
    """Start ``command`` when the user logs in (or no longer). OSError when it cannot."""
    if platform == "win32":
        set_windows_run_key(enabled, command)
    elif platform == "darwin":
        set_launch_agent(enabled, command)
    else:
        set_xdg_autostart(enabled, command)
