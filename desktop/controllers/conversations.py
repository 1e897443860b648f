"""The list of conversations, the one on screen, and every write to disk.

A save encodes what changed on the UI thread (a fraction of a millisecond, see
desktop/core/encoding.py) and hands the bytes to the store's writer thread
(desktop/core/writer.py), which writes and fsyncs them. Each write's outcome comes back to the
UI thread through a queued signal: a failure is reported there (``save_failed``) and retried
every 5 s, as before. ``written()`` lets a coroutine wait for a conversation's writes (the
question is on disk before the request leaves); ``flush()`` waits for all of them (quit).
"""

from __future__ import annotations

import functools
import logging
from collections import deque
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.encoding import make_parts
from desktop.core.errors import ConfabError, StorageError
from desktop.core.models import (
    Clock,
    Conversation,
    ConversationSummary,
    Params,
    sort_newest_first,
    utc_now,
)
from desktop.core.storage import ConversationStore, TrashedConversation

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("confab.conversations")

RETRY_SAVE_MS = 5000


# How often the UI thread takes in the outcome of writes under way (only while there are any).
WRITE_POLL_MS = 5


class ConversationsController(QObject):
    conversations_reset = Signal()
    conversation_changed = Signal(str)  # title, date or messages changed
    conversation_removed = Signal(str)
    current_changed = Signal(object)  # Conversation | None
    save_failed = Signal(object)  # ConfabError
    save_recovered = Signal()
    settings_changed = Signal(str)  # system prompt, model or parameters of a conversation
    trash_changed = Signal(str)  # a conversation came back from the trash or left it for good

    def __init__(
        self, store: ConversationStore, clock: Clock = utc_now, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._conversations: dict[str, Conversation] = {}
        self._saved: set[str] = set()
        self._dirty: set[str] = set()
        # A reply still finishing must not bring a deleted conversation back from the trash.
        self._deleted: set[str] = set()
        # The objects of deleted conversations: a restore brings back this very object, so what
        # a task still holding it wrote meanwhile comes back too, and no stale copy exists.
        self._trashed: dict[str, Conversation] = {}
        self.current: Conversation | None = None
        self.quarantined: list[str] = []
        self.copies: list[str] = []  # sync conflict copies opened as separate conversations
        self.newer: list[str] = []  # files of a newer format this Confab cannot read
        self.repaired: list[str] = []  # loaded with fields left at defaults (backups/ has them)
        self.unmovable: list[str] = []  # unreadable and could not be moved to quarantine/
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_SAVE_MS)
        self._retry.timeout.connect(self._on_retry_timeout)
        # Writes handed to the writer thread whose outcome the UI thread has not taken in yet:
        # the latest per conversation, and the ended ones in the order they ended (appended
        # by the writer thread; deque's append and popleft are thread-safe).
        self._writing: dict[str, Future[None]] = {}
        self._ended: deque[tuple[str, Future[None]]] = deque()
        self._waiters: dict[Future[None], list[asyncio.Future[bool]]] = {}
        # The writer thread never touches a Qt object (a signal emitted from it raced the
        # controller's deletion and crashed the process): it only appends to _ended, and this
        # timer, running while writes are under way, takes the outcomes in on the UI thread.
        self._write_poll = QTimer(self)
        self._write_poll.setInterval(WRITE_POLL_MS)
        self._write_poll.timeout.connect(self._on_write_poll_timeout)
        # The sidebar asks for every summary after each save (each second per streaming
        # reply): made afresh, 10,000 of them took 7 ms. Kept up to date by this controller's
        # own signals, connected first, so they are fresh before anyone else hears of a change.
        self._summaries: dict[str, ConversationSummary] = {}
        self.conversations_reset.connect(self._on_self_conversations_reset)
        self.conversation_changed.connect(self._on_self_conversation_changed)
        self.conversation_removed.connect(self._on_self_conversation_removed)

    def load(self) -> list[str]:
        """Read every conversation; returns the files that had to be quarantined."""
        conversations, self.quarantined = self._store.load_all()
        for conversation in conversations:
            # This process holds the data folder's lock: no reply can still be streaming.
            if not conversation.read_only and conversation.mark_interrupted():
                log.info("a reply in %s was cut short by a crash", conversation.id)
        self.copies = list(self._store.copies)
        self.newer = list(self._store.newer)
        self.repaired = list(self._store.repaired)
        self.unmovable = list(self._store.unmovable)
        self._conversations = {c.id: c for c in conversations}
        self._saved = set(self._conversations)
        self.conversations_reset.emit()
        return self.quarantined

    def summaries(self) -> list[ConversationSummary]:
        saved = self._saved
        return sort_newest_first(s for s in self._summaries.values() if s.id in saved)

    def _on_self_conversations_reset(self) -> None:
        self._summaries = {
            c.id: ConversationSummary.of(c)
            for c in self._conversations.values()
            if c.id in self._saved
        }

    def _on_self_conversation_changed(self, conversation_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is not None:
            self._summaries[conversation_id] = ConversationSummary.of(conversation)

    def _on_self_conversation_removed(self, conversation_id: str) -> None:
        self._summaries.pop(conversation_id, None)

    def all(self) -> list[Conversation]:
        """Every conversation on disk (and the one being written, if any)."""
        return [c for c in self._conversations.values() if c.id in self._saved]

    def get(self, conversation_id: str) -> Conversation | None:
        return self._conversations.get(conversation_id)

    def new_conversation(self, provider: str | None, model: str | None) -> Conversation:
        """A fresh conversation on screen; it reaches disk and the sidebar with its first
        message."""
        self._forget_empty_draft()
        conversation = Conversation.new(provider=provider, model=model, clock=self._clock)
        self._conversations[conversation.id] = conversation
        self.current = conversation
        self.current_changed.emit(conversation)
        return conversation

    def select(self, conversation_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        if conversation is None or conversation is self.current:
            return
        self._forget_empty_draft()
        self.current = conversation
        self.current_changed.emit(conversation)
        self._make_parts(conversation)

    def _make_parts(self, conversation: Conversation) -> None:
        """Ready the open conversation's file parts a step at a time between events, so that
        its first save costs what changed (see encoding.make_parts)."""
        if conversation is self.current and not make_parts(conversation):
            QTimer.singleShot(0, self, lambda: self._make_parts(conversation))

    def rename(self, conversation_id: str, title: str) -> None:
        conversation = self._conversations.get(conversation_id)
        title = " ".join(title.split())
        if (
            conversation is None
            or conversation.read_only
            or not title
            or title == conversation.title
        ):
            return
        conversation.title = title
        conversation.title_set_by_user = True
        self.save(conversation, touch=False)

    def delete(self, conversation_id: str) -> None:
        conversation = self._conversations.pop(conversation_id, None)
        if conversation is None:
            return
        if conversation_id in self._saved and not conversation.read_only:
            # The trash gets the latest text (a reply in its last second, a failed write).
            try:
                self._store.save(conversation)
            except ConfabError as exc:
                log.warning("saving %s before the trash failed: %s", conversation_id, exc.detail)
        self._dirty.discard(conversation_id)
        try:
            self._store.delete(conversation_id)
        except StorageError as exc:
            self._conversations[conversation_id] = conversation
            self.save_failed.emit(exc)
            return
        self._deleted.add(conversation_id)
        self._trashed[conversation_id] = conversation
        self._saved.discard(conversation_id)
        was_current = self.current is conversation
        if was_current:
            self.current = None
        self.conversation_removed.emit(conversation_id)
        if was_current and self.current is None:
            self.current_changed.emit(None)

    def trashed(self) -> list[TrashedConversation]:
        return self._store.trashed()

    def restore(self, conversation_id: str) -> Conversation | None:
        """Bring a deleted conversation back from the trash and show it; None (and a
        save_failed) if that failed."""
        try:
            conversation = self._store.restore(conversation_id)
        except ConfabError as exc:
            log.error("restoring %s failed: %s", conversation_id, exc.detail)
            self.save_failed.emit(exc)
            return None
        kept = self._trashed.pop(conversation_id, None)
        if conversation.id == conversation_id:
            self._deleted.discard(conversation_id)
            if kept is not None and not kept.read_only:
                conversation = kept
        # Else it came back under a new id: the old id stays deleted, so that nothing still
        # holding the old object writes it over the conversation now under that id.
        self._conversations[conversation.id] = conversation
        self._saved.add(conversation.id)
        if not self.save(conversation, touch=False):
            self.conversation_changed.emit(conversation.id)
        self.trash_changed.emit(conversation_id)
        self.select(conversation.id)
        return conversation

    def purge(self, conversation_id: str) -> bool:
        """Delete a conversation from the trash for good."""
        try:
            self._store.purge(conversation_id)
        except ConfabError as exc:
            self.save_failed.emit(exc)
            return False
        self._trashed.pop(conversation_id, None)
        self.trash_changed.emit(conversation_id)
        return True

    def set_model(self, conversation: Conversation, provider_id: str | None, model: str) -> None:
        if conversation.read_only or (
            conversation.provider == provider_id and conversation.model == model
        ):
            return
        conversation.provider = provider_id
        conversation.model = model
        if conversation.id in self._saved:
            self.save(conversation, touch=False)

    def update_settings(
        self,
        conversation: Conversation,
        *,
        system_prompt: str,
        provider_id: str | None,
        model: str | None,
        params: Params,
    ) -> None:
        """Apply the conversation settings dialog; the next request uses them."""
        if conversation.read_only:
            return
        conversation.system_prompt = system_prompt
        conversation.provider = provider_id
        conversation.model = model or None
        conversation.params = params
        if conversation.id in self._saved:
            self.save(conversation, touch=False)
        self.settings_changed.emit(conversation.id)

    def set_draft(self, conversation: Conversation, text: str) -> None:
        """Keep what the user typed but did not send, with the conversation, across restarts."""
        if conversation.draft == text:
            return
        conversation.draft = text
        if conversation.id in self._saved:
            self.save(conversation, touch=False)

    def save(self, conversation: Conversation, *, touch: bool = True) -> bool:
        """Save ``conversation``: encoded now, written by the writer thread. A failure is
        reported when the write ends (``save_failed``); the conversation stays in memory and
        is retried. False when nothing is written: a conversation deleted, a stale copy, one
        written by a newer Confab, or one that could not even be encoded."""
        if conversation.id in self._deleted or conversation.read_only:
            return False
        if self._conversations.setdefault(conversation.id, conversation) is not conversation:
            log.warning("not saving a stale copy of %s", conversation.id)
            return False
        if touch:
            conversation.updated_at = self._clock()
        try:
            future = self._store.save_soon(conversation)
        except ConfabError as exc:
            self._write_failed(conversation.id, exc)
            return False
        if self._writing.get(conversation.id) is not future:
            # (The same future again: this save replaced one still waiting in the writer.)
            self._writing[conversation.id] = future
            # The callback runs in the writer thread and stays on the future: it must hold no
            # reference to this QObject, or the writer thread could drop the last one and
            # destroy the controller there (a segfault, seen after a failed test).
            future.add_done_callback(functools.partial(_ended, self._ended, conversation.id))
            if not self._write_poll.isActive():
                self._write_poll.start()
        # The sidebar hears of it now; the file follows within milliseconds.
        self._saved.add(conversation.id)
        self.conversation_changed.emit(conversation.id)
        return True

    def _on_write_poll_timeout(self) -> None:
        self._take_ended_writes()
        if not self._writing and not self._ended:
            self._write_poll.stop()

    def _take_ended_writes(self) -> None:
        """The outcome of every write that ended, in the order they ended, on this thread."""
        while self._ended:
            conversation_id, future = self._ended.popleft()
            if self._writing.get(conversation_id) is future:
                del self._writing[conversation_id]
            error = future.exception()
            if error is None:
                if conversation_id in self._dirty:
                    self._dirty.discard(conversation_id)
                    if not self._dirty:
                        self._retry.stop()
                        self.save_recovered.emit()
            elif conversation_id not in self._deleted:
                if not isinstance(error, ConfabError):
                    log.error("saving %s failed unexpectedly", conversation_id, exc_info=error)
                    error = StorageError(str(error))
                self._write_failed(conversation_id, error)
            for waiter in self._waiters.pop(future, []):
                if not waiter.done():
                    waiter.set_result(error is None)

    def _write_failed(self, conversation_id: str, exc: ConfabError) -> None:
        log.error("saving %s failed: %s", conversation_id, exc.detail)
        self._dirty.add(conversation_id)
        self._retry.start()
        self.save_failed.emit(exc)

    async def written(self, conversation_id: str) -> bool:
        """Wait until the writes of ``conversation_id`` asked for so far have ended; True if
        the last one put it on disk."""
        future = self._writing.get(conversation_id)
        if future is None:
            return conversation_id not in self._dirty
        import asyncio

        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(future, []).append(waiter)
        return await waiter

    def wait_for_writes(self) -> None:
        """Block until every write asked for so far has ended, and take in their outcomes."""
        self._store.wait_for_writes()
        self._take_ended_writes()

    def flush(self) -> None:
        """Retry every write that failed and wait for all of them; used on quit."""
        self._retry_failed()
        self.wait_for_writes()
        if not self._dirty:
            self._retry.stop()

    def close(self) -> None:
        """Flush, and stop the writer thread (at quit, after the last save)."""
        self.flush()
        self._store.close()
        self._take_ended_writes()

    @property
    def has_unsaved(self) -> bool:
        """A write failed and no later one of that conversation has succeeded yet."""
        return bool(self._dirty)

    def _retry_failed(self) -> None:
        for conversation_id in list(self._dirty):
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                self._dirty.discard(conversation_id)
            elif conversation_id not in self._writing:
                self.save(conversation, touch=False)

    def _on_retry_timeout(self) -> None:
        # Outcomes arrive as the writes end: a success clears the banner (save_recovered).
        self._retry_failed()

    def _forget_empty_draft(self) -> None:
        draft = self.current
        if draft is not None and not draft.messages and draft.id not in self._saved:
            self._conversations.pop(draft.id, None)


def _ended(
    ended: deque[tuple[str, Future[None]]], conversation_id: str, future: Future[None]
) -> None:
    """In the writer thread: a write of ``conversation_id`` ended (taken in on the UI thread)."""
    ended.append((conversation_id, future))
