"""Chat sessions: sending a message and streaming the reply into the conversation, saving as it
grows; retries, branches, context planning and compaction, titles, usage and costs.

``ChatService`` knows nothing of Qt. It takes what it works with in its constructor:

- ``conversations`` (``ConversationSink``): saves a conversation (the write may finish later),
  tells when a conversation's writes have ended, and lists the conversations;
- ``providers`` (``ProviderSource``): the providers, their clients (awaited: the keys come from
  the keyring) and the price table;
- ``events`` (``ChatEvents``): hears what happened (a reply started, grew, failed…);
- ``save_timer`` (``Ticker``): started while replies stream; its owner calls ``save_tick()``
  at every tick (once a second); ``defer`` runs a function at the next turn of the loop;
- ``sleep`` waits before an automatic retry and ``clock`` stamps the messages;
- ``attachments`` (``AttachmentStore``): the data folder's attachments. A request with
  attachments is built off the UI thread (a thread of the service's own): the documents'
  texts read, the images scaled and encoded (once: the store keeps them), then sent as content
  parts (desktop/core/attachments/parts.py). Without a store, messages go as text only.

The controller (desktop/controllers/chat.py) passes a QTimer, ``QTimer.singleShot`` and Qt
signals; the tests (tests/core/test_chat_service.py) pass a ticker they tick by hand, a sleep
that returns at once and a clock that stands still.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop.core.context import (
    REPLY_RESERVE,
    Budget,
    ContextPlan,
    compaction_request,
    plan_context,
    set_flag,
)
from desktop.core.errors import (
    BadRequestError,
    ConfabError,
    ConnectFailedError,
    NewerFormatError,
    NoModelError,
    NoProviderError,
    RateLimitError,
    ServerError,
    ToolRoundLimitError,
    ToolsUnsupportedError,
)
from desktop.core.logs import redact
from desktop.core.models import (
    Clock,
    Conversation,
    Message,
    Params,
    ReplyError,
    Summary,
    ToolCall,
    ToolSelection,
    Usage,
    new_id,
    title_from_text,
    utc_now,
)
from desktop.core.tasks import TaskSet
from desktop.core.titles import clean_title, title_request
from desktop.core.tokens import (
    TOKENS_PER_MESSAGE,
    TOKENS_PER_REPLY_PRIMING,
    TokenCounter,
    counted,
)
from desktop.core.usage import UsageRow, UsageTable, rows_to_csv

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future, ThreadPoolExecutor

    from desktop.core.attachments.store import AttachmentStore
    from desktop.core.client import ChatClient
    from desktop.core.models import Attachment
    from desktop.core.pricing import Price, PriceTable
    from desktop.core.settings import Provider
    from desktop.core.tools.naming import ToolBox
    from desktop.core.tools.types import ApprovalRequest, ToolInfo, ToolOutcome
    from desktop.core.wire import WireMessage

log = logging.getLogger("confab.chat")

SAVE_INTERVAL_S = 1.0
TITLE_MAX_TOKENS = 24
CONTINUE_PROMPT = "Continue exactly where you stopped. Do not repeat anything."

# Requests of one turn that may end in tool calls: the ninth is not sent, and the turn ends
# with a note (ToolRoundLimitError) instead of going round for ever.
TOOL_ROUNDS = 8
# What the model is told of a call that did not run.
DENIED_TEXT = "The user denied this tool call; it was not run."
STOPPED_TEXT = "The user stopped this tool call before it finished."
# A 400 about these words, to a request that carried tools: the model takes none.
_TOOL_WORDS = ("tool", "function")

# Not timeouts: a model slow to answer would only be asked again, and wait as long again.
RETRYABLE = (RateLimitError, ServerError, ConnectFailedError)


@dataclass
class RetryPolicy:
    """Failures before the first byte are retried: a 429 after its Retry-After (when that is
    short enough to wait for), a 5xx or an unreachable server after 1, 2, 4… seconds."""

    attempts: int = 3
    base_delay: float = 1.0
    longest_wait: float = 60.0

    def delay(self, error: Exception, attempt: int) -> float | None:
        if attempt >= self.attempts:
            return None
        backoff = self.base_delay * float(1 << (attempt - 1))
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            if error.retry_after > self.longest_wait:
                return None  # an hour's wait is a quota, not a hiccup: tell the user now
            return max(float(error.retry_after), 0.0)
        return backoff


@dataclass(frozen=True)
class RetryWait:
    """An automatic retry waiting: ``seconds`` before attempt ``attempt`` of ``attempts``,
    because the server was ``reason``: "unreachable" (no connection) or "busy" (429, 5xx)."""

    seconds: float
    attempt: int
    attempts: int
    reason: str


@dataclass(frozen=True)
class SendEstimate:
    tokens: int
    exact: bool
    cost: float | None  # None: the model's price is unknown (no invented cost)
    context_window: int | None
    # What would go (the window marks what would not): planned once for both.
    plan: ContextPlan


# A comparison asks this many models at most (and at least two).
COMPARE_MIN, COMPARE_MAX = 2, 4


@dataclass(frozen=True)
class Target:
    """Where one reply of a comparison comes from: a provider's id and a model."""

    provider: str
    model: str


@dataclass(eq=False)
class _Stream:
    """One reply streaming into a conversation: what it fills, where it asks (the provider
    and model, fixed when it starts: a comparison streams several at once, each its own), and
    the task. ``sent`` is when the current request left (the monotonic clock), for the time
    to the first token."""

    conversation: Conversation
    reply: Message
    provider: str | None
    model: str | None
    task: asyncio.Task[None] | None = None
    sent: float | None = None
    # Replies on the thread this one's requests never carry: the other replies of its
    # comparison (the thread's head is the first; they grow while this one is planned).
    hidden: frozenset[str] = frozenset()


class ConversationSink(Protocol):
    def save(self, conversation: Conversation, *, touch: bool = True) -> bool: ...
    async def written(self, conversation_id: str) -> bool: ...
    def get(self, conversation_id: str) -> Conversation | None: ...
    async def usage(
        self, by: str, price_of: Callable[[str], Price | None] | None = None
    ) -> UsageTable: ...
    def write_file(self, path: Path, data: bytes) -> Future[None]: ...
    def flush(self) -> None: ...


class ProviderSource(Protocol):
    def provider(self, provider_id: str | None) -> Provider | None: ...
    def default_provider(self) -> Provider | None: ...
    async def client(self, provider: Provider) -> ChatClient: ...
    def provider_name(self, provider_id: str) -> str: ...
    @property
    def prices(self) -> PriceTable: ...


