"""A private, real Secret Service for the test session (pytest plugin).

Registered from tests/conftest.py with ``pytest_plugins = ["tests.support.secret_service"]``.

For the whole session it runs its own D-Bus session bus and an unlocked gnome-keyring-daemon
(secrets component only) in a temporary HOME, and points this process and every subprocess a
test starts at them. So keyring's SecretService backend is exercised for real, and no test can
ever read or write the developer's own keyring.

Fixtures:

``secret_service`` (session)
    Yields a :class:`SecretService`: ``address`` (the private bus), ``env`` (a full environment
    for ``subprocess`` calls), ``overrides`` (only the variables this plugin set) and
    ``startup_seconds``. Skips with the reason (and the Debian packages to install) when the
    service cannot start.

``_no_user_keyring`` (session, autouse)
    Makes sure the private bus is in place for every test; if the service could not start it
    selects keyring's fail backend instead and points D-Bus at a socket that does not exist,
    so tests see "no keyring" rather than the user's.

Environment set for the session: ``DBUS_SESSION_BUS_ADDRESS``, ``XDG_RUNTIME_DIR`` (private,
0700) and ``PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring`` (or
``keyring.backends.fail.Keyring`` when the service is unavailable). Everything is restored and
both daemons are stopped at the end of the session.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
FAIL_BACKEND = "keyring.backends.fail.Keyring"
PACKAGES_HINT = "install the Debian packages gnome-keyring and dbus-x11"
START_TIMEOUT = 15.0

# Only the variables this plugin manages; restored exactly at session end.
_MANAGED = ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "PYTHON_KEYRING_BACKEND")

# No <servicedir>: nothing on this bus is D-Bus-activated, so no stray keyring daemon (locked,
# wanting a prompt) or other desktop service can start behind our back.
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretServiceUnavailable(RuntimeError):
    """The private Secret Service could not be started; the message says why."""


@dataclass(frozen=True)
class SecretService:
    address: str
    env: dict[str, str]
    overrides: dict[str, str]
    startup_seconds: float
    root: Path


@dataclass
class _State:
    service: SecretService | None = None
    reason: str = ""
    root: Path | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _die_with_parent(argv: list[str]) -> list[str]:
    """Prefix ``argv`` so the daemon gets SIGTERM if pytest is killed outright.

    setpriv (util-linux) rather than a preexec_fn: Python 3.12+ warns about fork() in a
    threaded process when preexec_fn is used, and tests run with warnings as errors."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", "TERM", "--", *argv] if setpriv else argv


def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if not ready:
            break
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace").strip()


