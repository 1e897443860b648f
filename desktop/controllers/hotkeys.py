"""The global shortcut (quick ask from anywhere): one abstraction, a backend per platform.

- X11: XGrabKey on the root window over a connection of our own (python-xlib), in each
  Caps Lock / Num Lock variant; a key another program holds already is BadAccess: "taken".
  The connection's socket is watched by a QSocketNotifier, so no thread and no polling.
- Windows: RegisterHotKey on the UI thread and a native event filter for its WM_HOTKEY
  (ctypes); ERROR_HOTKEY_ALREADY_REGISTERED is "taken".
- macOS: Carbon's RegisterEventHotKey and an application event handler (ctypes);
  eventHotKeyExistsErr is "taken".
- Wayland: the XDG desktop portal's org.freedesktop.portal.GlobalShortcuts over D-Bus
  (jeepney, on the asyncio loop): the desktop asks the user to confirm the key, so the state is
  "pending" until it answers. No portal: "unsupported", and the window tells the user to bind
  `confab --quick` in the desktop's keyboard settings.

What is computed from the shortcut's text (masks, key codes, which backend) is in
desktop/core/hotkeys.py.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from desktop.core import hotkeys
from desktop.core.tasks import TaskSet

if TYPE_CHECKING:
    from desktop.core.hotkeys import Hotkey

log = logging.getLogger("confab.hotkeys")

OFF = "off"  # no shortcut set
ACTIVE = "active"
TAKEN = "taken"  # another program holds the key
INVALID = "invalid"  # the text is no shortcut
UNSUPPORTED = "unsupported"  # this session cannot grab keys: bind `confab --quick` instead
PENDING = "pending"  # the desktop is asking the user (portal)
FAILED = "failed"  # the backend failed for another reason (logged)


class Backend(Protocol):
    def register(self, hotkey: Hotkey) -> str: ...

    def unregister(self) -> None: ...


BackendFactory = Callable[[Callable[[], None], Callable[[str], None]], Backend | None]


class GlobalShortcut(QObject):
    """``set_shortcut("Ctrl+Alt+Space")`` grabs the key; ``activated`` when it is pressed
    anywhere. ``state`` says whether it works (``state_changed`` when that changes)."""

    activated = Signal()
    state_changed = Signal(str)

    def __init__(
        self, factory: BackendFactory | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._factory = factory or default_factory
        self._backend: Backend | None = None
        self._made = False
        self.state = OFF
        self.text = ""

    def set_shortcut(self, text: str) -> str:
        self.text = text.strip()
        if self._backend is not None:
            self._backend.unregister()
        if not self.text:
            return self._set_state(OFF)
        try:
            hotkey = hotkeys.parse_hotkey(self.text)
        except hotkeys.HotkeyError as exc:
            log.warning("global shortcut %r: %s", self.text, exc)
            return self._set_state(INVALID)
        if not self._made:
            self._made = True
            try:
                self._backend = self._factory(self.activated.emit, self._report)
            except Exception:
                log.exception("no global shortcut backend")
                self._backend = None
        if self._backend is None:
            return self._set_state(UNSUPPORTED)
        try:
            state = self._backend.register(hotkey)
        except Exception:
            log.exception("global shortcut %r could not be registered", self.text)
            state = FAILED
        return self._set_state(state)

    def close(self) -> None:
        """The key let go and the backend closed (what is left of an asynchronous one, the
        portal's connection, ends with the loop: ``aclose`` waits for it)."""
        backend, self._backend = self._backend, None
        if backend is not None:
            backend.unregister()
            closing = getattr(backend, "close", None)
            if callable(closing):
                closing()

    async def aclose(self) -> None:
        backend, self._backend = self._backend, None
        closing = getattr(backend, "aclose", None)
        if callable(closing):
            await closing()
        elif backend is not None:
            self._backend = backend
            self.close()

    def _report(self, state: str) -> None:
        """A backend's later word (the portal answers when the user has confirmed)."""
        self._set_state(state)

    def _set_state(self, state: str) -> str:
        if state != self.state:
            self.state = state
            log.info("global shortcut %r: %s", self.text, state)
            self.state_changed.emit(state)
        return state


def default_factory(
    on_activated: Callable[[], None], on_state: Callable[[str], None]
) -> Backend | None:
    from PySide6.QtGui import QGuiApplication

    name = hotkeys.choose_backend(sys.platform, QGuiApplication.platformName(), os.environ)
    log.info("global shortcut backend: %s", name)
    if name == hotkeys.BACKEND_X11:
        return X11Backend(on_activated)
    if name == hotkeys.BACKEND_WINDOWS:
        return WindowsBackend(on_activated)
    if name == hotkeys.BACKEND_MACOS:
        return MacBackend(on_activated)
    if name == hotkeys.BACKEND_PORTAL:
        return PortalBackend(on_activated, on_state)
    return None


# ---- X11 --------------------------------------------------------------------------------


class X11Backend:
    """XGrabKey on the root window of ``display`` (default: $DISPLAY)."""

    def __init__(self, on_activated: Callable[[], None], display: str | None = None) -> None:
        from PySide6.QtCore import QSocketNotifier
        from Xlib import display as xdisplay

        self._on_activated = on_activated
        self._display = xdisplay.Display(display)
        self._root = self._display.screen().root
        self._grabs: list[tuple[int, int]] = []
        self._notifier = QSocketNotifier(self._display.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._read_events)

    def register(self, hotkey: Hotkey) -> str:
        from Xlib import XK, X, error

        mask, name = hotkeys.x11_key(hotkey)
        keycode = self._display.keysym_to_keycode(XK.string_to_keysym(name))
        if not keycode:
            return UNSUPPORTED  # the keyboard has no such key
        caught = error.CatchError(error.BadAccess)
        for variant in hotkeys.lock_variants(mask, self._numlock_mask()):
            self._root.grab_key(
                keycode, variant, True, X.GrabModeAsync, X.GrabModeAsync, onerror=caught
            )
            self._grabs.append((keycode, variant))
        self._display.sync()
        if caught.get_error() is not None:
            self.unregister()
            return TAKEN
        # Events read in while waiting for the sync's reply are queued in python-xlib, not on
        # the socket any more: the notifier would not wake for them.
        self._read_events()
        return ACTIVE

    def unregister(self) -> None:
        grabs, self._grabs = self._grabs, []
        try:
            for keycode, mask in grabs:
                self._root.ungrab_key(keycode, mask)
            if grabs:
                self._display.sync()
        except Exception as exc:  # the X server went first: its grabs went with it
            log.info("X11 grabs not released: %s", exc)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        try:
            self._display.close()
        except Exception as exc:
            log.info("X11 connection not closed: %s", exc)

    def _numlock_mask(self) -> int:
        from Xlib import XK

        numlock = self._display.keysym_to_keycode(XK.string_to_keysym("Num_Lock"))
        for index, codes in enumerate(self._display.get_modifier_mapping()):
            if numlock and numlock in codes:
                return 1 << index
        return 0

    def _read_events(self) -> None:
        from Xlib import X

        grabbed = {keycode for keycode, _ in self._grabs}
        try:
            while self._display.pending_events():
                event = self._display.next_event()
                if event.type == X.KeyPress and event.detail in grabbed:
                    self._on_activated()
        except Exception as exc:  # the X server is gone (the session ended)
            log.warning("X11 connection lost: %s", exc)
            self._notifier.setEnabled(False)


# ---- Windows ----------------------------------------------------------------------------

WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HOTKEY_ID = 0xC0FA


class WindowsBackend:
    def __init__(self, on_activated: Callable[[], None]) -> None:
        import ctypes
        from ctypes import wintypes

        from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication

        self._user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        self._user32.RegisterHotKey.argtypes = [
            wintypes.HWND,
            ctypes.c_int,
            wintypes.UINT,
            wintypes.UINT,
        ]
        self._user32.RegisterHotKey.restype = wintypes.BOOL
        self._user32.UnregisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int]
        self._registered = False

        class Filter(QAbstractNativeEventFilter):
            def nativeEventFilter(self, event_type: Any, message: Any) -> Any:
                kind = event_type.data() if hasattr(event_type, "data") else event_type
                if bytes(kind) == b"windows_generic_MSG":
                    msg = wintypes.MSG.from_address(int(message))
                    if msg.message == WM_HOTKEY and msg.wParam == HOTKEY_ID:
                        on_activated()
                        return True, 0
                return False, 0

        self._filter = Filter()
        app = QCoreApplication.instance()
        assert app is not None
        app.installNativeEventFilter(self._filter)

    def register(self, hotkey: Hotkey) -> str:
        import ctypes

        mods, vk = hotkeys.windows_key(hotkey)
        if self._user32.RegisterHotKey(None, HOTKEY_ID, mods, vk):
            self._registered = True
            return ACTIVE
        code = ctypes.get_last_error()  # type: ignore[attr-defined]
        log.warning("RegisterHotKey failed: %s", code)
        return TAKEN if code == ERROR_HOTKEY_ALREADY_REGISTERED else FAILED

    def unregister(self) -> None:
        if self._registered:
            self._user32.UnregisterHotKey(None, HOTKEY_ID)
            self._registered = False


