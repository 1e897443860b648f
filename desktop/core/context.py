"""What a request carries: the system prompt (always) and as much of the thread as the
conversation's context budget allows. Pinned messages are always sent, excluded ones never.

A compaction replaces the thread up to a message with a summary the model wrote:
``"summary": {"text": "…", "through": "<message id>"}``; the originals stay in the file and on
screen, marked as not sent.

The budget is the conversation's ``context`` (a Budget: either limit may be None), and a
message's ``pinned`` / ``excluded`` flags say what always / never goes (docs/format.md has
their form in the file).

Attachments (``Message.attachments``, issue 14) go with the user message they belong to, the
excluded ones left out: the plan says which of its messages carry which
(``ContextPlan.attachments``), and counts their tokens with the message's (``attachment_cost``,
desktop/core/attachments/estimate.py), so a message with a big PDF may not fit the budget
where its text alone would. desktop/core/attachments/parts.py turns a planned message with
attachments into content parts (text, the documents' text, the images) off the UI thread.

Tool use (imported from ChatGPT or Claude: ``Message.tool_calls`` and messages of role
"tool") is shown, not sent: a request carries the text of user, assistant and system messages
only, so a reply that is only tool calls and every tool result are left out. Sending them would
need the tools declared in the request and each call paired with its result even when the
budget cuts the thread between them; left out, any server accepts the request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from desktop.core.models import Attachment, Conversation, Message
from desktop.core.models import Budget as Budget  # re-exported: the budget is a model type

# Room kept for the reply when the budget comes from the model's context window.
REPLY_RESERVE = 4096


def is_pinned(message: Message) -> bool:
    return message.pinned


def is_excluded(message: Message) -> bool:
    return message.excluded


def set_flag(message: Message, name: str, value: bool) -> None:
    """Pin ("pinned") or exclude ("excluded") a message, or undo it; a message is one or the
    other, never both."""
    if name == "pinned":
        message.pinned = value
        if value:
            message.excluded = False
    elif name == "excluded":
        message.excluded = value
        if value:
            message.pinned = False
    else:
        raise ValueError(f"no such flag: {name!r}")


@dataclass
class ContextPlan:
    messages: list[dict[str, str]]
    included: set[str] = field(default_factory=set)
    # On the thread but not sent: over the budget, excluded or summarized.
    left_out: set[str] = field(default_factory=set)
    summarized: set[str] = field(default_factory=set)
    # The tokens of the messages' contents, as counted by the plan's ``count`` (0 without
    # one), and of their attachments (``attachment_cost``); a request's count adds each
    # message's and the reply's overhead (tokens.py).
    tokens: int = 0
    # The attachments that go with ``messages[i]`` (a user message's, not excluded), by i.
    attachments: dict[int, tuple[Attachment, ...]] = field(default_factory=dict)


def sent_attachments(message: Message) -> tuple[Attachment, ...]:
    """The attachments of ``message`` that a request carries: a user message's, not
    excluded (servers take images on user messages only)."""
    if message.role != "user" or not message.attachments:
        return ()
    return tuple(a for a in message.attachments if not a.excluded)


def plan_context(
    conversation: Conversation,
    budget: Budget | None = None,
    count: Callable[[str], int] | None = None,
    draft: str = "",
    *,
    attachment_cost: Callable[[Attachment], int] | None = None,
    draft_attachments: Sequence[Attachment] = (),
) -> ContextPlan:
    """The newest messages that fit ``budget`` (tokens counted with ``count``, attachments'
    with ``attachment_cost``), plus pinned ones, in thread order. What is being sent always
    goes: ``draft`` and ``draft_attachments`` (not yet a message), else the newest message."""
    draft_attachments = tuple(a for a in draft_attachments if not a.excluded)
    attached = attachment_cost if count is not None else None

    def cost_of_attachments(attachments: Sequence[Attachment]) -> int:
        return sum(map(attached, attachments)) if attached is not None else 0

    budget = budget or Budget.of(conversation)
    system = conversation.system_prompt.strip()
    thread = conversation.thread()
    summary = summary_of(conversation)
    summarized: set[str] = set()
    if summary is not None:
        ids = [m.id for m in thread]
        if summary[1] in ids:
            summarized = set(ids[: ids.index(summary[1]) + 1])
    sendable = [
        m
        for m in thread
        if m.role in ("user", "assistant", "system")
        # A failed reply with no text carries nothing for the model.
        and not (m.role == "assistant" and not m.content)
    ]
    used = count(conversation.system_prompt) if count and system else 0
    summary_message = (
        {"role": "system", "content": SUMMARY_PREFIX + summary[0]}
        if summary is not None and summarized
        else None
    )
    if summary_message is not None and count:
        used += count(summary_message["content"])
    if draft and count:
        used += count(draft)
    used += cost_of_attachments(draft_attachments)
    drafting = bool(draft or draft_attachments)
    included: set[str] = set()
    taken = 0
    full = False
    for index, message in enumerate(reversed(sendable)):
        newest = index == 0 and not drafting
        if (is_excluded(message) or message.id in summarized) and not newest:
            continue
        if full and not is_pinned(message):
            continue  # not even counted: a long thread stops costing once the budget is full
        cost = count(message.content) if count else 0
        cost += cost_of_attachments(sent_attachments(message))
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
    if summary_message is not None:
        messages.append(summary_message)
    attachments: dict[int, tuple[Attachment, ...]] = {}
    for message in sendable:
        if message.id in included:
            carried = sent_attachments(message)
            if carried:
                attachments[len(messages)] = carried
            messages.append({"role": message.role, "content": message.content})
    if drafting:
        if draft_attachments:
            attachments[len(messages)] = draft_attachments
        messages.append({"role": "user", "content": draft})
    return ContextPlan(
        messages,
        included,
        {m.id for m in sendable if m.id not in included},
        summarized & {m.id for m in sendable},
        used,
        attachments,
    )


SUMMARY_PREFIX = "Summary of the earlier part of this conversation:\n"
COMPACT_PROMPT = (
    "Summarize the conversation below so that it can continue without it: keep facts, "
    "decisions, names, numbers, code identifiers and open questions; drop small talk. Use the "
    "conversation's language. Reply with the summary only."
)
# A compaction keeps this many of the newest messages as they are.
KEEP_RECENT = 4


def summary_of(conversation: Conversation) -> tuple[str, str] | None:
    summary = conversation.summary
    return (summary.text, summary.through) if summary is not None else None


def compaction_request(conversation: Conversation) -> tuple[list[dict[str, str]], str] | None:
    """The request that summarizes all but the newest KEEP_RECENT messages of the thread, and
    the id of the last message it covers; None when there is too little to compact."""
    thread = [m for m in conversation.thread() if m.content]
    older = thread[:-KEEP_RECENT]
    if len(older) < 2:
        return None
    transcript = "\n\n".join(f"{m.role}: {m.content}" for m in older)
    previous = summary_of(conversation)
    if previous is not None:
        transcript = f"(earlier summary) {previous[0]}\n\n{transcript}"
    messages = [
        {"role": "system", "content": COMPACT_PROMPT},
        {"role": "user", "content": transcript},
    ]
    return messages, older[-1].id


def request_messages(
    conversation: Conversation, count: Callable[[str], int] | None = None
) -> list[dict[str, str]]:
    return plan_context(conversation, count=count).messages