def _tail(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace")[-2000:].strip()
    except OSError:
        return ""


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    # Keyring first, then the bus it lives on. wait() reaps them: no zombies left behind.
    for proc in reversed(processes):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    processes.clear()


def _probe() -> None:
    """Write, read back and delete an item in the default collection, with no prompt."""
    import secretstorage

    with contextlib.closing(secretstorage.dbus_init()) as connection:
        if not secretstorage.check_service_availability(connection):
            raise SecretServiceUnavailable("org.freedesktop.secrets is not on the bus yet")
        collection = secretstorage.get_default_collection(connection)
        if collection.is_locked():
            raise SecretServiceUnavailable("the default collection is locked")
        attributes = {"application": "confab-tests-probe"}
        item = collection.create_item("confab probe", attributes, b"probe", replace=True)
        try:
            if item.get_secret() != b"probe":
                raise SecretServiceUnavailable("probe item read back wrong")
        finally:
            item.delete()


def _start(state: _State) -> SecretService:
    dbus_daemon = shutil.which("dbus-daemon")
    keyring_daemon = shutil.which("gnome-keyring-daemon")
    if not dbus_daemon or not keyring_daemon:
        missing = [
            n
            for n, p in (("dbus-daemon", dbus_daemon), ("gnome-keyring-daemon", keyring_daemon))
            if not p
        ]
        raise SecretServiceUnavailable(f"{', '.join(missing)} not found: {PACKAGES_HINT}")
    try:
        import secretstorage  # noqa: F401
    except ImportError as exc:
        raise SecretServiceUnavailable(f"secretstorage is not importable: {exc}") from exc

    started = time.monotonic()
    # A unix socket path must stay under ~108 bytes, so prefer a short temporary folder.
    base = "/tmp" if len(tempfile.gettempdir()) > 60 and os.path.isdir("/tmp") else None
    root = state.root = Path(tempfile.mkdtemp(prefix="confab-ss-", dir=base))
    home, data, config, cache, runtime = (
        root / n for n in ("home", "data", "config", "cache", "run")
    )
    for folder in (home, data, config, cache, runtime):
        folder.mkdir(mode=0o700)
    socket = runtime / "bus"
    bus_config = root / "bus.conf"
    bus_config.write_text(_BUS_CONFIG.format(socket=socket), encoding="utf-8")

    daemon_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK")
    }
    daemon_env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(data),
        XDG_CONFIG_HOME=str(config),
        XDG_CACHE_HOME=str(cache),
        XDG_RUNTIME_DIR=str(runtime),
    )

    bus_log = root / "dbus-daemon.log"
    with bus_log.open("wb") as log_file:
        # stdout carries only the address; warnings go to the log, quoted if it fails.
        bus = subprocess.Popen(
            _die_with_parent(
                [
                    dbus_daemon,
                    f"--config-file={bus_config}",
                    "--nofork",
                    "--nopidfile",
                    "--print-address=1",
                ]
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_file,
            env=daemon_env,
            cwd=root,
        )
    state.processes.append(bus)
    address = _read_line(bus, START_TIMEOUT)
    if not address.startswith("unix:"):
        raise SecretServiceUnavailable(
            f"dbus-daemon did not start: {address or 'no address'}; {_tail(bus_log)}"
        )
    daemon_env["DBUS_SESSION_BUS_ADDRESS"] = address

    keyring_log = root / "gnome-keyring.log"
    with keyring_log.open("wb") as log_file:
        keyring_proc = subprocess.Popen(
            _die_with_parent([keyring_daemon, "--foreground", "--unlock", "--components=secrets"]),
            stdin=subprocess.PIPE,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=daemon_env,
            cwd=root,
        )
    state.processes.append(keyring_proc)
    assert keyring_proc.stdin is not None
    # --unlock reads the login keyring's password from stdin up to EOF; a fresh HOME means a
    # fresh "login" collection, created with this password, unlocked, and made the default.
    keyring_proc.stdin.write(secrets.token_hex(16).encode())
    keyring_proc.stdin.close()

    overrides = {
        "DBUS_SESSION_BUS_ADDRESS": address,
        "XDG_RUNTIME_DIR": str(runtime),
        "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND,
    }
    os.environ.update(overrides)

    deadline = time.monotonic() + START_TIMEOUT
    last_error = ""
    while True:
        if keyring_proc.poll() is not None:
            raise SecretServiceUnavailable(
                f"gnome-keyring-daemon exited with {keyring_proc.returncode}: {_tail(keyring_log)}"
            )
        try:
            _probe()
            break
        except Exception as exc:  # D-Bus errors come as many types while it starts
            last_error = f"{type(exc).__name__}: {exc}"
        if time.monotonic() > deadline:
            raise SecretServiceUnavailable(
                f"the Secret Service did not answer within {START_TIMEOUT:.0f} s "
                f"({last_error}); daemon log: {_tail(keyring_log)}"
            )
        time.sleep(0.02)

    _reset_keyring_backend()
    return SecretService(
        address=address,
        env=dict(os.environ),
        overrides=overrides,
        startup_seconds=time.monotonic() - started,
        root=root,
    )


def _reset_keyring_backend(fail: bool = False) -> None:
    """Make an already imported keyring pick its backend again from PYTHON_KEYRING_BACKEND.

    keyring caches the backend it chose on first use; not yet imported, it will read the
    variable by itself (and tests that check lazy imports still see it absent)."""
    if "keyring.core" not in sys.modules:
        return
    import keyring.core

    if fail:
        import keyring.backends.fail

        keyring.core.set_keyring(keyring.backends.fail.Keyring())
    else:
        keyring.core.init_backend()


@pytest.fixture(scope="session")
def _secret_service_state() -> Iterator[_State]:
    saved = {key: os.environ.get(key) for key in _MANAGED}
    state = _State()
    try:
        state.service = _start(state)
    except Exception as exc:  # whatever went wrong, tests must still run (and skip)
        why = str(exc) if isinstance(exc, SecretServiceUnavailable) else repr(exc)
        state.reason = f"private Secret Service unavailable: {why}"
        _stop(state.processes)
    try:
        yield state
    finally:
        _stop(state.processes)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        # Nothing after the session may fall through to the developer's keyring.
        _reset_keyring_backend(fail=True)
        if state.root is not None:
            shutil.rmtree(state.root, ignore_errors=True)


@pytest.fixture(scope="session")
def secret_service(_secret_service_state: _State) -> SecretService:
    if _secret_service_state.service is None:
        pytest.skip(_secret_service_state.reason)
    return _secret_service_state.service


@pytest.fixture(scope="session", autouse=True)
def _no_user_keyring(
    _secret_service_state: _State, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    if _secret_service_state.service is not None:
        yield
        return
    # No private service: make sure nothing can reach the user's bus or keyring either.
    dead = tmp_path_factory.mktemp("no-dbus") / "no-bus"
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={dead}"
    os.environ["PYTHON_KEYRING_BACKEND"] = FAIL_BACKEND
    _reset_keyring_backend()
    yield
