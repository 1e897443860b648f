"""Start on login: the Linux autostart file for real (in a temporary XDG_CONFIG_HOME), the
macOS LaunchAgent in a temporary home, and the Windows Run key's value through its pure part."""

from __future__ import annotations

import configparser
import plistlib
import subprocess
from pathlib import Path

import pytest

from desktop.core import autostart


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def _exec_words(exec_value: str) -> list[str]:
    """The Exec key as the Desktop Entry Specification has a launcher read it: the string's
    escapes (\\\\ is one backslash), then the arguments (quoted ones with \\", \\`, \\$ and
    \\\\ escaped), then %% → %."""
    text = exec_value.replace("\\\\", "\\")
    words: list[str] = []
    word: str | None = None
    quoted = False
    chars = iter(text)
    for char in chars:
        if quoted:
            if char == "\\":
                word = (word or "") + next(chars)
            elif char == '"':
                quoted = False
            else:
                word = (word or "") + char
        elif char == '"':
            quoted, word = True, word or ""
        elif char == " ":
            if word is not None:
                words.append(word)
            word = None
        else:
            word = (word or "") + char
    if word is not None:
        words.append(word)
    return [w.replace("%%", "%") for w in words]


def test_the_xdg_autostart_file_is_written_and_removed(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    command = ["/opt/my apps/python3", "-m", "desktop", "--data-dir", '/data/a "b" $c 100% \\x']

    path = autostart.set_xdg_autostart(True, command, environ)

    assert path == tmp_path / "config" / "autostart" / "io.github.confab.Confab.desktop"
    entry = _entry(path)
    assert entry["Type"] == "Application" and entry["Name"] == "Confab"
    assert _exec_words(entry["Exec"]) == command
    autostart.set_xdg_autostart(False, command, environ)
    assert not path.exists()
    autostart.set_xdg_autostart(False, command, environ)  # already gone: nothing to do


def test_a_relative_xdg_config_home_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert autostart.xdg_autostart_file({"XDG_CONFIG_HOME": "relative"}) == (
        tmp_path / ".config" / "autostart" / "io.github.confab.Confab.desktop"
    )
    assert autostart.xdg_autostart_file({}).parent == tmp_path / ".config" / "autostart"


def test_the_launch_agent_runs_confab_at_login(tmp_path: Path) -> None:
    command = ["/Applications/Confab.app/Contents/MacOS/Confab"]
    path = autostart.set_launch_agent(True, command, home=tmp_path)
    assert path == tmp_path / "Library" / "LaunchAgents" / "io.github.confab.Confab.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "io.github.confab.Confab"
    assert agent["ProgramArguments"] == command and agent["RunAtLoad"] is True
    autostart.set_launch_agent(False, command, home=tmp_path)
    assert not path.exists()


def test_the_run_key_value_is_one_windows_command_line() -> None:
    command = [r"C:\Program Files\Confab\Confab.exe", "--data-dir", r"D:\My Data"]
    value = autostart.run_key_value(command)
    assert value == r'"C:\Program Files\Confab\Confab.exe" --data-dir "D:\My Data"'
    assert subprocess.list2cmdline(command) == value


def test_the_run_key_is_refused_off_windows() -> None:
    with pytest.raises(OSError):
        autostart.set_windows_run_key(True, ["confab"])


def test_each_platform_gets_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    autostart.set_start_on_login(True, ["confab"], platform="linux")
    assert (tmp_path / "xdg" / "autostart" / "io.github.confab.Confab.desktop").is_file()
    autostart.set_start_on_login(True, ["confab"], platform="darwin")
    assert (tmp_path / "home" / "Library" / "LaunchAgents").is_dir()
    with pytest.raises(OSError):
        autostart.set_start_on_login(True, ["confab"], platform="win32")


def test_the_command_names_the_data_folder_only_when_it_is_not_the_usual_one(
    tmp_path: Path,
) -> None:
    usual = autostart.resolve_data_dir(None, {})
    assert autostart.launch_command(
        usual, executable="/usr/bin/python3", frozen=False, environ={}
    ) == [
        "/usr/bin/python3",
        "-m",
        "desktop",
    ]
    assert autostart.launch_command(
        tmp_path, executable="/opt/Confab/confab", frozen=True, environ={}
    ) == [
        "/opt/Confab/confab",
        "--data-dir",
        str(tmp_path),
    ]
