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

Tool use: Confab's own runs (a reply's ``tool_calls`` each answered by a "tool" message
with a ``tool_server``, desktop/core/tools/) are sent, the calls on the assistant message and
each result after it, as one unit: the budget takes a reply and its results together or
not at all, so a result never goes without its call. Tool use that cannot be paired so
(imported from ChatGPT or Claude, or a run cut by a crash) is shown, not sent: such a reply
goes as its text only (nothing when it has none) and its results are left out, so that any
server accepts the request.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    messages: list[dict[str, Any]]
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
    tool_runs: bool = True,
    hidden: Collection[str] = (),
) -> ContextPlan:
    """The newest messages that fit ``budget`` (tokens counted with ``count``, attachments'
    with ``attachment_cost``), plus pinned ones, in thread order. What is being sent always
    goes: ``draft`` and ``draft_attachments`` (not yet a message), else the newest message.
    ``tool_runs`` False (a request without tools: several servers refuse tool messages then):
    Confab's own runs go as imported ones do, text only. ``hidden``: messages of the thread
    never sent (the other replies of a comparison, streaming beside the one asked for)."""
    draft_attachments = tuple(a for a in draft_attachments if not a.excluded)
    attached = attachment_cost if count is not None else None

    def cost_of_attachments(attachments: Sequence[Attachment]) -> int:
        return sum(map(attached, attachments)) if attached is not None else 0

    budget = budget or Budget.of(conversation)
    system = conversation.system_prompt.strip()
    thread = conversation.thread()
    if hidden:
        thread = [m for m in thread if m.id not in hidden]
    summary = summary_of(conversation)
    summarized: set[str] = set()
    if summary is not None:
        ids = [m.id for m in thread]
        if summary[1] in ids:
            summarized = set(ids[: ids.index(summary[1]) + 1])
    units = tool_units(thread) if tool_runs else {}
    sendable = [
        m
        for m in thread
        if m.id in units
        or (
            m.role in ("user", "assistant", "system")
            # A failed reply with no text carries nothing for the model.
            and not (m.role == "assistant" and not m.content)
        )
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
        cost = (count(message.content) + _calls_cost(message, count)) if count else 0
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
    if units:
        newest_id = sendable[-1].id if sendable and not drafting else ""
        included = _whole_units(included, units, newest_id)
    messages: list[dict[str, Any]] = (
        [{"role": "system", "content": conversation.system_prompt}] if system else []
    )
    if summary_message is not None:
        messages.append(summary_message)
    attachments: dict[int, tuple[Attachment, ...]] = {}
    for message in sendable:
        if message.id in included:
            carried = sent_attachments(message)
            if carried:
                attachments[len(messages)] = carried
            messages.append(_request_message(message, message.id in units))
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


def tool_units(thread: list[Message]) -> dict[str, str]:
    """Confab's own tool runs on ``thread`` that can be sent: each reply whose every call is
    answered by a "tool" message of its own (``tool_server`` set) before the next message of
    another kind, with those results; by message id, the id of the reply they go with."""
    units: dict[str, str] = {}
    for index, message in enumerate(thread):
        if message.role != "assistant" or not message.tool_calls:
            continue
        wanted = {call.id for call in message.tool_calls}
        answers: list[str] = []
        for later in thread[index + 1 :]:
            if later.role != "tool":
                break
            if later.tool_server is not None and later.tool_call_id in wanted:
                wanted.discard(later.tool_call_id)
                answers.append(later.id)
        if not wanted:
            units[message.id] = message.id
            units.update(dict.fromkeys(answers, message.id))
    return units


def _whole_units(included: set[str], units: dict[str, str], newest: str) -> set[str]:
    """A reply and its results go together: all when any of them is the newest message (it
    always goes), else all when all fit, else none."""
    members: dict[str, set[str]] = {}
    for message_id, unit in units.items():
        members.setdefault(unit, set()).add(message_id)
    result = set(included)
    for ids in members.values():
        if newest in ids:
            result |= ids
        elif not ids <= included:
            result -= ids
    return result


def _calls_cost(message: Message, count: Callable[[str], int]) -> int:
    return sum(count(call.name) + count(call.arguments) for call in message.tool_calls)


def _request_message(message: Message, in_unit: bool) -> dict[str, Any]:
    if not in_unit:
        return {"role": message.role, "content": message.content}
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    return {
        "role": "assistant",
        "content": message.content,
        "tool_calls": [
            {
                "id": call.id,
                "type": call.type,
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in message.tool_calls
        ],
    }


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


def compaction_request(conversation: Conversation) -> tuple[list[dict[str, Any]], str] | None:
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
) -> list[dict[str, Any]]:
    return plan_context(conversation, count=count).messages
