"""What a request carries: the system prompt (always) and as much of the thread as the
conversation's context budget allows. Pinned messages are always sent, excluded ones never.

The budget lives in the conversation file as ``"context": {"max_messages": N, "max_tokens": T}``
(either may be null), and a message's ``"pinned": true`` / ``"excluded": true``: fields added to
format version 1, which older readers ignore.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop.core.models import Conversation, Message

# Room kept for the reply when the budget comes from the model's context window.
REPLY_RESERVE = 4096


@dataclass(frozen=True)
class Budget:
    max_messages: int | None = None
    max_tokens: int | None = None

    @classmethod
    def of(cls, conversation: Conversation) -> Budget:
        data = conversation.extra.get("context")
        if not isinstance(data, dict):
            return cls()
        return cls(_positive(data.get("max_messages")), _positive(data.get("max_tokens")))

    def store(self, conversation: Conversation) -> None:
        if self.max_messages is None and self.max_tokens is None:
            conversation.extra.pop("context", None)
        else:
            conversation.extra["context"] = {
                "max_messages": self.max_messages,
                "max_tokens": self.max_tokens,
            }


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def is_pinned(message: Message) -> bool:
    return message.extra.get("pinned") is True


def is_excluded(message: Message) -> bool:
    return message.extra.get("excluded") is True


def set_flag(message: Message, name: str, value: bool) -> None:
    if value:
        message.extra[name] = True
    else:
        message.extra.pop(name, None)


@dataclass
class ContextPlan:
    messages: list[dict[str, str]]
    included: set[str] = field(default_factory=set)
    # On the thread but not sent: over the budget or excluded.
    left_out: set[str] = field(default_factory=set)


def plan_context(
    conversation: Conversation,
    budget: Budget | None = None,
    count: Callable[[str], int] | None = None,
    draft: str = "",
) -> ContextPlan:
    """The newest messages that fit ``budget`` (tokens counted with ``count``), plus pinned
    ones, in thread order. What is being sent always goes: ``draft`` (not yet a message), else
    the newest message."""
    budget = budget or Budget.of(conversation)
    system = conversation.system_prompt.strip()
    sendable = [
        m
        for m in conversation.thread()
        if m.role in ("user", "assistant", "system")
        # A failed reply with no text carries nothing for the model.
        and not (m.role == "assistant" and not m.content)
    ]
    used = count(conversation.system_prompt) if count and system else 0
    if draft and count:
        used += count(draft)
    included: set[str] = set()
    taken = 0
    full = False
    for index, message in enumerate(reversed(sendable)):
        newest = index == 0 and not draft
        if is_excluded(message) and not newest:
            continue
        if full and not is_pinned(message):
            continue  # not even counted: a long thread stops costing once the budget is full
        cost = count(message.content) if count else 0
        if not (newest or is_pinned(message)):
            over_count = budget.max_messages is not None and taken >= budget.max_messages
            over_tokens = budget.max_tokens is not None and used + cost > budget.max_tokens
            # Keep the recent part contiguous: once full, only pinned messages still go.
            full = full or over_count or (count is not None and over_tokens)
            if full:
                continue
        included.add(message.id)
        used += cost
        if not is_pinned(message):
            taken += 1
    messages = [{"role": "system", "content": conversation.system_prompt}] if system else []
    messages += [{"role": m.role, "content": m.content} for m in sendable if m.id in included]
    if draft:
        messages.append({"role": "user", "content": draft})
    return ContextPlan(messages, included, {m.id for m in sendable if m.id not in included})


def request_messages(
    conversation: Conversation, count: Callable[[str], int] | None = None
) -> list[dict[str, str]]:
    return plan_context(conversation, count=count).messages
