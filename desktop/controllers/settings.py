"""Providers, their keys and clients, and the window's remembered state.

Every keyring call runs in a thread of its own (``blocking.Worker``), in the order asked: a
locked keyring may ask the user for a password and wait minutes, and the window must not freeze
meanwhile. So the key of a provider is awaited (``api_key``, ``client``); storing one returns at
once, and a read asked for after it sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from desktop.controllers.blocking import Worker
from desktop.core import autostart, folders
from desktop.core.errors import ConfabError, StorageError
from desktop.core.logs import register_secret
from desktop.core.network import PROXY_CUSTOM, NetworkSettings, check_ca_bundle, is_local_url
from desktop.core.personas import BUILTIN_PERSONAS, Persona
from desktop.core.preferences import Preferences, preferences_of, store_preferences
from desktop.core.pricing import Price, PriceTable
from desktop.core.secrets import KeyStore, proxy_secret_name
from desktop.core.settings import Provider, Settings, SettingsStore, normalize_base_url, slugify
from desktop.core.tasks import TaskSet
from desktop.core.writer import FileWriter

if TYPE_CHECKING:
    from desktop.core.client import ChatClient

log = logging.getLogger("confab.settings")


class ClientFactory(Protocol):
    def __call__(
        self,
        base_url: str,
        api_key: str | None,
        network: NetworkSettings,
        proxy_password: str | None,
    ) -> ChatClient: ...


def _default_client(
    base_url: str, api_key: str | None, network: NetworkSettings, proxy_password: str | None
) -> ChatClient:
    # httpx costs ~80 ms to import: load it at the first request, after the window has painted.
    from desktop.core.client import ChatClient

    return ChatClient(base_url, api_key, network=network, proxy_password=proxy_password)


class SettingsController(QObject):
    providers_changed = Signal()
    # The folders the user made (settings.json ``folders``) changed.
    folders_changed = Signal()
    keyring_unavailable = Signal(str)
    save_failed = Signal(object)
    # The preferences changed (Preferences window): the set of the names that did.
    preferences_changed = Signal(object)
    # Start on login could not be set or unset: what went wrong.
    start_on_login_failed = Signal(str)

    def __init__(
        self,
        store: SettingsStore,
        keys: KeyStore,
        client_factory: ClientFactory = _default_client,
        prices_path: Path | None = None,
        parent: QObject | None = None,
        *,
        start_on_login: Callable[[bool, Sequence[str]], None] = autostart.set_start_on_login,
    ) -> None:
        """``start_on_login(enabled, command)`` sets the platform's autostart (tests give
        their own to check what the other platforms get)."""
        super().__init__(parent)
        self._store = store
        self._start_on_login = start_on_login
        # Autostart files and the registry are written in a thread of their own too.
        self._autostart = Worker("confab-autostart")
        self._keys = keys
        self._client_factory = client_factory
        self._clients: dict[str, ChatClient] = {}
        # Bumped when a provider's client is dropped: a client being made from keys read
        # before that is not kept.
        self._client_generation: dict[str, int] = {}
        self._keyring = Worker("confab-keyring")
        # settings.json is written in a thread of its own too: a write and its fsyncs can take
        # a disk's whole attention for a moment.
        self._writer = FileWriter(name="confab-settings")
        self._writing: Future[None] | None = None
        self._tasks = TaskSet()
        self.settings: Settings = store.load()
        self._prices_path = prices_path
        self._prices: PriceTable | None = None
        self._warned_keyring = False

    # ---- providers -------------------------------------------------------------------

    def providers(self) -> list[Provider]:
        return list(self.settings.providers)

    def provider(self, provider_id: str | None) -> Provider | None:
        return self.settings.provider(provider_id)

    def default_provider(self) -> Provider | None:
        return self.settings.provider(self.settings.default_provider) or (
            self.settings.providers[0] if self.settings.providers else None
        )

    def new_provider_id(self, name: str) -> str:
        return slugify(name, {p.id for p in self.settings.providers})

    def save_provider(
        self, provider: Provider, api_key: str | None, proxy_password: str | None = None
    ) -> None:
        """Add or update ``provider``; ``api_key`` or ``proxy_password`` None leaves the stored
        one alone, "" removes it. Both go to the keyring only. The provider's client is
        rebuilt at its next use, with the new address, key and network settings."""
        provider.base_url = normalize_base_url(provider.base_url)
        existing = self.settings.provider(provider.id)
        if existing is None:
            self.settings.providers.append(provider)
        else:
            index = self.settings.providers.index(existing)
            self.settings.providers[index] = provider
        if (
            not self.settings.default_provider
            or self.provider(self.settings.default_provider) is None
        ):
            self.settings.default_provider = provider.id
        if api_key is not None:
            register_secret(api_key)
            self._store_secret(self._keys.set, provider.id, api_key)
        if proxy_password is not None:
            register_secret(proxy_password)
            self._store_secret(
                self._keys.set_secret, proxy_secret_name(provider.id), proxy_password
            )
        self._drop_client(provider.id)
        self._save()
        self.providers_changed.emit()

    def remove_provider(self, provider_id: str) -> None:
        provider = self.settings.provider(provider_id)
        if provider is None:
            return
        self.settings.providers.remove(provider)
        if self._store.newer_version is None:
            self._store_secret(self._keys.set, provider_id, None)
            self._store_secret(self._keys.set_secret, proxy_secret_name(provider_id), None)
        # Else settings.json keeps the provider, which then needs its key after a restart.
        if self.settings.default_provider == provider_id:
            self.settings.default_provider = (
                self.settings.providers[0].id if self.settings.providers else None
            )
        self._drop_client(provider_id)
        self._save()
        self.providers_changed.emit()

    def remember_models(self, provider_id: str, models: list[str]) -> None:
        provider = self.settings.provider(provider_id)
        if provider is not None and models and provider.models != models:
            provider.models = list(models)
            self._save()

    # ---- keys and clients ----------------------------------------------------------

    async def api_key(self, provider_id: str) -> str | None:
        """The stored key of a provider, read in the keyring thread."""
        key = await self._keyring.run(self._keys.get, provider_id)
        if key is not None or self._may_need_key(provider_id):
            # A server on this computer (Ollama, LM Studio) needs no key: no warning for it.
            self._check_keyring()
        register_secret(key)
        return key

    async def keyring_settled(self) -> None:
        """Until every keyring call asked for so far has ended (they run in order)."""
        await self._keyring.run(_nothing)

    def key_in_memory(self, provider_id: str) -> bool:
        """Without a keyring: whether a key typed since start is kept in memory (no keyring
        call, so fit for the UI thread)."""
        return self._keys.in_memory(provider_id)

    def _store_secret(
        self, store: Callable[[str, str | None], None], name: str, value: str | None
    ) -> None:
        """Store (or with None remove) a secret in the keyring thread; reads asked for after
        this see it. A keyring found missing is reported when the write ends."""
        future = self._keyring.submit(store, name, value)
        self._when_done(future, lambda _error: self._check_keyring())

    def provider_name(self, provider_id: str) -> str:
        """The name the user gave a provider; its id when it has been removed since."""
        provider = self.settings.provider(provider_id)
        return provider.name if provider is not None else provider_id

    def _may_need_key(self, provider_id: str) -> bool:
        provider = self.settings.provider(provider_id)
        if provider is None:
            return False
        return not is_local_url(provider.base_url)

    async def proxy_password(self, provider_id: str) -> str | None:
        """The stored proxy password of a provider, read in the keyring thread."""
        password = await self._keyring.run(self._keys.get_secret, proxy_secret_name(provider_id))
        if password is not None:
            self._check_keyring()
        register_secret(password)
        return password

    async def _proxy_password_for(self, provider: Provider) -> str | None:
        network = provider.network
        if network.proxy != PROXY_CUSTOM or not network.proxy_user:
            return None  # no keyring look-up for a password that would not be sent
        return await self.proxy_password(provider.id)

    async def secret(self, name: str) -> str | None:
        """Another stored secret (an MCP server's, ``tools.secret_name``), read in the
        keyring thread; registered with the log's redaction."""
        value = await self._keyring.run(self._keys.get_secret, name)
        if value is not None:
            self._check_keyring()
        register_secret(value)
        return value

    def store_secret(self, name: str, value: str | None) -> None:
        """Store (None or "": remove) another secret, in the keyring thread; reads asked for
        after this see it."""
        register_secret(value)
        self._store_secret(self._keys.set_secret, name, value or None)

    def save(self) -> None:
        """Write settings.json as ``settings`` now is (another controller changed it)."""
        self._save()

    @staticmethod
    def check_ca_bundle(path: str) -> str | None:
        """What is wrong with a CA bundle file ("missing", "unreadable", "not_pem"), or None."""
        return check_ca_bundle(path)

    @property
    def keys_persistent(self) -> bool:
        return self._keys.persistent

    async def client(self, provider: Provider) -> ChatClient:
        """The provider's client, made at its first use with the key and proxy password
        read from the keyring (in its thread: the window goes on while a locked keyring asks
        the user to unlock it)."""
        while True:
            client = self._clients.get(provider.id)
            if client is not None:
                return client
            generation = self._client_generation.get(provider.id, 0)
            key = await self.api_key(provider.id)
            password = await self._proxy_password_for(provider)
            if provider.id in self._clients:
                continue  # another request made it meanwhile: share it
            if self._client_generation.get(provider.id, 0) != generation:
                # The provider was edited while its keys were read: read them again.
                provider = self.provider(provider.id) or provider
                continue
            client = self._client_factory(provider.base_url, key, provider.network, password)
            self._clients[provider.id] = client
            return client

    async def fetch_models(
        self,
        base_url: str,
        api_key: str | None,
        network: NetworkSettings | None = None,
        proxy_password: str | None = None,
    ) -> list[str]:
        """Ask a server (saved or not, with the network settings given) for its models;
        raises ApiError on failure."""
        register_secret(api_key)
        register_secret(proxy_password)
        client = self._client_factory(
            normalize_base_url(base_url),
            api_key or None,
            network or NetworkSettings(),
            proxy_password or None,
        )
        try:
            return await client.list_models()
        finally:
            await client.aclose()

    async def fetch_provider_models(self, provider_id: str) -> list[str]:
        provider = self.provider(provider_id)
        if provider is None:
            return []
        models = await (await self.client(provider)).list_models()
        self.remember_models(provider_id, models)
        return models

    # ---- prices --------------------------------------------------------------------

    @property
    def prices(self) -> PriceTable:
        """The shipped price table with the user's "prices" from settings.json on top."""
        if self._prices is None:
            path = self._prices_path or Path("/nonexistent")
            self._prices = PriceTable.load(path, self.settings.prices)
        return self._prices

    def price_overrides(self) -> dict[str, Price]:
        """The user's own prices, by lower-case model id."""
        return dict(self.settings.prices)

    def set_price(
        self,
        model: str,
        input_price: float,
        cached_input: float,
        output: float,
        context: int | None,
    ) -> None:
        """Add or override a model's price (per million tokens), kept in settings.json."""
        model = model.strip().lower()
        if not model:
            return
        overrides = self.price_overrides()
        overrides[model] = Price(
            input=input_price,
            output=output,
            cached_input=cached_input,
            context=context or None,
            checked=date.today().isoformat(),
        )
        self.settings.prices = overrides
        self._prices = None
        self._save()

    def remove_price_override(self, model: str) -> None:
        overrides = self.price_overrides()
        if overrides.pop(model.strip().lower(), None) is not None:
            self.settings.prices = overrides
            self._prices = None
            self._save()

    # ---- personas ------------------------------------------------------------------

    def personas(self) -> list[Persona]:
        """Built-in personas first, then the user's own."""
        return [*BUILTIN_PERSONAS, *self.settings.personas]

    def add_persona(self, name: str, prompt: str) -> Persona:
        persona = Persona(slugify(name, {p.id for p in self.personas()}), name.strip(), prompt)
        own = [p for p in self.settings.personas if p.name != persona.name] + [persona]
        self.settings.personas = own
        self._save()
        return persona

    def remove_persona(self, persona_id: str) -> None:
        self.settings.personas = [p for p in self.settings.personas if p.id != persona_id]
        self._save()

    # ---- folders the user made (shown while empty) ---------------------------------

    def folders(self) -> list[str]:
        return list(self.settings.folders)

    def add_folder(self, path: str) -> None:
        if path not in self.settings.folders:
            self.settings.folders = [*self.settings.folders, path]
            self._save()
            self.folders_changed.emit()

    def move_folder(self, old: str, new: str | None) -> None:
        """The folder ``old`` and its sub-folders renamed to ``new`` (None: deleted)."""
        kept: list[str] = []
        for path in self.settings.folders:
            moved = folders.moved(path, old, new)
            if moved is not None and moved not in kept:
                kept.append(moved)
        if new is not None and new not in kept:
            kept.append(new)
        if kept != self.settings.folders:
            self.settings.folders = kept
            self._save()
            self.folders_changed.emit()

    # ---- preferences (desktop/core/preferences.py) -----------------------------------

    def preferences(self) -> Preferences:
        return preferences_of(self.settings)

    def set_preferences(self, preferences: Preferences) -> set[str]:
        """Keep ``preferences`` (saved off the UI thread) and say which changed; start on
        login is set or unset for the platform too (off the UI thread; a failure is said by
        ``start_on_login_failed``)."""
        changed = store_preferences(self.settings, preferences)
        if not changed:
            return changed
        self._save()
        if "start_on_login" in changed:
            self._apply_start_on_login(preferences.start_on_login)
        self.preferences_changed.emit(changed)
        return changed

    def _apply_start_on_login(self, enabled: bool) -> None:
        command = autostart.launch_command(self._store.path.parent)
        future = self._autostart.submit(self._start_on_login, enabled, command)
        self._when_done(future, self._start_on_login_ended)

    def _start_on_login_ended(self, error: BaseException | None) -> None:
        if error is None:
            return
        log.error("start on login could not be changed: %s", error)
        detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        self.start_on_login_failed.emit(detail or type(error).__name__)

    def wait_for_start_on_login(self) -> None:
        """Until the autostart changes asked for so far are made (tests)."""
        self._autostart.submit(_nothing).result()

    # ---- window state --------------------------------------------------------------

    def window_state(self) -> dict[str, Any]:
        return dict(self.settings.window)

    def set_window_state(self, state: dict[str, Any]) -> None:
        self.settings.window = dict(state)
        self._save()

    # ---- lifecycle -----------------------------------------------------------------

    async def aclose(self) -> None:
        await self._tasks.cancel_all()
        # A keyring write asked for still runs to its end: Python waits for the thread at
        # exit, not the loop now (a locked keyring may be waiting for the user).
        self._keyring.close(wait=False)
        self._autostart.close()
        self._writer.close()  # settings.json as last asked, before the loop ends
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _drop_client(self, provider_id: str) -> None:
        self._client_generation[provider_id] = self._client_generation.get(provider_id, 0) + 1
        client = self._clients.pop(provider_id, None)
        if client is not None:
            # Not aclose(): a reply streaming through it would be cut off.
            self._tasks.spawn(client.retire())

    @property
    def problems(self) -> list[str]:
        """What could not be read in settings.json at start (empty when all was well)."""
        return list(self._store.problems)

    @property
    def kept_as(self) -> str | None:
        """Where settings.json was kept as it was, when it could not all be read."""
        return self._store.kept_as

    @property
    def newer_version(self) -> int | None:
        """The format version of a settings.json written by a newer Confab: this one then
        keeps every change in memory only, and says so once at start."""
        return self._store.newer_version

    def _save(self) -> None:
        """Encode settings.json now and have the writer thread write it (a write still waiting
        takes the newer bytes). A failure is reported when the write ends."""
        if self._store.newer_version is not None:
            log.info("settings.json is from a newer Confab: not saved")
            return
        try:
            future = self._writer.submit(self._store.path, self._store.encode(self.settings))
        except ConfabError as exc:
            self._save_ended(exc)
            return
        if future is not self._writing:  # else it replaced the data of one still waiting
            self._writing = future
            self._when_done(future, self._save_ended)

    def _save_ended(self, error: BaseException | None) -> None:
        if error is None:
            return
        if not isinstance(error, ConfabError):
            log.error("saving settings failed unexpectedly", exc_info=error)
            error = StorageError(str(error))
        log.error("saving settings failed: %s", error.detail)
        self.save_failed.emit(error)

    def wait_for_writes(self) -> None:
        """Until settings.json is written as last asked (tests, and before a restart)."""
        self._writer.wait()

    def _when_done(self, future: Future[Any], then: Callable[[BaseException | None], None]) -> None:
        """``then(None or the exception)`` on this thread once ``future`` (a job of one of
        our threads) has ended: at a later turn of the loop, or at once when none runs (a
        script, a test)."""
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                future.result()
            except Exception as exc:
                then(exc)
            else:
                then(None)
        else:
            self._tasks.spawn(self._await_done(future, then))

    @staticmethod
    async def _await_done(
        future: Future[Any], then: Callable[[BaseException | None], None]
    ) -> None:
        import asyncio

        try:
            await asyncio.wrap_future(future)
        except Exception as exc:
            then(exc)
        else:
            then(None)

    def _check_keyring(self) -> None:
        if not self._keys.persistent and not self._warned_keyring:
            self._warned_keyring = True
            self.keyring_unavailable.emit(self._keys.problem)


def _nothing() -> None:
    return None
