"""The quick-ask window: a small always-on-top window opened by the global shortcut, the tray
or ``confab --quick``, that asks one question (with the clipboard's text as context, if the
user keeps it) and streams the answer, rendered as the main window renders it.

A quick question is a normal conversation: saved as it goes, in the list like any other, so
nothing asked there can be lost; "Continue in Confab" opens it in the main window. Opening the
window again after an answer starts a new question (the last one stays in the list).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import quick
from desktop.core.preferences import SEND_CTRL_ENTER
from desktop.ui.chat_view import Banner, ChatView
from desktop.ui.composer import Composer
from desktop.ui.error_text import detail, explain
from desktop.ui.plain import ElidedLabel

if TYPE_CHECKING:
    from desktop.controllers.chat import ChatController
    from desktop.controllers.conversations import ConversationsController
    from desktop.controllers.settings import SettingsController
    from desktop.core.errors import ConfabError
    from desktop.core.models import Conversation

log = logging.getLogger("confab.ui")

QUICK_WIDTH = 640
QUICK_HEIGHT = 200  # before an answer: the question alone
QUICK_ANSWER_HEIGHT = 520
# A message's actions here (copy is the message's own); delete, pin and exclude are in the main
# window, after "Continue in Confab".
QUICK_ACTIONS = frozenset({"copy", "edit", "regenerate", "continue"})


class ClipboardChip(QFrame):
    """The chip "Use clipboard (N chars)": on by default, the text's start, ✕ to remove."""

    removed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clipboardChip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = ""
        self.check = QCheckBox()
        self.check.setObjectName("clipboardUse")
        self.check.setChecked(True)
        self.preview = ElidedLabel()
        self.preview.setObjectName("clipboardPreview")
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("clipboardRemove")
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip(self.tr("Do not send the clipboard"))
        self.remove_button.setAccessibleName(self.tr("Remove the clipboard's text"))
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 2, 2)
        row.addWidget(self.check)
        row.addWidget(self.preview, 1)
        row.addWidget(self.remove_button)

    def offer(self, text: str) -> None:
        """The clipboard's text (cut to MAX_CONTEXT_CHARS), or "" for none: no chip then."""
        self.text = quick.clip_context(text)
        if not text.strip():
            self.hide()
            return
        self.check.setText(
            self.tr("Use clipboard (%Ln char(s))", "", len(self.text))
            if len(self.text) == len(text)
            else self.tr("Use clipboard (first %Ln char(s))", "", len(self.text))
        )
        self.check.setChecked(True)
        self.preview.setText(quick.clip_preview(text))
        self.preview.setToolTip(quick.clip_preview(text, 400))
        self.show()

    @property
    def context(self) -> str:
        """What goes with the question: the text while the chip shows and is on."""
        return self.text if not self.isHidden() and self.check.isChecked() else ""

    def _on_remove_button_clicked(self) -> None:
        self.hide()
        self.removed.emit()


