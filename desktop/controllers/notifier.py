"""System notifications through the desktop's notification server (org.freedesktop.Notifications
on the D-Bus session bus, what GNOME, KDE, Xfce, dunst and mako all serve), with a "default"
action so that a click on one opens its conversation where the server supports actions.

The D-Bus traffic runs on the asyncio loop (jeepney, pure Python), never blocking the UI
thread. Where there is no such server (Windows, macOS, a bare session) ``notify`` says so
(False, and ``available`` turns False) and the caller falls back to the tray icon's message.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.core.tasks import TaskSet

log = logging.getLogger("confab.notify")

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
APP_ICON = "io.github.confab.Confab"
DEFAULT_ACTION = "default"


class Notifier(QObject):
    """``notify(title, body, key)``; ``clicked(key)`` when the user clicks one (its default
    action); ``failed`` once the server cannot be reached (then use another way)."""

    clicked = Signal(str)
    failed = Signal()

    def __init__(self, parent: QObject | None = None, app_name: str = "Confab") -> None:
        super().__init__(parent)
        self._app_name = app_name
        self._tasks = TaskSet()
        self._opener: Any = None
        self._router: Any = None
        self._capabilities: set[str] = set()
        self._keys: dict[int, str] = {}  # notification id → what clicking it opens
        self.available: bool | None = None  # None: not tried yet
        self.sent = 0

    def notify(self, title: str, body: str, key: str, action_label: str = "Open") -> bool:
        if self.available is False:
            return False
        self._tasks.spawn(self._notify(title, body, key, action_label))
        return True

    async def aclose(self) -> None:
        await self._tasks.cancel_all()
        if self._opener is not None:
            opener, self._opener, self._router = self._opener, None, None
            try:
                await opener.__aexit__(None, None, None)
            except Exception as exc:  # the bus went first
                log.info("notification bus closed: %s", exc)

    async def _connect(self) -> Any:
        if self._router is not None:
            return self._router
        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
        from jeepney.io.asyncio import open_dbus_router

        opener = open_dbus_router(bus="SESSION")
        router = await opener.__aenter__()
        self._opener, self._router = opener, router
        server = DBusAddress(PATH, bus_name=NAME, interface=NAME)
        reply = await router.send_and_get_reply(new_method_call(server, "GetCapabilities"))
        if reply.header.message_type.name == "error":
            raise OSError(f"no notification server: {reply.body}")
        self._capabilities = set(reply.body[0])
        rule = MatchRule(type="signal", interface=NAME, member="ActionInvoked", path=PATH)
        bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", message_bus.interface)
        await router.send_and_get_reply(new_method_call(bus, "AddMatch", "s", (rule.serialise(),)))
        self._tasks.spawn(self._listen(router, rule))
        return router

    async def _notify(self, title: str, body: str, key: str, action_label: str) -> None:
        from jeepney import DBusAddress, new_method_call

        try:
            router = await self._connect()
            if "body-markup" in self._capabilities:
                body = html.escape(body, quote=False)  # a reply's "<b>" is text, not markup
            actions = [DEFAULT_ACTION, action_label] if "actions" in self._capabilities else []
            server = DBusAddress(PATH, bus_name=NAME, interface=NAME)
            call = new_method_call(
                server,
                "Notify",
                "susssasa{sv}i",
                (self._app_name, 0, APP_ICON, title, body, actions, {}, -1),
            )
            reply = await router.send_and_get_reply(call)
            if reply.header.message_type.name == "error":
                raise OSError(f"Notify refused: {reply.body}")
        except Exception as exc:
            log.info("no system notification: %s", exc)
            self.available = False
            self.failed.emit()
            return
        self.available = True
        self.sent += 1
        self._keys[int(reply.body[0])] = key
        while len(self._keys) > 64:  # the oldest ones are long gone from the screen
            self._keys.pop(next(iter(self._keys)))

    async def _listen(self, router: Any, rule: Any) -> None:
        with router.filter(rule, bufsize=16) as signals:
            while True:
                message = await signals.get()
                notification_id, action = message.body
                key = self._keys.get(int(notification_id))
                if key is not None and action == DEFAULT_ACTION:
                    self.clicked.emit(key)
