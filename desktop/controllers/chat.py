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
from desktop.core.models import Attachment, Conversation, ToolSelection, Usage
from desktop.core.services.chat import (
    SAVE_INTERVAL_S,
    ChatEvents,
    ChatService,
    RetryPolicy,
    RetryWait,
    SendEstimate,
    Target,
)
from desktop.core.usage import UsageRow, UsageTable

if TYPE_CHECKING:
    from desktop.controllers.tools import ToolsController
    from desktop.core.tasks import TaskSet
    from desktop.core.tools.types import ApprovalRequest

__all__ = ["ChatController", "RetryPolicy", "SendEstimate", "Target"]


class ChatController(QObject):
    # (conversation id, message id)
    message_added = Signal(str, str)
    # The question is on disk (its write ended well); the request leaves right after.
    message_saved = Signal(str, str)
    # (conversation id, question id, the replies' ids in the targets' order): a comparison
    # began; each reply then streams as any does (reply_started, reply_delta…).
    compare_started = Signal(str, str, object)
    # (conversation id, old reply id, new reply id): a target of a comparison asked again.
    compare_retried = Signal(str, str, str)
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
    # A tool call waits for the user: the ApprovalRequest (conversation, reply, the call in
    # full, server and tool). Answer with ``decide(call_id, "once" | "always" | "deny")``.
    approval_needed = Signal(object)
    # (conversation id, call id): the call runs now / its "tool" message is in the
    # conversation (ran, failed, denied or stopped: the message says which).
    tool_started = Signal(str, str)
    tool_finished = Signal(str, str)

    def __init__(
        self,
        conversations: ConversationsController,
        settings: SettingsController,
        parent: QObject | None = None,
        *,
        timer_factory: Callable[[QObject], QTimer] = QTimer,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        tools: ToolsController | None = None,
    ) -> None:
        """``timer_factory`` makes the periodic save's timer and ``sleep`` waits before an
        automatic retry (asyncio.sleep): the seams through which tests drive time. ``tools``:
        the MCP servers a conversation may use (none without it). The requests' attachments
        come from the conversations' store (the window's AttachmentsController adds to the
        same one)."""
        super().__init__(parent)
        self._settings = settings
        # The MCP servers' controller (the Tools page, the picker): None without tools.
        self.tools = tools
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
            tools=tools,
            attachments=conversations.attachments,
        )
        self._save_timer.timeout.connect(self.service.save_tick)
        # Title generation on or off in the Preferences: from the next reply on.
        settings.preferences_changed.connect(self._on_settings_preferences_changed)
        if tools is not None:
            tools.tools_listed.connect(self._on_tools_tools_listed)
        conversations.usage_changed.connect(self.usage_changed)

    def _on_settings_preferences_changed(self, changed: object) -> None:
        if isinstance(changed, set) and "auto_title" in changed:
            self.service.auto_title = self._settings.settings.auto_title

    def _on_tools_tools_listed(self, server_id: str, _tools: object) -> None:
        self.service.tools_listed(server_id)

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

    def compare(
        self,
        conversation: Conversation,
        text: str,
        targets: list[Target],
        attachments: tuple[Attachment, ...] = (),
    ) -> tuple[str, ...]:
        """One question to 2–4 (provider, model) targets at once (ChatService.compare)."""
        return self.service.compare(conversation, text, targets, attachments)

    def retry_target(self, conversation: Conversation, reply_id: str) -> str:
        """Ask a comparison's target again (ChatService.retry_target); the new reply's id."""
        return self.service.retry_target(conversation, reply_id)

    def keep(self, conversation: Conversation, reply_id: str) -> bool:
        """Continue from this reply of a comparison; the others stay as its siblings."""
        return self.service.keep(conversation, reply_id)

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
        """Stop the turn: the reply streaming, or the tool running or awaiting approval."""
        self.service.stop(conversation_id)

    def decide(self, call_id: str, decision: str, conversation_id: str | None = None) -> bool:
        """The user's answer to ``approval_needed``: "once", "always" (remembered for the
        server's tool, revocable in settings) or "deny" (the model is told). False when the
        call no longer waits."""
        return self.service.decide(call_id, decision, conversation_id)

    def pending_approvals(self, conversation_id: str) -> list[str]:
        """Call ids of this conversation waiting for a decision (a view opened meanwhile)."""
        return self.service.pending_approvals(conversation_id)

    def approval_requests(self, conversation_id: str) -> list[ApprovalRequest]:
        """The ApprovalRequests of this conversation still waiting, in the order asked."""
        return self.service.approval_requests(conversation_id)

    def set_tools(self, conversation: Conversation, tools: tuple[ToolSelection, ...]) -> None:
        """Which servers (and tools) the conversation offers the model; saved with it."""
        self.service.set_tools(conversation, tools)

    def retry_without_tools(self, conversation: Conversation, message_id: str) -> bool:
        """After ToolsUnsupportedError ("tools_unsupported"): ask again without tools."""
        return self.service.retry_without_tools(conversation, message_id)

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

    def compare_started(
        self, conversation_id: str, question_id: str, reply_ids: tuple[str, ...]
    ) -> None:
        self._c.compare_started.emit(conversation_id, question_id, reply_ids)

    def compare_retried(self, conversation_id: str, old_id: str, new_id: str) -> None:
        self._c.compare_retried.emit(conversation_id, old_id, new_id)

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

    def approval_needed(self, request: ApprovalRequest) -> None:
        self._c.approval_needed.emit(request)

    def tool_started(self, conversation_id: str, call_id: str) -> None:
        self._c.tool_started.emit(conversation_id, call_id)

    def tool_finished(self, conversation_id: str, call_id: str) -> None:
        self._c.tool_finished.emit(conversation_id, call_id)
