"""Confab as a screen reader meets it: the real app under Xvfb (xcb) with Qt's AT-SPI bridge,
in a D-Bus session of the test's own, read and driven from another process through AT-SPI.

Under the ``xvfb_display`` of tests/support/xvfb.py:

- ``accessibility_session(root)``: a private session bus (dbus-daemon with the standard
  session configuration, so that org.a11y.Bus, at-spi-bus-launcher, is started on demand as on
  a desktop), and a private XDG_RUNTIME_DIR, where the launcher puts the accessibility bus's
  socket (it would be ~/.cache/at-spi/bus, shared with anything else the user runs).
- ``AtspiClient``: tests/support/atspi_client.py under the system's Python, with pyatspi, the
  client library Orca uses: the same calls, the same registry, the same events. Chosen over
  speaking org.a11y.atspi over D-Bus from the venv: pyatspi (libatspi) does the registry's
  event registration (without which Qt sends no events), the cache and the desktop's list of
  applications as every real AT does, where a hand-written D-Bus client would test our reading
  of the protocol as much as Confab.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.logs import wait_for_log
from tests.support.secret_service import _die_with_parent, _read_line, _stop

SYSTEM_PYTHON = "/usr/bin/python3"
CLIENT = Path(__file__).with_name("atspi_client.py")
PACKAGES_HINT = "apt-get install at-spi2-core python3-pyatspi xvfb dbus"


def missing_tools() -> str:
    """Why the AT-SPI tests cannot run here ("" when they can)."""
    if not shutil.which("dbus-daemon"):
        return "dbus-daemon"
    if not Path("/usr/libexec/at-spi-bus-launcher").exists() and not shutil.which(
        "at-spi-bus-launcher"
    ):
        return "at-spi-bus-launcher (at-spi2-core)"
    if not Path(SYSTEM_PYTHON).exists():
        return SYSTEM_PYTHON
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, text=True, timeout=30
    )
    return "" if probe.returncode == 0 else "pyatspi for /usr/bin/python3 (python3-pyatspi)"


@contextmanager
def accessibility_session(root: Path) -> Iterator[dict[str, str]]:
    """A session bus of our own; yields the variables that put a process on it."""
    runtime = root / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    log = root / "dbus-daemon.log"
    processes: list[subprocess.Popen[bytes]] = []
    with log.open("wb") as log_file:
        bus = subprocess.Popen(
            _die_with_parent(
                ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"]
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_file,
            env=env,
            cwd=root,
        )
    processes.append(bus)
    try:
        address = _read_line(bus, 15)
        if not address.startswith("unix:"):
            pytest.fail(f"dbus-daemon did not start: {address!r} {log.read_text()}")
        yield {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(runtime)}
    finally:
        # The accessibility bus's launcher and registry leave with the session bus.
        _stop(processes)


@dataclass
class Node:
    """One accessible object as the client saw it."""

    path: list[int]
    role: str
    name: str
    description: str
    states: list[str]
    actions: list[str] = field(default_factory=list)
    text: str | None = None

    @property
    def showing(self) -> bool:
        return "showing" in self.states


class AtspiClient:
    """The AT side: tests/support/atspi_client.py in a process of its own."""

    def __init__(self, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(CLIENT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        hello = self._answer(30)
        assert hello.get("ready"), hello

    def _answer(self, timeout: float) -> dict[str, Any]:
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        if not ready:
            raise AssertionError(f"the AT-SPI client said nothing in {timeout} s")
        line = self._proc.stdout.readline()
        if not line:
            assert self._proc.stderr is not None
            raise AssertionError(f"the AT-SPI client died: {self._proc.stderr.read()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, wait: float = 60, **request: Any) -> dict[str, Any]:
        """Send ``request``; its answer within ``wait`` seconds (it must be ok)."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        answer = self._answer(wait)
        assert answer.get("ok"), answer
        return answer

    def tree(self) -> list[Node]:
        return [Node(**node) for node in self.ask(op="tree")["nodes"]]

    def press(self, node: Node, action: str = "Press") -> None:
        self.ask(op="do", path=node.path, action=action)

    def close(self) -> None:
        if self._proc.poll() is None:
            with suppress(AssertionError, BrokenPipeError):
                self.ask(op="quit", wait=10)
        _stop([self._proc])  # type: ignore[list-item]


@contextmanager
def confab_under_atspi(
    data_dir: Path, root: Path, display: str
) -> Iterator[tuple[subprocess.Popen[str], AtspiClient]]:
    """Confab on ``data_dir`` with its accessibility on, and a client that found it."""
    with accessibility_session(root) as session:
        env = dict(os.environ)
        env.pop("CONFAB_DATA_DIR", None)
        env.update(session)
        env.update(
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            # Qt's bridge starts only when a screen reader is said to be running (a
            # desktop's setting, org.a11y.Status); this says so.
            QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
            # The session's Secret Service is not on this bus: keys stay in memory.
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        client: AtspiClient | None = None
        try:
            wait_for_log(data_dir, "window ready", proc, 60)
            client = AtspiClient(env)
            client.ask(op="app", pid=proc.pid, timeout=30)  # (its own wait: 60 s)
            yield proc, client
        finally:
            if client is not None:
                client.close()
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