class ToolSource(Protocol):
    """The tools a conversation may use (desktop/controllers/tools.py's ToolsController)."""

    async def offered(self, selections: tuple[ToolSelection, ...]) -> list[ToolInfo]: ...
    def known_tools(self, server_id: str) -> list[ToolInfo] | None: ...
    async def call(self, server_id: str, tool: str, arguments: dict[str, Any]) -> ToolOutcome: ...
    def is_always_allowed(self, server_id: str, tool: str) -> bool: ...
    def allow_always(self, server_id: str, tool: str) -> None: ...


class Ticker(Protocol):
    """A repeating timer whose owner calls ``ChatService.save_tick`` at each tick."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def isActive(self) -> bool: ...


class ChatEvents:
    """What a ChatService reports; each does nothing here. Ids are the conversation's and the
    message's."""

    def message_added(self, conversation_id: str, message_id: str) -> None:
        """A question was added below the thread's last message."""

    def message_saved(self, conversation_id: str, message_id: str) -> None:
        """The question is on disk (its write ended well); the request leaves right after."""

    def compare_started(
        self, conversation_id: str, question_id: str, reply_ids: tuple[str, ...]
    ) -> None:
        """A comparison began: the question ``question_id`` and one reply per target (sibling
        branches, in the targets' order); each then streams as any reply does."""

    def compare_retried(self, conversation_id: str, old_id: str, new_id: str) -> None:
        """A target of a comparison is asked again: ``new_id`` replies in place of
        ``old_id`` (removed when it had no text)."""

    def reply_started(self, conversation_id: str, message_id: str) -> None: ...

    def reply_delta(self, conversation_id: str, message_id: str, kind: str, text: str) -> None:
        """``kind`` is "content" or "reasoning"."""

    def reply_finished(self, conversation_id: str, message_id: str) -> None: ...

    def reply_stopped(self, conversation_id: str, message_id: str) -> None: ...

    def reply_failed(self, conversation_id: str, message_id: str, error: ConfabError) -> None:
        """``message_id`` is "" when no reply was started (no provider, no model…)."""

    def streaming_changed(self, conversation_id: str, streaming: bool) -> None: ...

    def thread_changed(self, conversation_id: str) -> None:
        """The thread on screen changed shape (branch switched, message deleted)."""

    def context_changed(self, conversation_id: str) -> None:
        """Pins, exclusions or the budget changed: what the model will see is different."""

    def compacted(self, conversation_id: str, retrying: bool) -> None:
        """The summary is in; ``retrying``: the failed reply it was made for is asked again."""

    def compaction_failed(self, conversation_id: str, error: ConfabError) -> None: ...

    def retry_scheduled(self, conversation_id: str, message_id: str, wait: RetryWait) -> None:
        """An automatic retry of the reply ``message_id`` is waiting."""

    def approval_needed(self, request: ApprovalRequest) -> None:
        """A tool call waits for ``ChatService.decide``."""

    def tool_started(self, conversation_id: str, call_id: str) -> None:
        """The call runs now (approved, or always allowed)."""

    def tool_finished(self, conversation_id: str, call_id: str) -> None:
        """The call's "tool" message is in the conversation (ran, failed, denied, stopped)."""


class _AttachmentCosts:
    """The tokens of attachments for one model, without waiting (never reads a file): a
    document whose text is not in the store's memory counts from its size and is listed in
    ``missing``; ``exact`` is False once any count was an estimate."""

    def __init__(self, store: AttachmentStore | None, model: str) -> None:
        self.store = store
        self.model = model
        self.missing: list[Attachment] = []
        self.exact = True

    def __call__(self, attachment: Attachment) -> int:
        from desktop.core.attachments.estimate import estimate_attachment_tokens

        text = None
        if attachment.kind != "image" and self.store is not None:
            text = self.store.cached_text(attachment)
            if text is None and attachment not in self.missing:
                self.missing.append(attachment)
        estimate = estimate_attachment_tokens(attachment, self.model, text)
        self.exact = self.exact and estimate.exact
        return estimate.tokens


def _next_turn(run: Callable[[], None]) -> None:
    import asyncio

    asyncio.get_running_loop().call_soon(run)


