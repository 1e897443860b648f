"""Confab as a desktop citizen: the global shortcut, the quick-ask window, the tray icon and the
system notification when a reply is ready. Built by app.py once the window is wired (after the
first paint); tests build it on the real window with a fake shortcut backend.

Choices, each for a reason a user notices:

- Closing the main window while the tray icon shows hides it to the tray (Confab keeps
  listening for the shortcut); the first time, a message from the icon says so and how to quit
  (File → Quit, Ctrl+Q, or the tray's Quit Confab). Without a tray icon closing quits, as before.
- A notification when a reply ends (or fails) while the main window is not the active one,
  unless the quick-ask window is showing that very reply. Its title is the conversation's, its
  text the reply's start; a click opens the conversation (where the server has actions).
- The settings ``quick_ask_shortcut``, ``tray_icon`` and ``notify_when_done`` (the Preferences
  window's) apply at once: ``apply_preferences`` when they change.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.controllers import hotkeys
from desktop.core import quick
from desktop.ui.error_text import explain
from desktop.ui.shortcuts import shown
from desktop.ui.tray import Tray

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from desktop.controllers.chat import ChatController
    from desktop.controllers.conversations import ConversationsController
    from desktop.controllers.hotkeys import GlobalShortcut
    from desktop.controllers.notifier import Notifier
    from desktop.controllers.settings import SettingsController
    from desktop.core.errors import ConfabError
    from desktop.ui.main_window import MainWindow
    from desktop.ui.quick_window import QuickWindow

log = logging.getLogger("confab.ui")

TOLD_IN_TRAY = "told_in_tray"  # settings.json's window state: the user knows it keeps running


class DesktopIntegration(QObject):
    def __init__(
        self,
        window: MainWindow,
        conversations: ConversationsController,
        chat: ChatController,
        settings: SettingsController,
        *,
        shortcut: GlobalShortcut,
        notifier: Notifier | None,
        icon: QIcon,
        tray: Tray | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self._conversations = conversations
        self._chat = chat
        self._settings = settings
        self.shortcut = shortcut
        self.notifier = notifier
        self.quick_window: QuickWindow | None = None
        self.tray = tray or Tray(icon, self)
        self._last_notified: str | None = None
        self._last_notice = ("", "")
        self._started = False
        self._told_in_tray = bool(settings.window_state().get(TOLD_IN_TRAY))
        shortcut.activated.connect(self.open_quick)
        shortcut.state_changed.connect(self._on_shortcut_state_changed)
        self.tray.new_requested.connect(self.new_conversation)
        self.tray.quick_requested.connect(self.open_quick)
        self.tray.show_requested.connect(self.show_main)
        self.tray.quit_requested.connect(window.quit)
        self.tray.message_clicked.connect(self._on_tray_message_clicked)
        if notifier is not None:
            notifier.clicked.connect(self.open_conversation)
            notifier.failed.connect(self._on_notifier_failed)
        window.quick_action.triggered.connect(self.open_quick)
        window.quick_action.setEnabled(True)
        chat.reply_finished.connect(self._on_chat_reply_finished)
        chat.reply_failed.connect(self._on_chat_reply_failed)
        window.hide_to_tray = self._hides_to_tray
        settings.preferences_changed.connect(self.apply_preferences)

    # ---- preferences -------------------------------------------------------------------

    def apply_preferences(self, *_args: object) -> None:
        text = self._settings.settings.quick_ask_shortcut
        if text != self.shortcut.text or self.shortcut.state == hotkeys.OFF:
            self.shortcut.set_shortcut(text)
        self._show_looks()
        shown = self.tray.visible
        if self.tray.set_wanted(self._settings.settings.tray_icon) != shown:
            log.info("tray icon %s", "shown" if self.tray.visible else "removed")

    def _show_looks(self) -> None:
        if self.quick_window is not None:
            preferences = self._settings.preferences()
            self.quick_window.apply_preferences(
                dark=self.window.dark,
                font_size=preferences.thread_font_size,
                send_key=preferences.send_key,
            )

    def start(self) -> None:
        self.apply_preferences()
        self._started = True
        self._say_shortcut_trouble()

    def _say_shortcut_trouble(self) -> None:
        """A key that cannot work, said in the main window (at start, or as the user sets it
        in Preferences); "unsupported" stays a note in the quick window, not a banner at every
        start."""
        if self.shortcut.state in (hotkeys.TAKEN, hotkeys.INVALID, hotkeys.FAILED):
            self.window.banner.show_message(self.shortcut_note(), level="warning")

    def shortcut_note(self) -> str:
        """How the global shortcut fares, as a sentence (empty when it simply works)."""
        # As the platform writes it (⌘⌥Space on macOS); as typed when Qt cannot read it.
        state, key = self.shortcut.state, shown(self.shortcut.text) or self.shortcut.text
        if state == hotkeys.TAKEN:
            return self.tr(
                "{key} is in use by another program, so it cannot open Quick Ask: choose "
                "another shortcut in Preferences."
            ).format(key=key)
        if state == hotkeys.INVALID:
            return self.tr(
                "{key} cannot be a global shortcut: choose another in Preferences."
            ).format(key=key)
        if state == hotkeys.UNSUPPORTED:
            return self.tr(
                "This desktop does not let Confab set a global shortcut: bind the command "
                "“confab --quick” to a key in your desktop's keyboard settings."
            )
        if state == hotkeys.PENDING:
            return self.tr("Confirm the Quick Ask shortcut in the dialog your desktop shows.")
        if state == hotkeys.FAILED:
            return self.tr(
                "The shortcut {key} could not be set. You can bind the command "
                "“confab --quick” to a key in your desktop's keyboard settings."
            ).format(key=key)
        return ""

    def _on_shortcut_state_changed(self, _state: str) -> None:
        if self.quick_window is not None:
            self.quick_window.set_note(self.shortcut_note())
        if self._started:
            self._say_shortcut_trouble()

    # ---- intents -----------------------------------------------------------------------

    def open_quick(self) -> QuickWindow:
        if self.quick_window is None:
            from desktop.ui.quick_window import QuickWindow

            self.quick_window = QuickWindow(
                self._conversations, self._chat, self._settings, dark=self.window.dark
            )
            self.quick_window.continue_requested.connect(self.open_conversation)
            self._show_looks()
        self.quick_window.set_note(self.shortcut_note())
        self.quick_window.open()
        log.info("quick-ask window opened")
        return self.quick_window

    def show_main(self) -> None:
        window = self.window
        if window.isMinimized():
            window.showNormal()
        else:
            window.show()
        window.raise_()
        window.activateWindow()

    def new_conversation(self) -> None:
        self.show_main()
        self.window.new_conversation()

    def open_conversation(self, conversation_id: str) -> None:
        self.show_main()
        self._conversations.select(conversation_id)

    async def aclose(self) -> None:
        """As Confab quits: the key let go, the D-Bus connections closed."""
        await self.shortcut.aclose()
        self.close()
        if self.notifier is not None:
            await self.notifier.aclose()

    def close(self) -> None:
        self.shortcut.close()
        self.tray.close()
        if self.quick_window is not None:
            self.quick_window.close()
            self.quick_window.deleteLater()
            self.quick_window = None

    # ---- the tray ----------------------------------------------------------------------

    def _hides_to_tray(self) -> bool:
        if not self.tray.visible:
            return False
        log.info("window hidden to the tray")
        if not self._told_in_tray:
            self._told_in_tray = True
            self.tray.show_message(
                self.tr("Confab is still running"),
                self.tr(
                    "It stays in the tray, ready for Quick Ask. To quit, choose Quit Confab in "
                    "the tray's menu, or press Ctrl+Q in the window."
                ),
            )
            self._settings.set_window_state({**self._settings.window_state(), TOLD_IN_TRAY: True})
        return True

    def _on_tray_message_clicked(self) -> None:
        if self._last_notified is not None:
            self.open_conversation(self._last_notified)

    # ---- notifications -----------------------------------------------------------------

    def _wants_notice(self, conversation_id: str) -> bool:
        if not self._settings.settings.notify_when_done:
            return False
        if self.window.isVisible() and self.window.isActiveWindow():
            return False
        quick_window = self.quick_window
        return not (quick_window is not None and quick_window.showing(conversation_id))

    def _on_chat_reply_finished(self, conversation_id: str, message_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is None or not self._wants_notice(conversation_id):
            return
        text = (
            conversation.message(message_id).content if conversation.has_message(message_id) else ""
        )
        self._notify(conversation_id, conversation.title, quick.notice_body(text))

    def _on_chat_reply_failed(
        self, conversation_id: str, _message_id: str, error: ConfabError
    ) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is None or not self._wants_notice(conversation_id):
            return
        self._notify(
            conversation_id,
            conversation.title,
            self.tr("The reply failed: {reason}").format(reason=quick.notice_body(explain(error))),
        )

    def _notify(self, conversation_id: str, title: str, body: str) -> None:
        title = title or self.tr("New conversation")
        self._last_notified = conversation_id
        self._last_notice = (title, body)
        notifier = self.notifier
        if notifier is not None and notifier.notify(
            title, body, conversation_id, action_label=self.tr("Open")
        ):
            return
        self._fall_back(title, body)

    def _on_notifier_failed(self) -> None:
        """No notification server after all (found on the first try): the tray's balloon."""
        self._fall_back(*self._last_notice)

    def _fall_back(self, title: str, body: str) -> None:
        if not self.tray.show_message(title, body):
            log.info("a reply ended; no way to notify")
            QApplication.alert(self.window)  # at least the taskbar's attention
