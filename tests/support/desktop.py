"""The desktop integration (desktop/ui/desktop_integration.py) on the real window, for tests.

``FakeBackend`` stands for a platform's global shortcut: ``press()`` is the key pressed
anywhere, ``answer`` what registering it returns (ACTIVE, TAKEN…). The tray is the real one
(its menu, its actions); ``tray_available`` says whether the desktop has a tray.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop.controllers import hotkeys


class FakeBackend:
    def __init__(self, on_activated: Callable[[], None], on_state: Callable[[str], None]) -> None:
        self.press = on_activated
        self.report = on_state
        self.answer = hotkeys.ACTIVE
        self.registered: list[str] = []

    def register(self, hotkey: Any) -> str:
        self.registered.append(hotkey.portable)
        return self.answer

    def unregister(self) -> None:
        if self.registered:
            self.registered.pop()


@dataclass
class Citizen:
    app: Any  # tests.conftest.RunningApp
    integration: Any
    backend: FakeBackend | None
    made: list[FakeBackend] = field(default_factory=list)


def integrate(
    app: Any,
    *,
    backend: Callable[..., Any] | None = None,
    notifier: Any = None,
    tray_available: bool = False,
    answer: str = hotkeys.ACTIVE,
) -> Citizen:
    """The integration app.py builds, on ``app``'s window, and started."""
    from PySide6.QtGui import QIcon

    from desktop.app import app_icon
    from desktop.controllers.hotkeys import GlobalShortcut
    from desktop.ui.desktop_integration import DesktopIntegration
    from desktop.ui.tray import Tray

    made: list[FakeBackend] = []

    def fake(on_activated: Callable[[], None], on_state: Callable[[str], None]) -> FakeBackend:
        made.append(FakeBackend(on_activated, on_state))
        made[-1].answer = answer
        return made[-1]

    icon = app_icon() if tray_available else QIcon()
    integration = DesktopIntegration(
        app.window,
        app.conversations,
        app.chat,
        app.settings,
        shortcut=GlobalShortcut(backend or fake, parent=app.window),
        notifier=notifier,
        icon=icon,
        tray=Tray(icon, available=lambda: tray_available),
    )
    integration.start()
    return Citizen(app, integration, made[0] if made else None, made)