# ---- macOS ------------------------------------------------------------------------------

EVENT_HOTKEY_EXISTS = -9878
K_EVENT_HOTKEY_PRESSED = 5


def _four_cc(text: str) -> int:
    return int.from_bytes(text.encode("ascii"), "big")


class MacBackend:
    def __init__(self, on_activated: Callable[[], None]) -> None:
        import ctypes

        carbon = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")

        class EventTypeSpec(ctypes.Structure):
            _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]

        class EventHotKeyID(ctypes.Structure):
            _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]

        handler_type = ctypes.CFUNCTYPE(
            ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p
        )
        carbon.GetApplicationEventTarget.restype = ctypes.c_void_p
        carbon.InstallEventHandler.argtypes = [
            ctypes.c_void_p,
            handler_type,
            ctypes.c_uint32,
            ctypes.POINTER(EventTypeSpec),
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_void_p),
        ]
        carbon.RegisterEventHotKey.argtypes = [
            ctypes.c_uint32,
            ctypes.c_uint32,
            EventHotKeyID,
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.POINTER(ctypes.c_void_p),
        ]
        carbon.UnregisterEventHotKey.argtypes = [ctypes.c_void_p]
        self._carbon = carbon
        self._id_type = EventHotKeyID
        self._ref = ctypes.c_void_p()

        def handle(_call: object, _event: object, _data: object) -> int:
            on_activated()
            return 0

        self._handler = handler_type(handle)  # kept: Carbon holds only the pointer
        spec = EventTypeSpec(_four_cc("keyb"), K_EVENT_HOTKEY_PRESSED)
        self._handler_ref = ctypes.c_void_p()
        carbon.InstallEventHandler(
            carbon.GetApplicationEventTarget(),
            self._handler,
            1,
            ctypes.byref(spec),
            None,
            ctypes.byref(self._handler_ref),
        )

    def register(self, hotkey: Hotkey) -> str:
        import ctypes

        mods, key = hotkeys.mac_key(hotkey)
        status = self._carbon.RegisterEventHotKey(
            key,
            mods,
            self._id_type(_four_cc("Cnfb"), 1),
            self._carbon.GetApplicationEventTarget(),
            0,
            ctypes.byref(self._ref),
        )
        if status == 0:
            return ACTIVE
        log.warning("RegisterEventHotKey failed: %s", status)
        return TAKEN if status == EVENT_HOTKEY_EXISTS else FAILED

    def unregister(self) -> None:
        if self._ref.value:
            self._carbon.UnregisterEventHotKey(self._ref)
            self._ref.value = None