class ChatService:
    def __init__(
        self,
        conversations: ConversationSink,
        providers: ProviderSource,
        events: ChatEvents,
        save_timer: Ticker,
        *,
        defer: Callable[[Callable[[], None]], None] = _next_turn,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        auto_title: bool = True,
        attachments: AttachmentStore | None = None,
        tools: ToolSource | None = None,
    ) -> None:
        self._conversations = conversations
        self._providers = providers
        self._events = events
        self._save_timer = save_timer
        self._defer = defer
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        self.auto_title = auto_title
        self.tools = tools
        self.tool_rounds = TOOL_ROUNDS
        # Per MCP server not listed yet, the conversations whose meter counted without its
        # tools: told ``context_changed`` once it has listed them (``tools_listed``).
        self._unlisted: dict[str, set[str]] = {}
        # Tool calls waiting for the user: (conversation id, call id) → the decision's future
        # and what was asked.
        self._approvals: dict[tuple[str, str], tuple[asyncio.Future[str], ApprovalRequest]] = {}
        self.retry_policy = RetryPolicy()
        self.tasks = TaskSet()
        # Per conversation, the replies streaming into it: one, or one per target of a
        # comparison.
        self._streams: dict[str, list[_Stream]] = {}
        # Conversations whose reply grew since the last periodic save.
        self._growing: set[str] = set()
        self._titling: set[str] = set()  # conversations with a title request out
        self._due: list[str] = []  # growing at the last tick, saved one per turn of the loop
        # Per model, the conversations whose meter showed an estimate while its table loaded.
        self._estimated: dict[str, set[str]] = {}
        self.attachments = attachments
        self._attachment_pool: ThreadPoolExecutor | None = None
        # Documents whose text is being read for the meter (sha256s).
        self._reading: set[str] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self.tasks.spawn(coro)

    def is_streaming(self, conversation_id: str | None) -> bool:
        return conversation_id is not None and conversation_id in self._streams

    async def settled(self, conversation_id: str) -> None:
        """Until the reply streaming into the conversation, if any, has ended (finished,
        failed or stopped)."""
        import asyncio

        tasks = {s.task for s in self._streams.get(conversation_id, ()) if s.task is not None}
        if tasks:
            await asyncio.wait(tasks)

    # ---- asking ---------------------------------------------------------------------

    def send(
        self, conversation: Conversation, text: str, attachments: Sequence[Attachment] = ()
    ) -> bool:
        """Save the user's message (its ``attachments``, stored already: AttachmentStore),
        then stream the reply. False if nothing was sent."""
        return self._ask(conversation, text, parent=conversation.head, attachments=attachments)

    def edit(
        self,
        conversation: Conversation,
        message_id: str,
        text: str,
        attachments: Sequence[Attachment] | None = None,
    ) -> bool:
        """Send an edited question as a sibling of the original; the original stays. Its
        attachments go with it unless ``attachments`` says otherwise."""
        original = conversation.message(message_id)
        kept = original.attachments if attachments is None else tuple(attachments)
        if original.role != "user" or (
            text.strip() == original.content.strip() and kept == original.attachments
        ):
            return False
        return self._ask(conversation, text, parent=original.parent, attachments=kept)

    def regenerate(self, conversation: Conversation, message_id: str) -> bool:
        """A new reply to the same question, as a sibling of ``message_id``."""
        reply = conversation.message(message_id)
        if reply.role != "assistant" or not self._ready(conversation):
            return False
        conversation.head = reply.parent
        self._events.thread_changed(conversation.id)
        self._start_reply(conversation)
        return True

    def retry(self, conversation: Conversation, message_id: str) -> bool:
        """Ask again after a failed reply. A failure with no text is replaced; one with partial
        text is kept, and the new reply becomes its sibling."""
        reply = conversation.message(message_id)
        if reply.role != "assistant" or not self._ready(conversation):
            return False
        if not reply.content and not reply.reasoning and not reply.tool_calls:
            conversation.remove_branch(reply.id)
            self._events.thread_changed(conversation.id)
        conversation.head = reply.parent
        self._events.thread_changed(conversation.id)
        self._start_reply(conversation)
        return True

    def shrink_context_and_retry(self, conversation: Conversation, message_id: str) -> bool:
        """The server said the context is too long: send half as many messages as last time
        (at least two), then retry. The older ones stay in the file, marked as not sent."""
        if not conversation.has_message(message_id):
            return False
        sent = len(self.plan(conversation).included)
        budget = Budget.of(conversation)
        self.set_budget(conversation, Budget(max(2, sent // 2), budget.max_tokens))
        return self.retry(conversation, message_id)

    def compact_and_retry(self, conversation: Conversation, message_id: str) -> bool:
        """Summarize the older messages, then retry; when there is too little to summarize,
        send fewer messages instead. If the summary fails, nothing is retried."""
        if not conversation.has_message(message_id):
            return False
        if self.compact(conversation, then_retry=message_id):
            return True
        return self.shrink_context_and_retry(conversation, message_id)

    def continue_reply(self, conversation: Conversation, message_id: str) -> bool:
        """Ask the model to go on with a reply cut at its length limit; the text is appended
        to the same message."""
        reply = conversation.message(message_id)
        if reply.role != "assistant" or not self._ready(conversation):
            return False
        conversation.switch_to(reply.id)
        if conversation.head != reply.id:
            return False  # only the last reply of a thread can be continued
        plan = self.plan(conversation)
        plan.messages.append({"role": "user", "content": CONTINUE_PROMPT})
        reply.error = None
        self._launch(conversation, reply, plan)
        return True

    def switch_branch(self, conversation: Conversation, message_id: str) -> None:
        if self.is_streaming(conversation.id):
            return
        conversation.switch_to(message_id)
        self._conversations.save(conversation, touch=False)
        self._events.thread_changed(conversation.id)

    def show_message(self, conversation: Conversation, message_id: str) -> bool:
        """Put ``message_id`` on the thread on screen (a search opened the conversation at
        it): its branch's newest leaf becomes the head, saved as any switch of branch is.
        False when it cannot be on screen (unknown; another branch while a reply streams)."""
        if not conversation.has_message(message_id):
            return False
        if conversation.on_thread(message_id):
            return True
        if self.is_streaming(conversation.id):
            return False
        conversation.show_message(message_id)
        if not conversation.read_only:
            self._conversations.save(conversation, touch=False)
        self._events.thread_changed(conversation.id)
        return True

    def delete_message(self, conversation: Conversation, message_id: str) -> None:
        """Delete a message and its branch below; the other branches stay."""
        if (
            self.is_streaming(conversation.id)
            or conversation.read_only
            or not conversation.has_message(message_id)
        ):
            return
        conversation.remove_branch(message_id)
        self._conversations.save(conversation)
        self._events.thread_changed(conversation.id)

    def _ready(self, conversation: Conversation) -> bool:
        """Pick the provider and model; False (and a reply_failed) when something is missing."""
        if self.is_streaming(conversation.id):
            return False
        if conversation.read_only:
            self._events.reply_failed(
                conversation.id, "", NewerFormatError(version=conversation.newer_version or 0)
            )
            return False
        provider = (
            self._providers.provider(conversation.provider) or self._providers.default_provider()
        )
        if provider is None:
            self._events.reply_failed(conversation.id, "", NoProviderError())
            return False
        conversation.provider = provider.id
        if not conversation.model:
            conversation.model = provider.default_model or None
        if not conversation.model:
            self._events.reply_failed(conversation.id, "", NoModelError())
            return False
        return True

    def _ask(
        self,
        conversation: Conversation,
        text: str,
        parent: str | None,
        attachments: Sequence[Attachment] = (),
    ) -> bool:
        text = text.strip()
        if not (text or attachments) or not self._ready(conversation):
            return False
        user = self._add_question(conversation, text, parent, attachments)
        self._start_reply(conversation, question=user)
        return True

    def _add_question(
        self,
        conversation: Conversation,
        text: str,
        parent: str | None,
        attachments: Sequence[Attachment],
    ) -> Message:
        branching = parent != conversation.head
        user = Message(
            id=new_id(), parent=parent, role="user", content=text, created_at=self._clock()
        )
        if attachments:
            user.attachments = tuple(attachments)
        conversation.append(user)
        if not conversation.title:
            conversation.title = title_from_text(text) or title_from_text(
                " ".join(a.name for a in attachments)
            )
        # The question is on disk before the request leaves (_stream waits for this write);
        # if it fails the reply is still tried, and the conversations' owner retries it.
        self._conversations.save(conversation)
        if branching:
            self._events.thread_changed(conversation.id)  # an edit: the thread below is new
        else:
            self._events.message_added(conversation.id, user.id)
        return user

    def compare(
        self,
        conversation: Conversation,
        text: str,
        targets: Sequence[Target],
        attachments: Sequence[Attachment] = (),
    ) -> tuple[str, ...]:
        """Send one question to 2–4 ``targets`` at once: each reply a sibling branch under
        it, streaming concurrently, each planned for its own model's context window and
        priced at its own model's price. Tools are off in a comparison (each reply would run
        its own, approvals crossing in one thread). A target that fails fails alone, its
        error on its branch; ``stop`` stops them all; ``keep`` shows the one chosen (the
        others stay as siblings). Returns the replies' ids ("" for none sent)."""
        text = text.strip()
        targets = list(targets)
        if (
            not (text or attachments)
            or not COMPARE_MIN <= len(targets) <= COMPARE_MAX
            or self.is_streaming(conversation.id)
        ):
            return ()
        if conversation.read_only:
            self._events.reply_failed(
                conversation.id, "", NewerFormatError(version=conversation.newer_version or 0)
            )
            return ()
        if conversation.provider is None or not conversation.model:
            # The conversation takes the first target's, as a send would take its default.
            conversation.provider = conversation.provider or targets[0].provider
            conversation.model = conversation.model or targets[0].model or None
        user = self._add_question(conversation, text, conversation.head, attachments)
        replies = [self._new_reply(conversation, target) for target in targets]
        for reply in replies:
            reply.parent = user.id
        conversation.head = replies[0].id
        ids = tuple(r.id for r in replies)
        self._events.compare_started(conversation.id, user.id, ids)
        for index, (target, reply) in enumerate(zip(targets, replies, strict=True)):
            self._launch(
                conversation,
                reply,
                None,
                user,
                use_tools=False,
                target=target,
                say_saved=index == 0,
                hidden=frozenset(ids),
            )
        return tuple(r.id for r in replies)

    def retry_target(self, conversation: Conversation, reply_id: str) -> str:
        """Ask one target of a comparison again (its reply failed or was stopped), while the
        others may still stream: a new reply from the same provider and model, a sibling of
        the others; the failed one goes if it has no text. Returns the new reply's id ("" when
        it cannot be asked: unknown, still streaming, not a reply)."""
        if not conversation.has_message(reply_id) or conversation.read_only:
            return ""
        reply = conversation.message(reply_id)
        streaming = {s.reply.id for s in self._streams.get(conversation.id, ())}
        if (
            reply.role != "assistant"
            or reply_id in streaming
            or reply.parent is None
            or not (reply.provider and reply.model)
        ):
            return ""
        head = conversation.head
        if not reply.content and not reply.reasoning:
            conversation.remove_branch(reply_id)
        target = Target(reply.provider, reply.model)
        conversation.head = reply.parent
        fresh = self._new_reply(conversation, target)
        conversation.head = fresh.id if head == reply_id or head is None else head
        siblings = frozenset(m.id for m in conversation.children(reply.parent))
        # Those still streaming leave the new one out of their requests too (planned already
        # or not).
        for stream in self._streams.get(conversation.id, ()):
            if reply_id in stream.hidden:
                stream.hidden = stream.hidden | {fresh.id}
        self._events.compare_retried(conversation.id, reply_id, fresh.id)
        self._launch(
            conversation, fresh, None, None, use_tools=False, target=target, hidden=siblings
        )
        return fresh.id

    def keep(self, conversation: Conversation, reply_id: str) -> bool:
        """Continue the thread from ``reply_id`` (one reply of a comparison): its branch is
        shown and saved so, the other replies stay as its siblings. False while replies
        stream or when it is unknown."""
        if self.is_streaming(conversation.id) or not conversation.has_message(reply_id):
            return False
        self.switch_branch(conversation, reply_id)
        return True

    # ---- streaming ------------------------------------------------------------------

    def stop(self, conversation_id: str) -> None:
        """Stop the reply now: marked, saved and reported stopped at once, while the stream
        unwinds behind. Closing its connection takes several turns of the loop, each of which
        may paint or flush first: Stop took up to ~100 ms to show while a reply flooded in."""
        for stream in list(self._streams.get(conversation_id, ())):
            if stream.task is not None:
                stream.task.cancel()
            self._stopped(stream)

    def _stopped(self, stream: _Stream) -> None:
        reply = stream.reply
        if reply.streaming or not reply.tool_calls:
            # (A reply whose calls were running finished well: the calls say "stopped".)
            reply.error = ReplyError.stopped()
        self._finish(stream)
        self._events.reply_stopped(stream.conversation.id, reply.id)

    def _streaming(self, stream: _Stream) -> bool:
        """Whether ``stream`` is still one of its conversation's (not ended, not stopped)."""
        return stream in self._streams.get(stream.conversation.id, ())

    async def shutdown(self) -> None:
        tasks = [s.task for group in self._streams.values() for s in group if s.task]
        for task in tasks:
            task.cancel()
        if tasks:
            import asyncio

            await asyncio.gather(*tasks, return_exceptions=True)
        await self.tasks.cancel_all()
        if self._attachment_pool is not None:
            self._attachment_pool.shutdown(wait=False)
            self._attachment_pool = None
        self._conversations.flush()

    def _start_reply(
        self,
        conversation: Conversation,
        question: Message | None = None,
        *,
        use_tools: bool = True,
    ) -> None:
        reply = self._new_reply(conversation)
        # Planned by the stream, without a wait on the UI thread (see _request_plan).
        self._launch(conversation, reply, None, question, use_tools=use_tools)

    def _new_reply(self, conversation: Conversation, target: Target | None = None) -> Message:
        return conversation.append(
            Message(
                id=new_id(),
                parent=conversation.head,
                role="assistant",
                content="",
                created_at=self._clock(),
                model=target.model if target else conversation.model,
                provider=target.provider if target else conversation.provider,
            )
        )

    def _launch(
        self,
        conversation: Conversation,
        reply: Message,
        plan: ContextPlan | None,
        question: Message | None = None,
        *,
        use_tools: bool = True,
        target: Target | None = None,
        say_saved: bool = True,
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        """``plan`` None: planned by the stream (``_request_plan``). ``target``: where this
        reply asks (a comparison's); None: the conversation's provider and model.
        ``hidden``: replies of the thread its requests leave out (a comparison's others)."""
        reply.streaming = True  # what a crash leaves behind says it was cut short
        stream = _Stream(
            conversation,
            reply,
            target.provider if target else conversation.provider,
            target.model if target else conversation.model,
            hidden=hidden,
        )
        group = self._streams.setdefault(conversation.id, [])
        first = not group
        group.append(stream)
        stream.task = task = self.tasks.spawn(
            self._stream(stream, plan, question, use_tools=use_tools, say_saved=say_saved)
        )
        # A task cancelled before its first step never runs its body: finish it here then.
        task.add_done_callback(lambda _t: self._on_stream_task_done(stream))
        self._events.reply_started(conversation.id, reply.id)
        if first:
            self._events.streaming_changed(conversation.id, True)
        if not self._save_timer.isActive():
            self._save_timer.start()

    def _on_stream_task_done(self, stream: _Stream) -> None:
        if self._streaming(stream):
            self._stopped(stream)

    def save_tick(self) -> None:
        """Save every growing reply at least once a second, even while the model pauses (the
        owner of ``save_timer`` calls this at each tick)."""
        saving = bool(self._due)  # the last tick's saves are still under way
        self._due += [c for c in self._growing if c not in self._due]
        self._growing.clear()
        if not saving:
            self._save_next_due()
        if not self._streams:
            self._save_timer.stop()

    def _save_next_due(self) -> None:
        # One conversation at a time, letting the window paint and read the streams between:
        # saved in one go, 20 replies streaming at once froze it for 60-130 ms every second
        # (a write and two fsyncs each, 3-6 ms on the test machine).
        if not self._due:
            return
        conversation = self._conversations.get(self._due.pop(0))
        if conversation is not None:
            self._conversations.save(conversation)
        if self._due:
            self._defer(self._save_next_due)

    async def _request_plan(
        self,
        conversation: Conversation,
        *,
        tool_runs: bool = False,
        model: str | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> ContextPlan:
        """The request's messages, planned once every count is at hand: the first send of a
        session would load a token table (~0.3 s) and a long thread be counted (~2 s for
        5,000 messages) on the UI thread; they are awaited in their threads instead, and so
        are the texts of the documents attached. (The new reply, still empty, is not sent.)
        ``model``: planned for that model's window (a comparison's target); ``hidden``:
        messages left out (the other replies of a comparison)."""
        import asyncio

        for _ in range(3):  # (a thread past the counts' cache would never be all at hand)
            model = model or self._model_of(conversation)
            counter = TokenCounter(model, wait=False)
            costs = _AttachmentCosts(self.attachments, model)
            plan = plan_context(
                conversation,
                self.budget(conversation, model),
                counter.text,
                attachment_cost=costs,
                tool_runs=tool_runs,
                hidden=hidden,
            )
            if not counter.pending and not costs.missing:
                return plan
            if costs.missing:
                with contextlib.suppress(Exception):  # unreadable: the request will say so
                    await self._read_texts(costs.missing)
            if counter.pending:
                with contextlib.suppress(Exception):  # a table that failed: estimates
                    await asyncio.wrap_future(counted(counter.model))
        model = model or self._model_of(conversation)
        return self._plan(
            conversation,
            "",
            TokenCounter(model),
            _AttachmentCosts(self.attachments, model),
            tool_runs=tool_runs,
            model=model,
            hidden=hidden,
        )

    def _pool(self) -> ThreadPoolExecutor:
        if self._attachment_pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._attachment_pool = ThreadPoolExecutor(1, thread_name_prefix="confab-attachments")
        return self._attachment_pool

    async def _read_texts(self, documents: list[Attachment]) -> None:
        """The texts of ``documents`` read into the store's memory, in the service's thread."""
        import asyncio

        store = self.attachments
        if store is None:
            return

        def read() -> None:
            for document in documents:
                store.text_of(document)

        await asyncio.wrap_future(self._pool().submit(read))

    async def _wire_messages(
        self, plan: ContextPlan, model: str
    ) -> list[Mapping[str, Any] | WireMessage]:
        """The plan's messages, those with attachments as content parts, made in the
        service's thread (desktop/core/attachments/parts.py)."""
        import asyncio

        store = self.attachments
        if store is None or not plan.attachments:
            return list(plan.messages)
        from desktop.core.attachments.parts import with_attachments

        job = self._pool().submit(with_attachments, plan.messages, plan.attachments, store, model)
        return await asyncio.wrap_future(job)

    async def _stream(
        self,
        stream: _Stream,
        plan: ContextPlan | None,
        question: Message | None = None,
        *,
        use_tools: bool = True,
        say_saved: bool = True,
    ) -> None:
        """One turn: a request, its reply streamed in; while the reply asks for tools (and
        the conversation has them on), each call approved, run and answered by a "tool"
        message, then the next request, up to ``tool_rounds`` requests. ``say_saved``: this
        stream reports the question saved (one of a comparison's does)."""
        import asyncio  # at run time only (start-up cost, see core/tasks)

        conversation, reply = stream.conversation, stream.reply
        model = stream.model or ""
        earlier_usage = reply.usage

        def on_delta(kind: str, text: str) -> None:
            # ``reply`` is the current round's (reassigned below).
            if reply.ttft_ms is None and stream.sent is not None:
                reply.ttft_ms = max(0, round((self._monotonic() - stream.sent) * 1000))
            if kind == "reasoning":
                reply.reasoning = (reply.reasoning or "") + text
            else:
                reply.content += text
            self._growing.add(conversation.id)
            self._events.reply_delta(conversation.id, reply.id, kind, text)

        try:
            # Everything the user typed is on disk before the request leaves. A failed write
            # has been reported and is retried; the reply still goes.
            if (
                question is not None
                and await self._conversations.written(conversation.id)
                and say_saved
            ):
                self._events.message_saved(conversation.id, question.id)
            # Imported here, not at start-up: httpx is slow to import (see controllers/settings).
            from desktop.core.client import ChatRequest

            provider = self._providers.provider(stream.provider)
            if provider is None:
                raise NoProviderError()
            if not model:
                raise NoModelError()
            client = await self._providers.client(provider)
            box = await self._toolbox(conversation) if use_tools else None
            rounds = 0
            while True:
                if plan is None:
                    plan = await self._request_plan(
                        conversation, tool_runs=bool(box), model=model, hidden=stream.hidden
                    )
                wire = await self._wire_messages(plan, model)
                request = ChatRequest(
                    model,
                    wire,
                    conversation.params,
                    tools=box.specs() if box else (),
                )
                result = await self._request(stream, client, request, on_delta, box)
                rounds += 1
                calls = tuple(result.tool_calls) if box else ()
                if not calls:
                    break
                # A round that asked for tools: the reply is done; its calls run, and the
                # next request carries them and their results.
                self._settle(stream, result, plan, None)
                reply.tool_calls = calls
                reply.streaming = False
                self._growing.discard(conversation.id)
                self._conversations.save(conversation)
                self._events.reply_finished(conversation.id, reply.id)
                assert box is not None
                await self._run_calls(conversation, reply, box)
                reply = stream.reply = self._new_reply(conversation)
                reply.streaming = True
                earlier_usage = None
                plan = None
                self._events.reply_started(conversation.id, reply.id)
                if rounds >= self.tool_rounds:
                    # Not sent: the reply that would have gone on says why (Retry sends it,
                    # the results so far with it).
                    raise ToolRoundLimitError(
                        f"{self.tool_rounds} requests in one turn; the model was still "
                        "asking for tools"
                    )
        except asyncio.CancelledError:
            if self._streaming(stream):
                self._stopped(stream)  # cancelled by shutdown, not by stop()
            raise
        except ConfabError as exc:
            reply.error = ReplyError.of(exc, redact)
            self._finish(stream)
            self._events.reply_failed(conversation.id, reply.id, exc)
        except Exception as exc:  # never let a surprise kill the stream silently
            log.exception("unexpected failure while streaming")
            reply.error = ReplyError.of(exc, redact)
            self._finish(stream)
            self._events.reply_failed(conversation.id, reply.id, ConfabError(redact(str(exc))))
        else:
            assert plan is not None
            self._settle(stream, result, plan, earlier_usage)
            self._finish(stream)
            self._events.reply_finished(conversation.id, reply.id)
            self._maybe_title(conversation)

    async def _request(
        self,
        stream: _Stream,
        client: ChatClient,
        request: Any,
        on_delta: Callable[[str, str], None],
        box: ToolBox | None,
    ) -> Any:
        """One request streamed into ``reply``, retried as the policy says; a 400 about
        tools to a request that carried some is ToolsUnsupportedError."""
        import asyncio

        conversation, reply = stream.conversation, stream.reply
        attempt = 1
        while True:
            try:
                stream.sent = self._monotonic()
                return await client.stream_chat(request, on_delta)
            except RETRYABLE as exc:
                wait = self.retry_policy.delay(exc, attempt)
                if wait is None or reply.content or reply.reasoning:
                    raise  # out of tries, or text already arrived: keep it, say so
                log.info(
                    "attempt %d failed (%s); retrying in %.1f s",
                    attempt,
                    type(exc).__name__,
                    wait,
                )
                reason = "unreachable" if isinstance(exc, ConnectFailedError) else "busy"
                self._events.retry_scheduled(
                    conversation.id,
                    reply.id,
                    RetryWait(wait, attempt + 1, self.retry_policy.attempts, reason),
                )
                await (self._sleep or asyncio.sleep)(wait)
                attempt += 1
            except BadRequestError as exc:
                words = exc.detail.lower()
                if box and exc.status in (400, 404, 422) and any(w in words for w in _TOOL_WORDS):
                    raise ToolsUnsupportedError(exc.status, exc.detail) from exc
                raise

    def _settle(
        self,
        stream: _Stream,
        result: Any,
        plan: ContextPlan,
        earlier_usage: Usage | None,
    ) -> None:
        """A finished request's finish reason, usage and model, on its reply."""
        reply = stream.reply
        reply.finish_reason = result.finish_reason
        if earlier_usage is not None and result.usage is not None:
            # A continued reply cost both requests.
            result.usage = Usage(
                earlier_usage.prompt_tokens + result.usage.prompt_tokens,
                earlier_usage.completion_tokens + result.usage.completion_tokens,
                earlier_usage.total_tokens + result.usage.total_tokens,
                earlier_usage.estimated or result.usage.estimated,
            )
        if result.usage is None:
            # Several local servers ignore include_usage: count here, and say so.
            result.usage = self._estimate_usage(stream.model or "", plan, result.content)
        reply.usage = result.usage
        if result.model:
            reply.model = result.model

    # ---- tools ------------------------------------------------------------------------

    async def _toolbox(self, conversation: Conversation) -> ToolBox | None:
        """The tools this turn offers (None: none, the request goes as it always did)."""
        if self.tools is None or not conversation.tools:
            return None
        from desktop.core.tools.naming import ToolBox

        box = ToolBox.of(await self.tools.offered(conversation.tools))
        return box or None

    def known_toolbox(self, conversation: Conversation) -> ToolBox | None:
        """The tools the conversation would offer, from the servers' last listings (no
        server started): what the meter counts."""
        if self.tools is None or not conversation.tools:
            return None
        from desktop.core.tools.naming import ToolBox

        tools: list[ToolInfo] = []
        for selection in conversation.tools:
            known = self.tools.known_tools(selection.server)
            if known is None:
                self._unlisted.setdefault(selection.server, set()).add(conversation.id)
            listed = known or []
            wanted = set(selection.tools) if selection.tools is not None else None
            tools += [t for t in listed if wanted is None or t.name in wanted]
        return ToolBox.of(tools) or None

    async def _run_calls(self, conversation: Conversation, reply: Message, box: ToolBox) -> None:
        """Each call of ``reply`` in order: approved (or always allowed), run, and answered
        by a "tool" message below it, saved at once. Cancelled (Stop), the call running
        and those after it are answered "stopped"."""
        import asyncio

        from desktop.core.tools.types import FAIL_STOPPED, ToolRun

        pending = list(reply.tool_calls)
        try:
            while pending:
                call = pending[0]
                run = await self._run_call(conversation, reply, call, box)
                pending.pop(0)
                self._add_run(conversation, run)
        except asyncio.CancelledError:
            for call in pending:
                target = box.target(call.name)
                self._add_run(
                    conversation,
                    ToolRun(
                        call.id,
                        target.server_id if target else "",
                        target.name if target else call.name,
                        STOPPED_TEXT,
                        error="stopped",
                        failure=FAIL_STOPPED,
                    ),
                )
            raise

    def _add_run(self, conversation: Conversation, run: Any) -> None:
        message = Message(
            id=new_id(),
            parent=conversation.head,
            role="tool",
            content="",
            created_at=self._clock(),
        )
        conversation.append(run.fill(message))
        self._conversations.save(conversation)
        self._events.tool_finished(conversation.id, run.call_id)

    async def _run_call(
        self, conversation: Conversation, reply: Message, call: ToolCall, box: ToolBox
    ) -> Any:
        import asyncio

        from desktop.core.tools.types import (
            ALWAYS,
            DENY,
            FAIL_ARGUMENTS,
            FAIL_UNKNOWN_TOOL,
            ApprovalRequest,
            ToolRun,
        )
        from desktop.core.wire import WireValueError

        target = box.target(call.name)
        if target is None or self.tools is None:
            text = f"There is no tool named {call.name!r}."
            return ToolRun(call.id, "", call.name, text, error=text, failure=FAIL_UNKNOWN_TOOL)
        server, tool = target.server_id, target.name
        if not self.tools.is_always_allowed(server, tool):
            key = (conversation.id, call.id)
            decision_future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            request = ApprovalRequest(conversation.id, reply.id, call, server, tool)
            self._approvals[key] = (decision_future, request)
            self._events.approval_needed(request)
            try:
                decision = await decision_future
            finally:
                self._approvals.pop(key, None)
            if decision == DENY:
                return ToolRun(call.id, server, tool, DENIED_TEXT, denied=True)
            if decision == ALWAYS:
                self.tools.allow_always(server, tool)
        self._events.tool_started(conversation.id, call.id)
        try:
            arguments = call.parsed_arguments()
        except WireValueError as exc:
            return ToolRun(call.id, server, tool, str(exc), error=str(exc), failure=FAIL_ARGUMENTS)
        if not isinstance(arguments, dict):
            text = f"the arguments of {call.name!r} are not a JSON object"
            return ToolRun(call.id, server, tool, text, error=text, failure=FAIL_ARGUMENTS)
        outcome = await self.tools.call(server, tool, arguments)
        output = outcome.output
        if outcome.error and not output:
            output = f"Error: {outcome.error}"
        return ToolRun(
            call.id,
            server,
            tool,
            output,
            outcome.duration_ms,
            error=redact(outcome.error),
            failure=outcome.failure if outcome.error else "",
        )

    def tools_listed(self, server_id: str) -> None:
        """A server has listed its tools: the meters that counted without them count again."""
        for conversation_id in sorted(self._unlisted.pop(server_id, set())):
            self._events.context_changed(conversation_id)

    def decide(self, call_id: str, decision: str, conversation_id: str | None = None) -> bool:
        """The user's decision on a call waiting for approval ("once", "always", "deny");
        False when no such call waits (decided already, stopped)."""
        from desktop.core.tools.types import DECISIONS

        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        for (waiting_in, waiting_call), (future, _request) in list(self._approvals.items()):
            if waiting_call == call_id and conversation_id in (None, waiting_in):
                if future.done():
                    continue
                future.set_result(decision)
                return True
        return False

    def pending_approvals(self, conversation_id: str) -> list[str]:
        """The ids of the calls of this conversation waiting for the user."""
        return [r.call.id for r in self.approval_requests(conversation_id)]

    def approval_requests(self, conversation_id: str) -> list[ApprovalRequest]:
        """The calls of this conversation waiting for the user (a view opened meanwhile
        shows their buttons again), in the order asked."""
        return [
            request
            for (cid, _call), (future, request) in self._approvals.items()
            if cid == conversation_id and not future.done()
        ]

    def set_tools(self, conversation: Conversation, tools: tuple[ToolSelection, ...]) -> None:
        """The servers (and tools) this conversation offers the model from its next request."""
        if conversation.read_only or conversation.tools == tuple(tools):
            return
        conversation.tools = tuple(tools)
        self._conversations.save(conversation, touch=False)
        self._events.context_changed(conversation.id)

    def retry_without_tools(self, conversation: Conversation, message_id: str) -> bool:
        """Ask again, this once without tools (the model or server took none:
        ToolsUnsupportedError). The conversation keeps its choice of tools."""
        reply = conversation.message(message_id)
        if reply.role != "assistant" or not self._ready(conversation):
            return False
        if not reply.content and not reply.reasoning and not reply.tool_calls:
            conversation.remove_branch(reply.id)
        conversation.head = reply.parent
        self._events.thread_changed(conversation.id)
        self._start_reply(conversation, use_tools=False)
        return True

    def _finish(self, stream: _Stream) -> None:
        """``stream`` has ended: saved; the conversation stops streaming with its last."""
        conversation = stream.conversation
        stream.reply.streaming = False
        group = self._streams.get(conversation.id, [])
        if stream in group:
            group.remove(stream)
        last = not group
        if last:
            self._streams.pop(conversation.id, None)
            self._growing.discard(conversation.id)
        try:
            self._conversations.save(conversation)
        finally:
            if last:
                self._events.streaming_changed(conversation.id, False)

    # ---- context ----------------------------------------------------------------------

    def _model_of(self, conversation: Conversation) -> str:
        providers = self._providers
        provider = providers.provider(conversation.provider) or providers.default_provider()
        return conversation.model or (provider.default_model if provider else "") or ""

    def budget(self, conversation: Conversation, model: str | None = None) -> Budget:
        """The conversation's own budget; without a token limit, the model's context window
        less room for the reply (when the window is known). ``model``: another model's
        (a comparison's target), not the conversation's."""
        budget = Budget.of(conversation)
        if budget.max_tokens is None:
            window = self._providers.prices.context_window(model or self._model_of(conversation))
            if window:
                reserve = conversation.params.max_tokens or REPLY_RESERVE
                budget = Budget(budget.max_messages, max(1, window - reserve))
        return budget

    def plan(
        self,
        conversation: Conversation,
        draft: str = "",
        *,
        wait: bool = True,
        draft_attachments: Sequence[Attachment] = (),
    ) -> ContextPlan:
        """What the model will see: the request's messages and which thread messages go.
        ``wait=False`` (the meter): counted from the text's size while the token table loads,
        and ``context_changed`` once it is there (desktop/core/tokens.py); a document whose
        text is not in memory yet counts from its size until it is (read in a thread, then
        ``context_changed`` again)."""
        model = self._model_of(conversation)
        return self._plan(
            conversation,
            draft,
            TokenCounter(model, wait=wait),
            _AttachmentCosts(self.attachments, model),
            draft_attachments,
        )

    def _plan(
        self,
        conversation: Conversation,
        draft: str,
        counter: TokenCounter,
        costs: _AttachmentCosts,
        draft_attachments: Sequence[Attachment] = (),
        *,
        tool_runs: bool | None = None,
        model: str | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> ContextPlan:
        """``tool_runs`` None: Confab's own tool runs are sent when the conversation has
        tools on (its requests carry tools)."""
        plan = plan_context(
            conversation,
            self.budget(conversation, model),
            counter.text,
            draft.strip(),
            attachment_cost=costs,
            draft_attachments=draft_attachments,
            tool_runs=bool(conversation.tools) if tool_runs is None else tool_runs,
            hidden=hidden,
        )
        if counter.pending:
            self._count_again(conversation.id, counter.model)
        if costs.missing:
            self._read_for_meter(conversation.id, costs.missing)
        return plan

    def _read_for_meter(self, conversation_id: str, documents: list[Attachment]) -> None:
        """Read the texts of ``documents`` in the service's thread, then say the context
        changed (the meter counts them then)."""
        import asyncio

        new = [d for d in documents if d.sha256 not in self._reading]
        if not new:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop: the next request reads them itself
            return
        self._reading.update(d.sha256 for d in new)

        async def read() -> None:
            try:
                await self._read_texts(new)
            except Exception as exc:  # a missing file: counted from its size meanwhile
                log.info("an attachment's text cannot be read: %s", exc)
            finally:
                self._reading.difference_update(d.sha256 for d in new)
            self._events.context_changed(conversation_id)

        self.tasks.spawn(read())

    def model_of(self, conversation: Conversation) -> str:
        """The model a request of ``conversation`` goes to (its own, else its provider's)."""
        return self._model_of(conversation)

    def next_send(
        self, conversation: Conversation, draft: str, attachments: Sequence[Attachment] = ()
    ) -> SendEstimate:
        """What sending ``draft`` (with ``attachments``) now would carry: tokens (exact or
        ≈), cost, context window; never waits for a token table or a file (see ``plan``).
        Each message is counted once, by the plan (at every keystroke: a second count of a
        5,000-message thread cost ~20 ms)."""
        model = self._model_of(conversation)
        counter = TokenCounter(model, wait=False)
        costs = _AttachmentCosts(self.attachments, model)
        plan = self._plan(conversation, draft, counter, costs, attachments)
        messages = plan.messages
        tokens = plan.tokens + TOKENS_PER_REPLY_PRIMING + TOKENS_PER_MESSAGE * len(messages)
        tokens += self._tools_tokens(conversation, counter)
        price = self._providers.prices.price(model)
        return SendEstimate(
            tokens=tokens,
            exact=counter.all_exact and costs.exact,
            cost=price.prompt_cost(tokens) if price else None,
            context_window=price.context if price else None,
            plan=plan,
        )

    def _tools_tokens(self, conversation: Conversation, counter: TokenCounter) -> int:
        """What the tools on offer cost in a request: their schemas, as sent (counted from
        the servers' last listings; nothing before a server has started)."""
        box = self.known_toolbox(conversation)
        if box is None:
            return 0
        import json

        from desktop.core.openai_wire import encode_tool

        return counter.text(json.dumps([encode_tool(spec) for spec in box.specs()]))

    def _count_again(self, conversation_id: str, model: str) -> None:
        """Once the table ``model`` is counted with has loaded and the counting thread has
        counted what was left to it, say the conversation's context changed: the meter then
        counts it again, exactly (desktop/core/tokens.py)."""
        import asyncio

        waiting = self._estimated.setdefault(model, set())
        first = not waiting
        waiting.add(conversation_id)
        if not first:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop (a caller without one): the next count is exact anyway
            del self._estimated[model]
            return
        self.tasks.spawn(self._when_counted(model))

    async def _when_counted(self, model: str) -> None:
        import asyncio

        # The loading thread sets a concurrent future; the wait for it holds no Qt object.
        with contextlib.suppress(Exception):  # a table that failed: counts are estimates
            await asyncio.wrap_future(counted(model))
        for conversation_id in sorted(self._estimated.pop(model, set())):
            self._events.context_changed(conversation_id)

    def set_message_flag(
        self, conversation: Conversation, message_id: str, flag: str, value: bool
    ) -> None:
        """Pin (always sent) or exclude (never sent) a message."""
        if conversation.read_only:
            return
        message = conversation.message(message_id)
        set_flag(message, flag, value)
        if value:
            set_flag(message, "excluded" if flag == "pinned" else "pinned", False)
        self._conversations.save(conversation, touch=False)
        self._events.context_changed(conversation.id)

    def set_budget(self, conversation: Conversation, budget: Budget) -> None:
        budget.store(conversation)
        self._conversations.save(conversation, touch=False)
        self._events.context_changed(conversation.id)

    def compact(self, conversation: Conversation, *, then_retry: str | None = None) -> bool:
        """Ask the model for a summary of the older part of the thread; from then on the
        summary is sent instead of those messages (they stay in the file and on screen).
        ``then_retry``: a failed reply to retry once the summary is in."""
        request = compaction_request(conversation)
        if request is None or self.is_streaming(conversation.id) or not self._ready(conversation):
            return False
        self.tasks.spawn(self._compact(conversation, *request, then_retry))
        return True

    async def _compact(
        self,
        conversation: Conversation,
        messages: list[dict[str, str]],
        through: str,
        then_retry: str | None,
    ) -> None:
        from desktop.core.client import ChatRequest

        provider = self._providers.provider(conversation.provider)
        try:
            if provider is None:
                raise NoProviderError()
            client = await self._providers.client(provider)
            result = await client.complete(
                ChatRequest(conversation.model or "", messages, Params(max_tokens=1024))
            )
        except ConfabError as exc:
            self._events.compaction_failed(conversation.id, exc)
            return
        conversation.summary = Summary(result.content.strip(), through, self._clock())
        self._conversations.save(conversation, touch=False)
        self._events.context_changed(conversation.id)
        retrying = then_retry is not None and conversation.has_message(then_retry)
        self._events.compacted(conversation.id, retrying)
        if then_retry is not None and retrying:
            self.retry(conversation, then_retry)

    # ---- titles -----------------------------------------------------------------------

    def _maybe_title(self, conversation: Conversation) -> None:
        if (
            self.auto_title
            and not conversation.title_set_by_user
            and not conversation.title_generated
            and title_request(conversation) is not None
            # One title request at a time: a second reply ending while the first request is
            # out started another, and whichever answered last won.
            and conversation.id not in self._titling
        ):
            self._titling.add(conversation.id)
            task = self.tasks.spawn(self._generate_title(conversation))
            task.add_done_callback(lambda _t: self._titling.discard(conversation.id))

    async def _generate_title(self, conversation: Conversation) -> None:
        """Until this succeeds (and whenever it fails) the title stays the question's first
        line; a rename by the user always wins."""
        messages = title_request(conversation)
        provider = self._providers.provider(conversation.provider)
        if messages is None or provider is None or not conversation.model:
            return
        from desktop.core.client import ChatRequest

        request = ChatRequest(conversation.model, messages, Params(max_tokens=TITLE_MAX_TOKENS))
        try:
            result = await (await self._providers.client(provider)).complete(request)
        except ConfabError as exc:
            log.info("no generated title: %s", exc.detail or type(exc).__name__)
            return
        title = clean_title(result.content)
        if title and not conversation.title_set_by_user:
            conversation.title = title
            conversation.title_generated = True
            self._conversations.save(conversation, touch=False)

    # ---- usage and costs --------------------------------------------------------------

    def _estimate_usage(self, model: str, plan: ContextPlan, completion: str) -> Usage:
        counter = TokenCounter(model)
        costs = _AttachmentCosts(self.attachments, model)
        prompt = counter.messages(plan.messages).tokens
        prompt += sum(costs(a) for carried in plan.attachments.values() for a in carried)
        output = counter.text(completion)
        return Usage(prompt, output, prompt + output, estimated=True)

    def cost_of(self, usage: Usage | None, model: str | None) -> float | None:
        price = self._providers.prices.price(model)
        return price.cost(usage) if price and usage else None

    async def usage_table(self, by: str = "day") -> UsageTable:
        """Tokens and cost per provider and model, per day or month, over all conversations:
        the sums from the index (no file read), priced now, and how complete they are."""
        table = await self._conversations.usage(by, self._providers.prices.price)
        names: dict[str, str] = {}
        for row in table.rows:
            name = names.get(row.provider)
            if name is None:
                name = names[row.provider] = self._providers.provider_name(row.provider)
            row.provider_name = name
        return table

    async def export_usage(self, path: Path, rows: list[UsageRow]) -> None:
        """Write ``rows`` (the table as shown) as CSV, off the UI thread; raises
        WriteFailedError (disk full, no permission)."""
        import asyncio

        blob = rows_to_csv(rows).encode("utf-8")
        await asyncio.wrap_future(self._conversations.write_file(path, blob))

    def conversation_total(self, conversation: Conversation) -> tuple[int, float | None]:
        """Tokens and cost of every reply in the conversation (all branches: all were paid)."""
        tokens, cost, priced = 0, 0.0, False
        prices: dict[str | None, Price | None] = {}  # per model: looked up once, not per reply
        for message in conversation.messages:
            if message.role == "assistant" and message.usage is not None:
                tokens += message.usage.total_tokens
                model = message.model or conversation.model
                if model not in prices:
                    prices[model] = self._providers.prices.price(model)
                price = prices[model]
                one = price.cost(message.usage) if price else None
                if one is not None:
                    cost += one
                    priced = True
        return tokens, cost if priced else None
