"""Opening a conversation at a message found by search: the branch that holds it comes on
screen (Conversation.head_showing / show_message)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.models import Conversation, Message

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _msg(c: Conversation, mid: str, parent: str | None, minutes: int) -> None:
    role = "user" if mid.startswith("q") else "assistant"
    c.messages.append(
        Message(
            id=mid,
            parent=parent,
            role=role,
            content=mid,
            created_at=T0 + timedelta(minutes=minutes),
        )
    )


@pytest.fixture
def tree() -> Conversation:
    """q1 ─ a1 ─ q2 ─ a2            (on screen)
    └ a1b ─ q3 ─ a3           (a regeneration, written later)
             └ q3b ─ a3b      (an edit of q3, written last, but listed first)"""
    c = Conversation.new()
    _msg(c, "q1", None, 0)
    _msg(c, "a1", "q1", 1)
    _msg(c, "q2", "a1", 2)
    _msg(c, "a2", "q2", 3)
    _msg(c, "a1b", "q1", 10)
    _msg(c, "q3b", "a1b", 30)  # an imported file lists it before its older sibling
    _msg(c, "a3b", "q3b", 31)
    _msg(c, "q3", "a1b", 20)
    _msg(c, "a3", "q3", 21)
    c.head = "a2"
    return c


def ids(c: Conversation) -> list[str]:
    return [m.id for m in c.thread()]


def test_a_message_on_screen_keeps_the_branch(tree: Conversation) -> None:
    assert tree.head_showing("a1") == "a2"
    assert not tree.show_message("q1")
    assert ids(tree) == ["q1", "a1", "q2", "a2"]


def test_a_message_on_another_branch_brings_its_newest_leaf(tree: Conversation) -> None:
    assert tree.show_message("a1b")
    # The most recent child at each level, by time, not by its place in the file.
    assert tree.head == "a3b"
    assert ids(tree) == ["q1", "a1b", "q3b", "a3b"]
    assert tree.on_thread("a1b") and not tree.on_thread("a2")


def test_an_older_sibling_is_shown_with_its_own_branch(tree: Conversation) -> None:
    assert tree.show_message("q3")
    assert ids(tree) == ["q1", "a1b", "q3", "a3"]


def test_a_leaf_is_its_own_head(tree: Conversation) -> None:
    tree.show_message("a3")
    assert tree.head == "a3"
    assert not tree.show_message("a3")


def test_an_unknown_message_is_refused(tree: Conversation) -> None:
    with pytest.raises(KeyError):
        tree.head_showing("nope")
    assert tree.head == "a2"


def test_a_cycle_in_a_damaged_file_ends_the_walk(tree: Conversation) -> None:
    tree.message("q1").parent = "a2"  # q1 → … → a2 → q1
    assert tree.head_showing("a1b") == "a3b"