# ---- Wayland: the XDG desktop portal ----------------------------------------------------

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SHORTCUT_ID = "quick-ask"


class PortalBackend:
    """CreateSession, then BindShortcuts with the user's key as the preferred trigger; the
    desktop may show its own dialog and answer later (or never: "pending" stays)."""

    def __init__(self, on_activated: Callable[[], None], on_state: Callable[[str], None]) -> None:
        self._on_activated = on_activated
        self._on_state = on_state
        self._tasks = TaskSet()
        self._opener: Any = None
        self._router: Any = None
        self._session: str | None = None
        self._wanted: Hotkey | None = None
        self._generation = 0

    def register(self, hotkey: Hotkey) -> str:
        self._wanted = hotkey
        self._generation += 1
        self._tasks.spawn(self._bind(hotkey, self._generation))
        return PENDING

    def unregister(self) -> None:
        # The portal has no "unbind": a session closed drops its shortcuts.
        self._wanted = None
        self._generation += 1
        if self._session is not None:
            self._tasks.spawn(self._close_session(self._session))
            self._session = None

    def close(self) -> None:
        self.unregister()

    async def aclose(self) -> None:
        session, self._session = self._session, None
        self._wanted = None
        self._generation += 1
        await self._tasks.cancel_all()
        if session is not None and self._router is not None:
            await self._close_session(session)
        if self._opener is not None:
            opener, self._opener, self._router = self._opener, None, None
            try:
                await opener.__aexit__(None, None, None)
            except Exception as exc:  # the bus went first
                log.info("portal connection closed: %s", exc)

    async def _connect(self) -> Any:
        if self._router is None:
            from jeepney.io.asyncio import open_dbus_router

            self._opener = open_dbus_router(bus="SESSION")
            self._router = await self._opener.__aenter__()
        return self._router

    async def _bind(self, hotkey: Hotkey, generation: int) -> None:
        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call

        try:
            router = await self._connect()
            bus = DBusAddress(
                "/org/freedesktop/DBus", "org.freedesktop.DBus", message_bus.interface
            )
            activated = MatchRule(type="signal", interface=SHORTCUTS, member="Activated")
            await router.send_and_get_reply(
                new_method_call(bus, "AddMatch", "s", (activated.serialise(),))
            )
            if self._session is None:
                results = await self._request(
                    router,
                    "CreateSession",
                    "a{sv}",
                    lambda token: (
                        {
                            "handle_token": ("s", token),
                            "session_handle_token": ("s", token + "s"),
                        },
                    ),
                )
                session = results.get("session_handle", ("s", ""))[1]
                if not session:
                    raise OSError("no session")
                self._session = str(session)
                self._tasks.spawn(self._listen(router, activated))
            if generation != self._generation:
                return
            shortcut = (
                SHORTCUT_ID,
                {
                    "description": ("s", "Confab: Quick ask"),
                    "preferred_trigger": ("s", hotkeys.portal_trigger(hotkey)),
                },
            )
            session_path = self._session
            await self._request(
                router,
                "BindShortcuts",
                "oa(sa{sv})sa{sv}",
                lambda token: (session_path, [shortcut], "", {"handle_token": ("s", token)}),
            )
        except Exception as exc:
            log.warning("no global shortcut through the desktop portal: %s", exc)
            if generation == self._generation:
                self._on_state(UNSUPPORTED)
            return
        if generation == self._generation:
            self._on_state(ACTIVE)

    async def _request(
        self, router: Any, method: str, signature: str, body: Callable[[str], tuple[Any, ...]]
    ) -> dict[str, Any]:
        """A portal call and its Response signal (subscribed to before the call, on the path
        the portal will use), as the portal's documentation asks."""
        import secrets

        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call

        token = "confab" + secrets.token_hex(4)
        sender = router.unique_name.lstrip(":").replace(".", "_")
        path = f"{PORTAL_PATH}/request/{sender}/{token}"
        rule = MatchRule(type="signal", interface=REQUEST, member="Response", path=path)
        bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", message_bus.interface)
        await router.send_and_get_reply(new_method_call(bus, "AddMatch", "s", (rule.serialise(),)))
        portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL_NAME, interface=SHORTCUTS)
        with router.filter(rule, bufsize=1) as responses:
            reply = await router.send_and_get_reply(
                new_method_call(portal, method, signature, body(token))
            )
            if reply.header.message_type.name == "error":
                raise OSError(f"{method}: {reply.body}")
            response = await responses.get()
        code, results = response.body
        if code != 0:
            raise OSError(f"{method} refused ({code})")
        return dict(results)

    async def _listen(self, router: Any, rule: Any) -> None:
        with router.filter(rule, bufsize=16) as signals:
            while True:
                message = await signals.get()
                session, shortcut_id = message.body[0], message.body[1]
                if session == self._session and shortcut_id == SHORTCUT_ID:
                    self._on_activated()

    async def _close_session(self, session: str) -> None:
        from jeepney import DBusAddress, new_method_call

        try:
            router = await self._connect()
            address = DBusAddress(
                session, bus_name=PORTAL_NAME, interface="org.freedesktop.portal.Session"
            )
            await router.send_and_get_reply(new_method_call(address, "Close"))
        except Exception as exc:
            log.info("portal session not closed: %s", exc)
