"""The chat service (desktop/core/services/chat.py) adapted to Qt: its events become signals,
its periodic save runs on a QTimer, and its deferred saves on the next turn of the Qt loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.controllers.conversations import ConversationsController
from desktop.controllers.settings import SettingsController
from desktop.core.context import Budget, ContextPlan
from desktop.core.errors import ConfabError
from desktop.core.models import Attachment, Conversation, Usage
from desktop.core.services.chat import (
    SAVE_INTERVAL_S,
    ChatEvents,
    ChatService,
    RetryPolicy,
    RetryWait,
    SendEstimate,
)
from desktop.core.usage import UsageRow, UsageTable

if TYPE_CHECKING:
    from desktop.core.tasks import TaskSet

__all__ = ["ChatController", "RetryPolicy", "SendEstimate"]


class ChatController(QObject):
    # (conversation id, message id)
    message_added = Signal(str, str)
    # The question is on disk (its write ended well); the request leaves right after.
    message_saved = Signal(str, str)
    reply_started = Signal(str, str)
    # (conversation id, message id, "content" | "reasoning", text)
    reply_delta = Signal(str, str, str, str)
    reply_finished = Signal(str, str)
    reply_stopped = Signal(str, str)
    # (conversation id, message id or "", the ConfabError)
    reply_failed = Signal(str, str, object)
    streaming_changed = Signal(str, bool)
    # The thread on screen changed shape (branch switched, message deleted): redraw it.
    thread_changed = Signal(str)
    # Pins, exclusions or the budget changed: what the model will see is different.
    context_changed = Signal(str)
    # (conversation id, whether the failed reply it was made for is being asked again)
    compacted = Signal(str, bool)
    # (conversation id, reply id, the RetryWait: how long, which attempt, why)
    retry_scheduled = Signal(str, str, object)
    compaction_failed = Signal(str, object)
    # The usage figures may have changed (a reply saved, a file a sync tool brought, counting
    # under way): ConversationsController.usage_changed.
    usage_changed = Signal()

    def __init__(
        self,
        conversations: ConversationsController,
        settings: SettingsController,
        parent: QObject | None = None,
        *,
        timer_factory: Callable[[QObject], QTimer] = QTimer,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """``timer_factory`` makes the periodic save's timer and ``sleep`` waits before an
        automatic retry (asyncio.sleep): the seams through which tests drive time. The
        requests' attachments come from the conversations' store (the window's
        AttachmentsController adds to the same one)."""
        super().__init__(parent)
        self._settings = settings
        self._save_timer = timer_factory(self)
        self._save_timer.setInterval(int(SAVE_INTERVAL_S * 1000))
        self.service = ChatService(
            conversations,
            settings,
            _Signals(self),
            self._save_timer,
            defer=lambda run: QTimer.singleShot(1, self, run),
            sleep=sleep,
            auto_title=settings.settings.auto_title,
            attachments=conversations.attachments,
        )
        self._save_timer.timeout.connect(self.service.save_tick)
        conversations.usage_changed.connect(self.usage_changed)

    # The service's own, for callers that hold the controller.
    @property
    def retry_policy(self) -> RetryPolicy:
        return self.service.retry_policy

    @retry_policy.setter
    def retry_policy(self, policy: RetryPolicy) -> None:
        self.service.retry_policy = policy

    @property
    def auto_title(self) -> bool:
        return self.service.auto_title

    @auto_title.setter
    def auto_title(self, value: bool) -> None:
        self.service.auto_title = value

    @property
    def _tasks(self) -> TaskSet:
        return self.service.tasks

    def preload(self) -> None:
        """Ready the HTTP client of the default provider ahead of the first request: importing
        httpx and building its TLS context take ~100 ms, a visible stall mid-conversation.
        (Not the token tables: ~35 MiB, loaded in a thread when a count first needs them.)"""
        import asyncio

        provider = self._settings.default_provider()
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop to read its keys on (a window without one, in a test)
            provider = None
        if provider is not None:
            self.service.spawn(self._settings.client(provider))  # keys read off the UI thread
        else:
            import desktop.core.client  # noqa: F401

    def is_streaming(self, conversation_id: str | None) -> bool:
        return self.service.is_streaming(conversation_id)

    def send(
        self, conversation: Conversation, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> bool:
        return self.service.send(conversation, text, attachments)

    def edit(self, conversation: Conversation, message_id: str, text: str) -> bool:
        return self.service.edit(conversation, message_id, text)

    def regenerate(self, conversation: Conversation, message_id: str) -> bool:
        return self.service.regenerate(conversation, message_id)

    def retry(self, conversation: Conversation, message_id: str) -> bool:
        return self.service.retry(conversation, message_id)

    def shrink_context_and_retry(self, conversation: Conversation, message_id: str) -> bool:
        return self.service.shrink_context_and_retry(conversation, message_id)

    def compact_and_retry(self, conversation: Conversation, message_id: str) -> bool:
        return self.service.compact_and_retry(conversation, message_id)

    def continue_reply(self, conversation: Conversation, message_id: str) -> bool:
        return self.service.continue_reply(conversation, message_id)

    def switch_branch(self, conversation: Conversation, message_id: str) -> None:
        self.service.switch_branch(conversation, message_id)

    def show_message(self, conversation: Conversation, message_id: str) -> bool:
        return self.service.show_message(conversation, message_id)

    def delete_message(self, conversation: Conversation, message_id: str) -> None:
        self.service.delete_message(conversation, message_id)

    def stop(self, conversation_id: str) -> None:
        self.service.stop(conversation_id)

    async def shutdown(self) -> None:
        await self.service.shutdown()

    def budget(self, conversation: Conversation) -> Budget:
        return self.service.budget(conversation)

    def plan(
        self, conversation: Conversation, draft: str = "", *, wait: bool = True
    ) -> ContextPlan:
        return self.service.plan(conversation, draft, wait=wait)

    def next_send(
        self, conversation: Conversation, draft: str, attachments: tuple[Attachment, ...] = ()
    ) -> SendEstimate:
        return self.service.next_send(conversation, draft, attachments)

    def model_of(self, conversation: Conversation) -> str:
        return self.service.model_of(conversation)

    def set_message_flag(
        self, conversation: Conversation, message_id: str, flag: str, value: bool
    ) -> None:
        self.service.set_message_flag(conversation, message_id, flag, value)

    def set_budget(self, conversation: Conversation, budget: Budget) -> None:
        self.service.set_budget(conversation, budget)

    def compact(self, conversation: Conversation) -> bool:
        return self.service.compact(conversation)

    def cost_of(self, usage: Usage | None, model: str | None) -> float | None:
        return self.service.cost_of(usage, model)

    async def usage_table(self, by: str = "day") -> UsageTable:
        return await self.service.usage_table(by)

    async def export_usage(self, path: Path, rows: list[UsageRow]) -> None:
        await self.service.export_usage(path, rows)

    def conversation_total(self, conversation: Conversation) -> tuple[int, float | None]:
        return self.service.conversation_total(conversation)


class _Signals(ChatEvents):
    """The service's events, emitted as the controller's signals."""

    def __init__(self, controller: ChatController) -> None:
        self._c = controller

    def message_added(self, conversation_id: str, message_id: str) -> None:
        self._c.message_added.emit(conversation_id, message_id)

    def message_saved(self, conversation_id: str, message_id: str) -> None:
        self._c.message_saved.emit(conversation_id, message_id)

    def reply_started(self, conversation_id: str, message_id: str) -> None:
        self._c.reply_started.emit(conversation_id, message_id)

    def reply_delta(self, conversation_id: str, message_id: str, kind: str, text: str) -> None:
        self._c.reply_delta.emit(conversation_id, message_id, kind, text)

    def reply_finished(self, conversation_id: str, message_id: str) -> None:
        self._c.reply_finished.emit(conversation_id, message_id)

    def reply_stopped(self, conversation_id: str, message_id: str) -> None:
        self._c.reply_stopped.emit(conversation_id, message_id)

    def reply_failed(self, conversation_id: str, message_id: str, error: ConfabError) -> None:
        self._c.reply_failed.emit(conversation_id, message_id, error)

    def streaming_changed(self, conversation_id: str, streaming: bool) -> None:
        self._c.streaming_changed.emit(conversation_id, streaming)

    def thread_changed(self, conversation_id: str) -> None:
        self._c.thread_changed.emit(conversation_id)

    def context_changed(self, conversation_id: str) -> None:
        self._c.context_changed.emit(conversation_id)

    def compacted(self, conversation_id: str, retrying: bool) -> None:
        self._c.compacted.emit(conversation_id, retrying)

    def compaction_failed(self, conversation_id: str, error: ConfabError) -> None:
        self._c.compaction_failed.emit(conversation_id, error)

    def retry_scheduled(self, conversation_id: str, message_id: str, wait: RetryWait) -> None:
        self._c.retry_scheduled.emit(conversation_id, message_id, wait)
