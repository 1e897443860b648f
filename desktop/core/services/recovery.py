"""What the user can do about a failed reply: the window shows each way out as a button, and
the chat service carries it out (``ChatService.retry``, ``shrink_context_and_retry``,
``compact_and_retry``, ``continue_reply``, ``retry_without_tools``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.errors import ApiError, ConfabError, ContextTooLongError, ToolsUnsupportedError

if TYPE_CHECKING:  # the window imports this before its first paint; models are read later
    from desktop.core.models import Conversation

SHRINK = "shrink"  # the context is too long: send fewer messages and retry
COMPACT = "compact"  # the context is too long: summarize the older messages and retry
RETRY = "retry"
CONTINUE = "continue"  # text arrived before the failure: go on from it
NO_TOOLS = "no_tools"  # the model or server takes no tools: ask again without them


def recoveries(conversation: Conversation, message_id: str, error: ConfabError) -> list[str]:
    """The ways out of ``error`` for the reply ``message_id`` ("" or gone: none), best first."""
    if not message_id or not conversation.has_message(message_id):
        return []
    if isinstance(error, ContextTooLongError):
        return [SHRINK, COMPACT]
    if isinstance(error, ToolsUnsupportedError):
        return [NO_TOOLS, RETRY]
    if isinstance(error, ApiError):
        return [RETRY, CONTINUE] if conversation.message(message_id).content else [RETRY]
    return []