class QuickWindow(QWidget):
    """``open()`` shows it on the screen with the cursor; ``continue_requested(id)`` when the
    user wants the conversation in the main window."""

    continue_requested = Signal(str)

    def __init__(
        self,
        conversations: ConversationsController,
        chat: ChatController,
        settings: SettingsController,
        *,
        dark: bool = False,
    ) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("quickWindow")
        self.setWindowTitle(self.tr("Quick Ask — Confab"))
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self._conversations = conversations
        self._chat = chat
        self._settings = settings
        self.conversation: Conversation | None = None

        self.provider_combo = QComboBox()
        self.provider_combo.setObjectName("quickProvider")
        self.provider_combo.setAccessibleName(self.tr("Provider"))
        self.provider_combo.activated.connect(self._on_provider_combo_activated)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("quickModel")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model_combo.setMinimumContentsLength(16)
        self.model_combo.setAccessibleName(self.tr("Model"))
        self.model_combo.setToolTip(self.tr("Model for this question"))
        self.continue_button = QPushButton(self.tr("Continue in Confab"))
        self.continue_button.setObjectName("quickContinue")
        self.continue_button.setToolTip(
            self.tr("Open this conversation in the main window (Ctrl+Shift+Enter)")
        )
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(self.continue_in_main)
        self.note = QLabel()
        self.note.setObjectName("quickNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.hide()
        self.chat_view = ChatView(dark=dark)
        self.chat_view.actions_shown = QUICK_ACTIONS
        self.chat_view.action_requested.connect(self._on_chat_view_action_requested)
        self.chat_view.edit_submitted.connect(self._on_chat_view_edit_submitted)
        self.chat_view.branch_requested.connect(self._on_chat_view_branch_requested)
        self.chat_view.hide()
        self.banner = Banner()
        self.chip = ClipboardChip()
        self.chip.hide()
        self.composer = Composer()
        self.composer.attach_button.hide()
        self._show_hint()
        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(self.stop)

        header = QHBoxLayout()
        header.setContentsMargins(10, 8, 10, 0)
        title = QLabel(self.tr("Quick Ask"))
        title.setObjectName("quickTitle")
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.provider_combo)
        header.addWidget(self.model_combo)
        header.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.note)
        layout.addWidget(self.chat_view, 1)
        layout.addWidget(self.banner)
        chip_row = QHBoxLayout()
        chip_row.setContentsMargins(12, 0, 12, 0)
        chip_row.addWidget(self.chip)
        layout.addLayout(chip_row)
        layout.addWidget(self.composer)
        self.resize(QUICK_WIDTH, QUICK_HEIGHT)
        self.chip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape)
        # Not Ctrl+Enter: with that send key (Preferences) it sends.
        QShortcut(QKeySequence("Ctrl+Shift+Return"), self, self.continue_in_main)
        chat.message_added.connect(self._on_chat_message_added)
        chat.reply_started.connect(self._on_chat_reply_started)
        chat.reply_delta.connect(self._on_chat_reply_delta)
        chat.reply_finished.connect(self._on_chat_reply_ended)
        chat.reply_stopped.connect(self._on_chat_reply_ended)
        chat.reply_failed.connect(self._on_chat_reply_failed)
        chat.streaming_changed.connect(self._on_chat_streaming_changed)
        chat.thread_changed.connect(self._on_chat_thread_changed)
        settings.providers_changed.connect(self._refresh_pickers)

    # ---- intents -----------------------------------------------------------------------

    def open(self) -> None:
        """Show the window, in front, on the screen with the cursor, ready to type. After an
        answer it starts a new question; a reply still streaming stays."""
        streaming = self.conversation is not None and self._chat.is_streaming(self.conversation.id)
        if not self.isVisible() and not streaming:
            self._start_afresh()
        clipboard = QGuiApplication.clipboard()
        if not self.isVisible() and (self.conversation is None or not self.conversation.messages):
            self.chip.offer(clipboard.text() if clipboard is not None else "")
        if self.chat_view.isHidden():  # the question alone: no room left empty
            self.resize(QUICK_WIDTH, self.sizeHint().height())
        was_visible = self.isVisible()
        self.show()
        if not was_visible:
            self._centre_on_cursor_screen()
        self.raise_()
        self.activateWindow()
        self.composer.edit.setFocus()

    def apply_preferences(self, *, dark: bool, font_size: int | None, send_key: str) -> None:
        """As the main window shows them: the theme's colours, the thread's font size, the
        send key."""
        self.chat_view.set_dark(dark)
        self.chat_view.set_font_size(font_size)
        self.chat_view.set_send_key(send_key)
        self.composer.set_send_key(send_key)
        self._show_hint()

    def _show_hint(self) -> None:
        self.composer.edit.setPlaceholderText(
            self.tr("Ask anything…  (Ctrl+Enter to send, Esc to close)")
            if self.composer.edit.send_key == SEND_CTRL_ENTER
            else self.tr("Ask anything…  (Enter to send, Esc to close)")
        )

    def set_note(self, text: str) -> None:
        """A line under the header (how the global shortcut fares), "" for none."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def send(self, text: str) -> None:
        if not text.strip():
            return
        provider_id = self.provider_combo.currentData()
        model = self.model_combo.currentText().strip() or None
        if self.conversation is None:
            self.conversation = self._conversations.new_conversation(provider_id, model, show=False)
        elif provider_id and model:  # a follow-up to another model, if the user chose one
            self._conversations.set_model(self.conversation, provider_id, model)
        question = quick.with_context(text, self.chip.context)
        self.banner.hide()
        if self._chat.send(self.conversation, question):
            self.composer.clear()
            self.chip.hide()  # sent with the first question; the reply has it in context
            self.continue_button.setEnabled(True)
            self._show_answer_area()

    def stop(self) -> None:
        if self.conversation is not None:
            self._chat.stop(self.conversation.id)

    def continue_in_main(self) -> None:
        conversation = self.conversation
        if conversation is None or not conversation.messages:
            return
        self.hide()
        self.continue_requested.emit(conversation.id)

    def showing(self, conversation_id: str) -> bool:
        """Is this window on screen with that conversation (then no notification for it)?"""
        return (
            self.isVisible()
            and self.conversation is not None
            and self.conversation.id == conversation_id
        )

    # ---- inner workings ------------------------------------------------------------------

    def _start_afresh(self) -> None:
        self.conversation = None
        self.chat_view.show_conversation(None)
        self.chat_view.hide()
        self.banner.hide()
        self.continue_button.setEnabled(False)
        self.composer.set_streaming(False)
        self.composer.clear()
        self._refresh_pickers()
        self.resize(QUICK_WIDTH, QUICK_HEIGHT)

    def _show_answer_area(self) -> None:
        if self.chat_view.isHidden():
            self.chat_view.show()
            top = self.geometry().top()
            self.resize(self.width(), max(self.height(), QUICK_ANSWER_HEIGHT))
            self.move(self.x(), top)

    def _centre_on_cursor_screen(self) -> None:
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        size = self.frameGeometry().size()
        # A little above the middle, where a launcher's box sits: the answer grows downwards.
        self.move(
            area.topLeft()
            + QPoint((area.width() - size.width()) // 2, max(0, area.height() // 3 - 100))
        )

    def _on_escape(self) -> None:
        self.hide()

    def _refresh_pickers(self) -> None:
        providers = self._settings.providers()
        chosen = self._settings.default_provider()
        default_model = self._settings.settings.default_model
        if (
            default_model
            and chosen is not None
            and self._settings.settings.default_provider != chosen.id
        ):
            default_model = None  # the default model belongs to the default provider
        self.provider_combo.clear()
        for provider in providers:
            self.provider_combo.addItem(provider.name, provider.id)
        if chosen is not None:
            self.provider_combo.setCurrentIndex(self.provider_combo.findData(chosen.id))
        self.provider_combo.setVisible(len(providers) > 1)
        self._fill_models(default_model or (chosen.default_model if chosen else ""))

    def _fill_models(self, model: str | None) -> None:
        provider = self._settings.provider(self.provider_combo.currentData())
        self.model_combo.clear()
        if provider is not None:
            self.model_combo.addItems(provider.models)
        self.model_combo.setEditText(model or "")
        self.model_combo.setEnabled(provider is not None)

    def _on_provider_combo_activated(self, _index: int) -> None:
        provider = self._settings.provider(self.provider_combo.currentData())
        self._fill_models(provider.default_model if provider else "")

    def _on_chat_view_action_requested(self, action: str, message_id: str) -> None:
        conversation = self.conversation
        if conversation is None or not conversation.has_message(message_id):
            return
        if action == "regenerate":
            self._chat.regenerate(conversation, message_id)
        elif action == "continue":
            self._chat.continue_reply(conversation, message_id)

    def _on_chat_view_edit_submitted(self, message_id: str, text: str) -> None:
        conversation = self.conversation
        if conversation is not None and conversation.has_message(message_id):
            self._chat.edit(conversation, message_id, text)

    def _on_chat_view_branch_requested(self, message_id: str) -> None:
        conversation = self.conversation
        if conversation is not None and conversation.has_message(message_id):
            self._chat.switch_branch(conversation, message_id)

    def _mine(self, conversation_id: str) -> Conversation | None:
        conversation = self.conversation
        return conversation if conversation and conversation.id == conversation_id else None

    def _on_chat_message_added(self, conversation_id: str, message_id: str) -> None:
        conversation = self._mine(conversation_id)
        if conversation is not None:
            self.chat_view.add_message(conversation.message(message_id))

    def _on_chat_reply_started(self, conversation_id: str, message_id: str) -> None:
        conversation = self._mine(conversation_id)
        if conversation is not None:
            widget = self.chat_view.add_message(conversation.message(message_id))
            if widget is not None:
                widget.set_waiting(True)

    def _on_chat_reply_delta(
        self, conversation_id: str, message_id: str, _kind: str, _text: str
    ) -> None:
        conversation = self._mine(conversation_id)
        if conversation is not None:
            self.chat_view.queue_delta(conversation.message(message_id))

    def _on_chat_reply_ended(self, conversation_id: str, message_id: str) -> None:
        conversation = self._mine(conversation_id)
        if conversation is not None and conversation.has_message(message_id):
            self.chat_view.refresh_message(conversation.message(message_id))

    def _on_chat_reply_failed(
        self, conversation_id: str, message_id: str, error: ConfabError
    ) -> None:
        conversation = self._mine(conversation_id)
        if conversation is None:
            return
        if message_id and conversation.has_message(message_id):
            self.chat_view.refresh_message(conversation.message(message_id))
        self._show_answer_area()
        self.banner.show_message(explain(error), detail(error))

    def _on_chat_thread_changed(self, conversation_id: str) -> None:
        """An edit or a regenerated reply made another branch the one on screen."""
        conversation = self._mine(conversation_id)
        if conversation is not None:
            self.chat_view.show_conversation(conversation)

    def _on_chat_streaming_changed(self, conversation_id: str, streaming: bool) -> None:
        if self._mine(conversation_id) is not None:
            self.composer.set_streaming(streaming)
            self.chat_view.set_streaming(streaming)
            self.provider_combo.setEnabled(not streaming)
            self.model_combo.setEnabled(not streaming)
