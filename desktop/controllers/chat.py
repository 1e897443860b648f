"""Sending a message and streaming the reply into the conversation, saving as it grows."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop.controllers.conversations import ConversationsController
from desktop.controllers.settings import SettingsController
from desktop.controllers.tasks import TaskSet
from desktop.core.context import request_messages
from desktop.core.errors import ConfabError, NoModelError, NoProviderError
from desktop.core.models import (
    Conversation,
    Message,
    Params,
    Usage,
    new_id,
    title_from_text,
    utc_now,
)
from desktop.core.titles import clean_title, title_request

log = logging.getLogger("confab.chat")

SAVE_INTERVAL_S = 1.0
STOPPED = "stopped"
TITLE_MAX_TOKENS = 24
CONTINUE_PROMPT = "Continue exactly where you stopped. Do not repeat anything."


class ChatController(QObject):
    # (conversation id, message id)
    message_added = Signal(str, str)
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

    def __init__(
        self,
        conversations: ConversationsController,
        settings: SettingsController,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._conversations = conversations
        self._settings = settings
        self._monotonic = monotonic
        self._streams: dict[str, asyncio.Task[None]] = {}
        # Ask the model for a short title after the first reply (settings: "auto_title").
        self.auto_title = bool(settings.settings.extra.get("auto_title", True))
        self._tasks = TaskSet()

    def is_streaming(self, conversation_id: str | None) -> bool:
        return conversation_id is not None and conversation_id in self._streams

    def send(self, conversation: Conversation, text: str) -> bool:
        """Save the user's message, then stream the reply. False if nothing was sent."""
        return self._ask(conversation, text, parent=conversation.head)

    def edit(self, conversation: Conversation, message_id: str, text: str) -> bool:
        """Send an edited question as a sibling of the original; the original stays."""
        original = conversation.message(message_id)
        if original.role != "user" or text.strip() == original.content.strip():
            return False
        return self._ask(conversation, text, parent=original.parent)

    def regenerate(self, conversation: Conversation, message_id: str) -> bool:
        """A new reply to the same question, as a sibling of ``message_id``."""
        reply = conversation.message(message_id)
        if reply.role != "assistant" or not self._ready(conversation):
            return False
        conversation.head = reply.parent
        self._start_reply(conversation)
        return True

    def continue_reply(self, conversation: Conversation, message_id: str) -> bool:
        """Ask the model to go on with a reply cut at its length limit; the text is appended
        to the same message."""
        reply = conversation.message(message_id)
        if reply.role != "assistant" or not self._ready(conversation):
            return False
        conversation.switch_to(reply.id)
        if conversation.head != reply.id:
            return False  # only the last reply of a thread can be continued
        messages = request_messages(conversation)
        messages.append({"role": "user", "content": CONTINUE_PROMPT})
        reply.error = None
        self._launch(conversation, reply, messages)
        return True

    def switch_branch(self, conversation: Conversation, message_id: str) -> None:
        if self.is_streaming(conversation.id):
            return
        conversation.switch_to(message_id)
        self._conversations.save(conversation, touch=False)
        self.thread_changed.emit(conversation.id)

    def delete_message(self, conversation: Conversation, message_id: str) -> None:
        """Delete a message and its branch below; the other branches stay."""
        if self.is_streaming(conversation.id) or not conversation.has_message(message_id):
            return
        conversation.remove_branch(message_id)
        self._conversations.save(conversation)
        self.thread_changed.emit(conversation.id)

    def _ready(self, conversation: Conversation) -> bool:
        """Pick the provider and model; False (and a reply_failed) when something is missing."""
        if self.is_streaming(conversation.id):
            return False
        provider = (
            self._settings.provider(conversation.provider) or self._settings.default_provider()
        )
        if provider is None:
            self.reply_failed.emit(conversation.id, "", NoProviderError())
            return False
        conversation.provider = provider.id
        if not conversation.model:
            conversation.model = provider.default_model or None
        if not conversation.model:
            self.reply_failed.emit(conversation.id, "", NoModelError())
            return False
        return True

    def _ask(self, conversation: Conversation, text: str, parent: str | None) -> bool:
        text = text.strip()
        if not text or not self._ready(conversation):
            return False
        user = Message(id=new_id(), parent=parent, role="user", content=text, created_at=utc_now())
        conversation.append(user)
        if not conversation.title:
            conversation.title = title_from_text(text)
        # The question is on disk before the request leaves; if that fails the reply is still
        # tried, and the failed write is retried by the conversations controller.
        self._conversations.save(conversation)
        self.message_added.emit(conversation.id, user.id)
        self._start_reply(conversation)
        return True

    def stop(self, conversation_id: str) -> None:
        task = self._streams.get(conversation_id)
        if task is not None:
            task.cancel()

    async def shutdown(self) -> None:
        for task in list(self._streams.values()):
            task.cancel()
        streams = list(self._streams.values())
        if streams:
            await asyncio.gather(*streams, return_exceptions=True)
        await self._tasks.cancel_all()
        self._conversations.flush()

    def _start_reply(self, conversation: Conversation) -> None:
        reply = Message(
            id=new_id(),
            parent=conversation.head,
            role="assistant",
            content="",
            created_at=utc_now(),
            model=conversation.model,
        )
        messages = request_messages(conversation)
        conversation.append(reply)
        self._launch(conversation, reply, messages)

    def _launch(
        self, conversation: Conversation, reply: Message, messages: list[dict[str, str]]
    ) -> None:
        task = self._tasks.spawn(self._stream(conversation, reply, messages))
        self._streams[conversation.id] = task
        self.reply_started.emit(conversation.id, reply.id)
        self.streaming_changed.emit(conversation.id, True)

    async def _stream(
        self, conversation: Conversation, reply: Message, messages: list[dict[str, str]]
    ) -> None:
        last_save = self._monotonic()
        earlier_usage = reply.usage

        def on_delta(kind: str, text: str) -> None:
            nonlocal last_save
            if kind == "reasoning":
                reply.reasoning = (reply.reasoning or "") + text
            else:
                reply.content += text
            self.reply_delta.emit(conversation.id, reply.id, kind, text)
            if self._monotonic() - last_save >= SAVE_INTERVAL_S:
                last_save = self._monotonic()
                self._conversations.save(conversation)

        try:
            # Imported here, not at start-up: httpx is slow to import (see controllers/settings).
            from desktop.core.client import ChatRequest

            provider = self._settings.provider(conversation.provider)
            if provider is None:
                raise NoProviderError()
            client = self._settings.client_for(provider)
            request = ChatRequest(conversation.model or "", messages, conversation.params)
            result = await client.stream_chat(request, on_delta)
        except asyncio.CancelledError:
            reply.error = STOPPED
            reply.finish_reason = reply.finish_reason or None
            self._finish(conversation, reply)
            self.reply_stopped.emit(conversation.id, reply.id)
            raise
        except ConfabError as exc:
            reply.error = f"{type(exc).__name__}: {exc.detail}".rstrip(": ")
            self._finish(conversation, reply)
            self.reply_failed.emit(conversation.id, reply.id, exc)
        except Exception as exc:  # never let a surprise kill the stream silently
            log.exception("unexpected failure while streaming")
            reply.error = f"{type(exc).__name__}: {exc}"
            self._finish(conversation, reply)
            self.reply_failed.emit(conversation.id, reply.id, ConfabError(str(exc)))
        else:
            reply.finish_reason = result.finish_reason
            if earlier_usage is not None and result.usage is not None:
                # A continued reply cost both requests.
                result.usage = Usage(
                    earlier_usage.prompt_tokens + result.usage.prompt_tokens,
                    earlier_usage.completion_tokens + result.usage.completion_tokens,
                    earlier_usage.total_tokens + result.usage.total_tokens,
                    earlier_usage.estimated or result.usage.estimated,
                )
            reply.usage = result.usage
            if result.model:
                reply.model = result.model
            self._finish(conversation, reply)
            self.reply_finished.emit(conversation.id, reply.id)
            self._maybe_title(conversation)

    def _maybe_title(self, conversation: Conversation) -> None:
        if (
            self.auto_title
            and not conversation.extra.get("title_set_by_user")
            and not conversation.extra.get("title_generated")
            and title_request(conversation) is not None
        ):
            self._tasks.spawn(self._generate_title(conversation))

    async def _generate_title(self, conversation: Conversation) -> None:
        """Until this succeeds (and whenever it fails) the title stays the question's first
        line; a rename by the user always wins."""
        messages = title_request(conversation)
        provider = self._settings.provider(conversation.provider)
        if messages is None or provider is None or not conversation.model:
            return
        from desktop.core.client import ChatRequest

        request = ChatRequest(conversation.model, messages, Params(max_tokens=TITLE_MAX_TOKENS))
        try:
            result = await self._settings.client_for(provider).complete(request)
        except ConfabError as exc:
            log.info("no generated title: %s", exc.detail or type(exc).__name__)
            return
        title = clean_title(result.content)
        if title and not conversation.extra.get("title_set_by_user"):
            conversation.title = title
            conversation.extra["title_generated"] = True
            self._conversations.save(conversation, touch=False)

    def _finish(self, conversation: Conversation, reply: Message) -> None:
        self._streams.pop(conversation.id, None)
        self._conversations.save(conversation)
        self.streaming_changed.emit(conversation.id, False)
