"""The window's part of Compare: the dialog that chooses the models, the question sent to them
(ChatController.compare), the columns shown in place of the thread while the replies stream
(desktop/ui/compare_view.py), and Keep This One.

The columns of a comparison not kept yet come back when its conversation is opened again in
the same session; after a restart the replies are shown as what they are in the file, sibling
branches of the question (the switcher's "1/3"), the first target's on the thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.controllers.chat import Target
from desktop.ui.compare_view import CompareDialog, CompareView, ProviderChoice

if TYPE_CHECKING:
    from desktop.controllers.attachments import AttachmentsController
    from desktop.controllers.chat import ChatController
    from desktop.controllers.conversations import ConversationsController
    from desktop.controllers.settings import SettingsController
    from desktop.core.models import Conversation, Message
    from desktop.ui.main_window import MainWindow


class CompareFlow(QObject):
    def __init__(
        self,
        window: MainWindow,
        view: CompareView,
        conversations: ConversationsController,
        chat: ChatController,
        settings: SettingsController,
        attachments: AttachmentsController | None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.view = view
        self._conversations = conversations
        self._chat = chat
        self._settings = settings
        self._attachments = attachments
        self.dialog: CompareDialog | None = None
        # Per conversation, its comparison not kept yet (this session): question, replies.
        self._open: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._last: list[Target] = []  # the models of the last comparison, offered again
        view.usage_text = window.reply_usage_text
        view.attachment_source = attachments
        chat.compare_started.connect(self._on_chat_compare_started)
        chat.compare_retried.connect(self._on_chat_compare_retried)
        view.keep_requested.connect(self._on_view_keep_requested)
        view.retry_requested.connect(self._on_view_retry_requested)
        view.close_requested.connect(self._on_view_close_requested)

    # ---- choosing and sending ------------------------------------------------------

    def open_dialog(self) -> CompareDialog | None:
        """Compare (the composer's button, Ctrl+Shift+M): choose the models for the question
        typed; None (and a note) when there is nothing to send yet."""
        window = self._window
        flow = window.attach_flow
        attachments = flow.to_send() if flow is not None else ()
        if not window.composer.text().strip() and not attachments:
            window.banner.show_message(
                self.tr("Type the question first: Compare sends it to several models at once."),
                level="info",
                brief=True,
            )
            window.composer.edit.setFocus()
            return None
        conversation = window.current
        if conversation is not None and self._chat.is_streaming(conversation.id):
            return None
        choices = [
            ProviderChoice(p.id, p.name, list(p.models), p.default_model or "")
            for p in self._settings.providers()
        ]
        if not choices:
            window.open_providers()
            return None
        images = any(a.kind == "image" and not a.excluded for a in attachments) or (
            conversation is not None
            and any(
                a.kind == "image" and not a.excluded
                for m in conversation.thread()
                for a in m.attachments
            )
        )
        self.dialog = dialog = CompareDialog(
            choices,
            self._initial_targets(conversation),
            window,
            tools_on=bool(conversation is not None and conversation.tools),
            images=images,
            cannot_see=self._cannot_see,
        )
        dialog.models_wanted.connect(self._on_dialog_models_wanted)
        for choice in choices:
            if not choice.models:  # listed once asked (and remembered by the settings)
                self._on_dialog_models_wanted(choice.id)
        dialog.accepted.connect(lambda: self._send(dialog.targets()))
        dialog.open()
        return dialog

    def _initial_targets(self, conversation: Conversation | None) -> list[Target]:
        if self._last:
            return list(self._last)
        provider = (
            self._settings.provider(conversation.provider) if conversation is not None else None
        ) or self._settings.default_provider()
        if provider is None:
            return []
        model = (conversation.model if conversation is not None else None) or (
            provider.default_model or ""
        )
        return [Target(provider.id, model)] if model else []

    def _cannot_see(self, provider_id: str, model: str) -> bool:
        attachments = self._attachments
        return attachments is not None and attachments.sees_images(provider_id, model) is False

    def _on_dialog_models_wanted(self, provider_id: str) -> None:
        self._window.spawn(self._fetch_models(provider_id))

    async def _fetch_models(self, provider_id: str) -> None:
        models = await self._window.provider_models(provider_id)
        if self.dialog is not None and models:
            self.dialog.set_models(provider_id, models)

    def _send(self, targets: list[Target]) -> None:
        window = self._window
        flow = window.attach_flow
        if flow is not None and flow.busy():
            window.banner.show_message(
                self.tr("Still adding files: compare once they are ready."),
                level="info",
                brief=True,
            )
            return
        attachments = flow.to_send() if flow is not None else ()
        conversation = window.current
        if conversation is None:
            window.new_conversation()
            conversation = window.current
        assert conversation is not None
        window.banner.hide()
        if self._chat.compare(conversation, window.composer.text(), targets, attachments):
            self._last = list(targets)
            window.composer.clear()
            self._conversations.set_draft(conversation, "")
            if flow is not None:
                flow.clear(conversation.id)
        window.composer.edit.setFocus()

    # ---- the columns ---------------------------------------------------------------

    def _on_chat_compare_started(
        self, conversation_id: str, question_id: str, reply_ids: tuple[str, ...]
    ) -> None:
        self._open[conversation_id] = (question_id, tuple(reply_ids))
        current = self._window.current
        if current is not None and current.id == conversation_id:
            self.show_for(current)

    def _on_chat_compare_retried(self, conversation_id: str, old_id: str, new_id: str) -> None:
        found = self._open.get(conversation_id)
        if found is not None:
            question_id, ids = found
            self._open[conversation_id] = (
                question_id,
                tuple(new_id if i == old_id else i for i in ids),
            )
        conversation = self._conversations.get(conversation_id)
        if self.view.conversation_id == conversation_id and conversation is not None:
            self.view.replace_reply(old_id, conversation.message(new_id))

    def _on_view_retry_requested(self, reply_id: str) -> None:
        conversation = self._window.current
        if conversation is not None and self.view.conversation_id == conversation.id:
            self._chat.retry_target(conversation, reply_id)

    def show_for(self, conversation: Conversation | None) -> None:
        """The conversation shown changed (or its comparison began): its columns, if it has
        a comparison not kept yet, else the thread."""
        found = self._open.get(conversation.id) if conversation is not None else None
        if (
            conversation is None
            or found is None
            or not all(conversation.has_message(i) for i in (found[0], *found[1]))
        ):
            if conversation is not None:
                self._open.pop(conversation.id, None)
            self._show_thread(False)
            return
        question_id, reply_ids = found
        replies = [conversation.message(i) for i in reply_ids]
        self.view.show_compare(
            conversation.id,
            conversation.message(question_id),
            replies,
            [self._title(r) for r in replies],
            streaming=self._chat.is_streaming(conversation.id),
        )
        self._window.chat_view.hide()
        self.view.show()

    def _title(self, reply: Message) -> str:
        name = self._settings.provider_name(reply.provider) if reply.provider else ""
        model = reply.model or ""
        return f"{name} · {model}" if name and model else name or model

    def _show_thread(self, redraw: bool) -> None:
        self.view.hide()
        self.view.clear()
        self._window.chat_view.show()
        if redraw:
            self._window.show_thread()

    def takes(self, conversation_id: str, message_id: str) -> bool:
        """Whether the reply is a column on screen (then the thread does not show it)."""
        return self.view.isVisibleTo(self._window) and self.view.has(conversation_id, message_id)

    def reply_grew(self, conversation_id: str, message_id: str) -> bool:
        if not self.takes(conversation_id, message_id):
            return False
        conversation = self._conversations.get(conversation_id)
        if conversation is not None:
            self.view.queue_delta(conversation.message(message_id))
        return True

    def reply_changed(self, conversation_id: str, message_id: str) -> bool:
        """A column's reply started or ended (finished, failed, stopped): True when shown."""
        if not self.takes(conversation_id, message_id):
            return False
        conversation = self._conversations.get(conversation_id)
        if conversation is not None:
            self.view.refresh(conversation.message(message_id))
        return True

    def streaming_changed(self, conversation_id: str, streaming: bool) -> None:
        if self.view.conversation_id == conversation_id:
            self.view.set_streaming(streaming)

    def leave(self, conversation_id: str) -> None:
        """The thread went on without keeping one (a message sent): the columns go."""
        if self._open.pop(conversation_id, None) is not None and (
            self.view.conversation_id == conversation_id
        ):
            self._show_thread(True)

    def _on_view_keep_requested(self, reply_id: str) -> None:
        conversation = self._window.current
        if conversation is None or self.view.conversation_id != conversation.id:
            return
        if self._chat.is_streaming(conversation.id) or not conversation.has_message(reply_id):
            return
        self._open.pop(conversation.id, None)
        self._show_thread(False)  # shown first: the switch of branch redraws it, laid out
        if not self._chat.keep(conversation, reply_id):
            self._window.show_thread()
        self._window.composer.edit.setFocus()

    def _on_view_close_requested(self) -> None:
        conversation = self._window.current
        if conversation is not None and not self._chat.is_streaming(conversation.id):
            self._open.pop(conversation.id, None)
            self._show_thread(True)
