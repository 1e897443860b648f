"""A source's message tree (nodes with parent links) made into Confab's, without recursion.

Each node is converted when the walk reaches it, knowing the message it will hang under (its
nearest kept ancestor). A node that is not kept (hidden, folded into the next reply, broken)
is left out and its children hang under that ancestor instead: the tree keeps every other
node and parent link of the source. A folded node's reasoning (ChatGPT's ``thoughts``) goes
to the next assistant message below it.

Parent links are the truth; the parent's list of children gives the siblings' order (edits and
regenerations, oldest first), and Confab's ``messages`` list is the walk's order (a parent
before its children, siblings in order). Nodes whose parent links form a cycle are reachable
from no root: they are left out and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from desktop.core.importers.reasons import PARENT_CYCLE, Reason, reason
from desktop.core.models import Message


class Converted(NamedTuple):
    """What a node becomes: ``message`` (None: not shown), ``reasoning`` to pass down to the
    next reply (from a folded node), ``skipped``: why it was left out, for the report (None:
    hidden on purpose, not reported), ``before``: messages the node also became, each the
    parent of the next and the last the parent of ``message`` (a Claude reply that used a
    tool: the call, the result, then the text)."""

    message: Message | None
    reasoning: str = ""
    skipped: Reason | None = None
    before: tuple[Message, ...] = ()


Convert = Callable[[str, Message | None], Converted]


@dataclass
class Tree:
    messages: list[Message] = field(default_factory=list)
    # Source key -> the Confab message it became, or (for a node left out) the one its
    # children now hang under (None: a root).
    kept: dict[str, Message] = field(default_factory=dict)
    stand_in: dict[str, Message | None] = field(default_factory=dict)
    skipped: list[tuple[str, Reason]] = field(default_factory=list)

    def resolve(self, key: str | None) -> Message | None:
        """The message that stands for source node ``key`` (itself, or its nearest kept
        ancestor); None when there is none."""
        if key is None:
            return None
        found = self.kept.get(key)
        return found if found is not None else self.stand_in.get(key)

    def newest_leaf(self) -> Message | None:
        parents = {m.parent for m in self.messages}
        leaves = [m for m in self.messages if m.id not in parents]
        if not leaves:
            return None
        # max keeps the first of equals; the walk's last leaf is the newest branch's.
        return max(reversed(leaves), key=lambda m: m.created_at)


def build_tree(
    nodes: Iterable[tuple[str, str | None]],
    order: Callable[[str], list[str]],
    convert: Convert,
) -> Tree:
    """``nodes``: (key, parent key) of every node; ``order(key)``: the keys of its children
    in the source's order (children it does not list come after, in ``nodes``' order);
    ``convert(key, parent_message)`` makes each node's message (its ``parent`` is set here)."""
    pairs = list(nodes)
    known = {key for key, _ in pairs}
    children: dict[str | None, list[str]] = {}
    for key, parent in pairs:
        if parent is None or parent == key or parent not in known:
            parent = None
        children.setdefault(parent, []).append(key)
    tree = Tree()
    # (key, the message it hangs under, reasoning waiting for a reply)
    stack: list[tuple[str, Message | None, str]] = []

    def push(parent: str | None, under: Message | None, reasoning: str) -> None:
        kids = children.get(parent)
        if not kids:
            return
        if parent is not None and len(kids) > 1:
            listed = {k: i for i, k in enumerate(order(parent))}
            kids = sorted(kids, key=lambda k: listed.get(k, len(listed)))
        stack.extend((k, under, reasoning) for k in reversed(kids))

    push(None, None, "")
    seen: set[str] = set()
    while stack:
        key, under, reasoning = stack.pop()
        if key in seen:
            continue
        seen.add(key)
        result = convert(key, under)
        message = result.message
        if message is None:
            tree.stand_in[key] = under
            if result.skipped is not None:
                tree.skipped.append((key, result.skipped))
            push(key, under, _join(reasoning, result.reasoning))
            continue
        for part in (*result.before, message):
            part.parent = under.id if under is not None else None
            if reasoning and part.role == "assistant":
                part.reasoning = _join(reasoning, part.reasoning or "")
                reasoning = ""
            elif part.role != "assistant":
                reasoning = ""
            tree.messages.append(part)
            under = part
        tree.kept[key] = message
        push(key, message, reasoning)
    for key, _ in pairs:
        if key not in seen:
            tree.skipped.append((key, reason(PARENT_CYCLE)))
    return tree


def _join(first: str, second: str) -> str:
    return f"{first}\n\n{second}" if first and second else first or second
