"""The message tree: edits and regenerations are siblings; nothing is overwritten."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.core.models import Conversation, Message


def _msg(conversation: Conversation, mid: str, parent: str | None, role: str) -> Message:
    message = Message(
        id=mid, parent=parent, role=role, content=mid, created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    conversation.messages.append(message)
    return message


@pytest.fixture
def tree() -> Conversation:
    """q1 ─ a1 ─ q2 ─ a2
        └ a1b ─ q3        (a1b: a regeneration of a1; q3 asked below it)
    q1b ─ a4              (q1b: an edit of q1)"""
    c = Conversation.new()
    _msg(c, "q1", None, "user")
    _msg(c, "a1", "q1", "assistant")
    _msg(c, "q2", "a1", "user")
    _msg(c, "a2", "q2", "assistant")
    _msg(c, "a1b", "q1", "assistant")
    _msg(c, "q3", "a1b", "user")
    _msg(c, "q1b", None, "user")
    _msg(c, "a4", "q1b", "assistant")
    c.head = "a2"
    return c


def ids(messages: list[Message]) -> list[str]:
    return [m.id for m in messages]


def test_siblings_are_the_alternatives_at_one_point(tree: Conversation) -> None:
    assert ids(tree.siblings("a1")) == ["a1", "a1b"]
    assert ids(tree.siblings("q1")) == ["q1", "q1b"]
    assert ids(tree.siblings("q2")) == ["q2"]


def test_switching_a_sibling_makes_the_thread_below_follow(tree: Conversation) -> None:
    assert ids(tree.thread()) == ["q1", "a1", "q2", "a2"]
    tree.switch_to("a1b")
    assert ids(tree.thread()) == ["q1", "a1b", "q3"]
    tree.switch_to("q1b")
    assert ids(tree.thread()) == ["q1b", "a4"]
    tree.switch_to("q1")  # follows the newest child at each level
    assert ids(tree.thread()) == ["q1", "a1b", "q3"]


def test_removing_a_branch_removes_everything_below_and_moves_to_a_sibling(
    tree: Conversation,
) -> None:
    removed = tree.remove_branch("a1")
    assert removed == ["a1", "a2", "q2"]
    assert ids(tree.thread()) == ["q1", "a1b", "q3"]
    assert not tree.has_message("a2")
    with pytest.raises(KeyError):
        tree.message("q2")
    assert tree.message("q3").content == "q3"


def test_removing_the_only_child_moves_the_thread_to_the_parent(tree: Conversation) -> None:
    tree.switch_to("a1b")
    tree.remove_branch("q3")
    assert tree.head == "a1b"
    tree.remove_branch("q1b")
    assert ids(tree.thread()) == ["q1", "a1b"]
    assert ids(tree.children(None)) == ["q1"]


def test_message_lookup_stays_right_after_the_list_changes(tree: Conversation) -> None:
    assert tree.message("a4").parent == "q1b"
    tree.messages.append(
        Message(
            id="new",
            parent="a4",
            role="user",
            content="x",
            created_at=datetime(2026, 1, 2, tzinfo=UTC),
        )
    )
    assert tree.message("new").content == "x"
    tree.remove_branch("new")
    with pytest.raises(KeyError):
        tree.message("new")
