"""API keys: the keyring (a fake one, then the real Secret Service), and the memory fallback."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import pathlib
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.SecretService
import keyring.core
import keyring.errors
import pytest

from desktop.core.errors import KeyringUnavailableError, KeyStoreError
from desktop.core.secrets import SERVICE, KeyStore
from tests.support.secret_service import SecretService


class FakeBackend:
    """An in-memory keyring that counts calls and can be told to fail."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str, str]] = []
        self.error: KeyStoreError | None = None

    def _enter(self, name: str, service: str, username: str) -> None:
        self.calls.append((name, service, username))
        if self.error is not None:
            raise self.error

    def get_password(self, service: str, username: str) -> str | None:
        self._enter("get", service, username)
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._enter("set", service, username)
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._enter("delete", service, username)
        self.items.pop((service, username), None)


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


def new_key() -> str:
    return "sk-test-" + secrets.token_hex(12)


# --- with a fake backend ---------------------------------------------------------------------


def test_store_get_delete(fake: FakeBackend) -> None:
    store = KeyStore(fake)
    key = new_key()

    store.set("openai", key)
    assert fake.items == {("Confab", "openai"): key}
    assert store.get("openai") == key
    assert store.has_key("openai")
    assert KeyStore(fake).get("openai") == key

    store.set("openai", None)
    assert fake.items == {}
    assert store.get("openai") is None
    assert not store.has_key("openai")
    assert store.persistent and store.problem == ""


@pytest.mark.parametrize("empty", ["", "   ", "\n", None])
def test_empty_key_deletes(fake: FakeBackend, empty: str | None) -> None:
    store = KeyStore(fake)
    store.set("deepseek", "sk-deepseek-123456")
    store.set("deepseek", empty)
    assert ("Confab", "deepseek") not in fake.items
    assert store.get("deepseek") is None
    assert fake.calls[-1][0] in ("delete", "get")


def test_key_is_stripped(fake: FakeBackend) -> None:
    KeyStore(fake).set("openai", "  sk-with-spaces-1234 \n")
    assert fake.items[("Confab", "openai")] == "sk-with-spaces-1234"


def test_keys_are_per_provider(fake: FakeBackend) -> None:
    store = KeyStore(fake)
    store.set("openai", "sk-a-1234567890")
    store.set("openrouter", "sk-or-1234567890")
    assert store.get("openai") == "sk-a-1234567890"
    assert store.get("openrouter") == "sk-or-1234567890"
    assert store.get("ollama") is None


def test_get_is_cached(fake: FakeBackend) -> None:
    fake.items[("Confab", "openai")] = "sk-cached-123456"
    store = KeyStore(fake)

    assert store.get("openai") == "sk-cached-123456"
    assert store.get("openai") == "sk-cached-123456"
    assert store.get("nothing") is None
    assert store.get("nothing") is None

    gets = [c for c in fake.calls if c[0] == "get"]
    assert gets == [("get", "Confab", "openai"), ("get", "Confab", "nothing")]


def test_set_refreshes_the_cache(fake: FakeBackend) -> None:
    store = KeyStore(fake)
    store.set("openai", "sk-first-1234567")
    store.set("openai", "sk-second-123456")
    assert store.get("openai") == "sk-second-123456"
    assert not [c for c in fake.calls if c[0] == "get"]  # answered from the cache


# --- falling back to memory ------------------------------------------------------------------


