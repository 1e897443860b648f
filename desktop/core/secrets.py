"""API keys: in the OS keyring (service ``Confab``, user name = provider id), nowhere else.
A provider's proxy password goes there too, as user name ``<provider id>:proxy``.

When the machine has no usable keyring the key is held in memory for this session only and
``persistent`` turns False so the UI can say so; it never falls back to a file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from desktop.core.errors import KeyringUnavailableError, KeyStoreError
from desktop.core.providers import normalize_key

log = logging.getLogger("confab.secrets")

SERVICE = "Confab"


class KeyBackend(Protocol):
    """The three calls of the ``keyring`` module that Confab uses."""

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


class _KeyringModule:
    """Imports ``keyring`` on first use: it costs start-up time the first paint should not pay."""

    def _module(self) -> Any:
        import keyring
        import keyring.errors

        backend = keyring.get_keyring()
        priority = getattr(backend, "priority", 1)
        if priority is not None and priority <= 0:
            raise KeyringUnavailableError(f"no usable keyring backend ({type(backend).__name__})")
        return keyring

    def get_password(self, service: str, username: str) -> str | None:
        return self._call("get_password", service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._call("set_password", service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._call("delete_password", service, username)

    def _call(self, name: str, *args: str) -> str | None:
        keyring = self._module()
        import keyring.errors as kerrors

        try:
            result: str | None = getattr(keyring, name)(*args)
        except kerrors.PasswordDeleteError:
            return None
        except kerrors.NoKeyringError as exc:
            raise KeyringUnavailableError(str(exc)) from exc
        except kerrors.KeyringError as exc:
            raise KeyStoreError(str(exc)) from exc
        except Exception as exc:  # D-Bus and backend failures come as many types
            raise KeyringUnavailableError(f"{type(exc).__name__}: {exc}") from exc
        return result


def proxy_secret_name(provider_id: str) -> str:
    """The keyring user name of a provider's proxy password. Provider ids are [a-z0-9-], so
    it can never be another provider's id."""
    return f"{provider_id}:proxy"


def clean_key(key: str | None) -> str | None:
    """Keys never contain white space, quotes around them, "Bearer " or control characters;
    a pasted key often does (a line break from a wrapped terminal, a trailing space, the
    quotes of a document). Remove them (``normalize_key``). A character that is left and
    cannot be sent (non-ASCII) is kept: the dialog refuses such a key before it gets here
    (``key_problem``), and one stored elsewhere is better answered by the server's 401 than
    silently sent as another key."""
    if key is None:
        return None
    cleaned = "".join(ch for ch in normalize_key(key) if ch.isprintable())
    return cleaned or None


class KeyStore:
    def __init__(self, backend: KeyBackend | None = None) -> None:
        self._backend: KeyBackend = backend if backend is not None else _KeyringModule()
        self._memory: dict[str, str] = {}
        self._cache: dict[str, str | None] = {}
        self.persistent = True
        self.problem = ""

    def get(self, provider_id: str) -> str | None:
        # Cleaned on the way out too: a key stored by another tool may end in a newline.
        return self._get(provider_id, clean_key)

    def set(self, provider_id: str, key: str | None) -> None:
        """Store ``key`` (or remove it when empty). Never raises for a missing keyring."""
        self._set(provider_id, clean_key(key))

    def get_secret(self, name: str) -> str | None:
        """Another secret than an API key (a proxy password, see ``proxy_secret_name``):
        kept exactly as typed, spaces and all. Unlike a key it needs no cleaning to be sent:
        it travels as UTF-8, base64-encoded in ``Proxy-Authorization: Basic`` or as bytes in
        the SOCKS5 login, so any character can; and a password may really begin with a
        space or a quote."""
        return self._get(name, lambda value: value or None)

    def set_secret(self, name: str, value: str | None) -> None:
        self._set(name, value or None)

    def _get(self, name: str, clean: Callable[[str | None], str | None]) -> str | None:
        if name in self._memory:
            return self._memory[name]
        if name in self._cache:
            return self._cache[name]
        if not self.persistent:
            return None
        try:
            value = clean(self._backend.get_password(SERVICE, name))
        except KeyStoreError as exc:
            self._fall_back(exc)
            return None
        self._cache[name] = value
        return value

    def _set(self, name: str, value: str | None) -> None:
        self._cache.pop(name, None)
        if self.persistent:
            try:
                if value is None:
                    self._backend.delete_password(SERVICE, name)
                else:
                    self._backend.set_password(SERVICE, name, value)
                self._memory.pop(name, None)
                self._cache[name] = value
                return
            except KeyStoreError as exc:
                self._fall_back(exc)
        if value is None:
            self._memory.pop(name, None)
        else:
            self._memory[name] = value

    def in_memory(self, provider_id: str) -> bool:
        """A key kept in memory (no keyring), without calling the keyring."""
        return bool(self._memory.get(provider_id))

    def has_key(self, provider_id: str) -> bool:
        return bool(self.get(provider_id))

    def _fall_back(self, exc: KeyStoreError) -> None:
        log.warning("keyring unavailable, keys kept in memory only: %s", exc.detail)
        self.persistent = False
        self.problem = exc.detail