@pytest.fixture
def no_file_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if anything opens a file for writing while it runs."""

    def guard(opener: Any) -> Any:
        def wrapper(file: Any, mode: Any = "r", *args: Any, **kwargs: Any) -> Any:
            if isinstance(mode, str) and any(c in mode for c in "wax+"):
                raise AssertionError(f"a file was opened for writing: {file}")
            if isinstance(mode, int) and mode & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise AssertionError(f"a file was opened for writing: {file}")
            return opener(file, mode, *args, **kwargs)

        return wrapper

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", guard(builtins.open))
        patch.setattr(io, "open", guard(io.open))
        patch.setattr(os, "open", guard(os.open))
        patch.setattr(pathlib.Path, "write_text", _forbidden)
        patch.setattr(pathlib.Path, "write_bytes", _forbidden)
        yield


def _forbidden(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a file was written")


def test_unavailable_keyring_falls_back_to_memory(
    fake: FakeBackend, no_file_writes: None, caplog: pytest.LogCaptureFixture
) -> None:
    fake.error = KeyringUnavailableError("no Secret Service on this bus")
    store = KeyStore(fake)
    key = new_key()

    store.set("openai", key)

    assert store.persistent is False
    assert store.problem == "no Secret Service on this bus"
    assert store.get("openai") == key
    assert store.has_key("openai")
    assert fake.items == {}
    assert key not in caplog.text

    calls_before = len(fake.calls)
    store.set("deepseek", "sk-other-1234567")
    assert store.get("deepseek") == "sk-other-1234567"
    assert len(fake.calls) == calls_before  # once broken, the backend is left alone

    store.set("openai", "")
    assert store.get("openai") is None


def test_fallback_when_reading_fails(fake: FakeBackend) -> None:
    fake.error = KeyringUnavailableError("locked")
    store = KeyStore(fake)
    assert store.get("openai") is None
    assert store.persistent is False
    assert store.problem == "locked"


def test_fallback_on_any_key_store_error(fake: FakeBackend) -> None:
    fake.error = KeyStoreError("the keyring refused")
    store = KeyStore(fake)
    store.set("openai", "sk-kept-in-memory-1")
    assert store.persistent is False
    assert store.get("openai") == "sk-kept-in-memory-1"


def test_fallback_keeps_keys_out_of_the_data_folder(
    fake: FakeBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    fake.error = KeyringUnavailableError("none")
    key = new_key()
    KeyStore(fake).set("openai", key)
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or key.encode() not in path.read_bytes()


# --- the real keyring module -----------------------------------------------------------------


def reset_keyring() -> None:
    keyring.core.init_backend()


@pytest.fixture
def real_keyring(secret_service: SecretService) -> Iterator[SecretService]:
    reset_keyring()
    assert isinstance(keyring.get_keyring(), keyring.backends.SecretService.Keyring)
    yield secret_service
    for user in ("openai", "deepseek"):
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE, user)


def test_default_store_uses_the_secret_service(real_keyring: SecretService) -> None:
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == real_keyring.address
    assert real_keyring.env["DBUS_SESSION_BUS_ADDRESS"] == real_keyring.address
    key = new_key()

    store = KeyStore()
    store.set("openai", key)
    assert store.persistent, store.problem

    assert KeyStore().get("openai") == key
    assert keyring.get_password("Confab", "openai") == key
    assert keyring.get_password("Confab", "deepseek") is None

    KeyStore().set("openai", "")
    assert keyring.get_password("Confab", "openai") is None
    assert KeyStore().get("openai") is None


def test_keys_live_in_the_private_keyring_and_reach_subprocesses(
    real_keyring: SecretService,
) -> None:
    key = new_key()
    KeyStore().set("openai", key)
    # The daemon keeps its files under the fixture's own HOME, not the developer's.
    assert any((real_keyring.root / "data" / "keyrings").glob("*.keyring"))
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring; print(type(keyring.get_keyring()).__module__, "
            "keyring.get_password('Confab', 'openai'))",
        ],
        env=real_keyring.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert child.stdout.split() == ["keyring.backends.SecretService", key]


def test_default_store_reads_keys_set_by_others(real_keyring: SecretService) -> None:
    keyring.set_password("Confab", "deepseek", "sk-from-elsewhere-1")
    store = KeyStore()
    assert store.get("deepseek") == "sk-from-elsewhere-1"
    assert store.get("openai") is None
    store.set("openai", None)  # deleting a key that is not there is fine
    assert store.persistent, store.problem


@pytest.fixture
def fail_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        reset_keyring()
        assert isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)
        yield
    reset_keyring()


def test_default_store_without_a_keyring_reports_not_persistent(fail_backend: None) -> None:
    store = KeyStore()
    key = new_key()

    store.set("openai", key)

    assert store.persistent is False
    assert store.problem
    assert store.get("openai") == key
    assert KeyStore().get("openai") is None  # memory only: gone with this session


class _BrokenBackend(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


@pytest.fixture
def broken_backend() -> Iterator[Any]:
    def install(error: Exception) -> None:
        keyring.core.set_keyring(_BrokenBackend(error))

    yield install
    reset_keyring()


@pytest.mark.parametrize(
    "error",
    [
        keyring.errors.KeyringLocked("Failed to unlock the collection!"),
        keyring.errors.InitError("Failed to create the collection"),
        RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
def test_backend_errors_never_escape(broken_backend: Any, error: Exception) -> None:
    broken_backend(error)
    store = KeyStore()
    store.set("openai", "sk-survives-1234567")
    assert store.persistent is False
    assert str(error.args[-1]) in store.problem
    assert store.get("openai") == "sk-survives-1234567"


def test_missing_key_on_delete_is_not_a_failure(broken_backend: Any) -> None:
    broken_backend(keyring.errors.PasswordDeleteError("No such password!"))
    store = KeyStore()
    store.set("openai", None)
    assert store.persistent is True


def test_pasted_keys_lose_line_breaks_and_spaces() -> None:
    from desktop.core.secrets import clean_key

    assert clean_key("  sk-abc\n123\r\n ") == "sk-abc123"
    assert clean_key("\t\n") is None
    assert clean_key(None) is None
    assert clean_key("sk-\x00x\u200by") == "sk-xy"
