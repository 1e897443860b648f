"""The decisions taken when another program changed or removed a loaded conversation's file
(desktop/core/services/sync.py): neither side's history is lost. No QApplication."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.core.models import Conversation, Message
from desktop.core.services import sync


def _conversation(*texts: str, draft: str = "") -> Conversation:
    conversation = Conversation.new(model="m")
    conversation.id = "c1"
    parent = None
    for i, text in enumerate(texts):
        role = "user" if i % 2 == 0 else "assistant"
        parent = conversation.append(Message(f"m{i}", parent, role, text, datetime.now(UTC))).id
    conversation.draft = draft
    return conversation


def test_a_newer_version_with_all_of_ours_is_taken_in_keeping_what_is_typed() -> None:
    ours = _conversation("hi", "hello")
    theirs = _conversation("hi", "hello", "more from the laptop", "sure")
    decided = sync.on_changed(ours, theirs, busy=False, typed="half a sentence")
    assert decided == sync.Changed(sync.TAKE_THEIRS, "half a sentence")
    assert sync.on_changed(ours, theirs, busy=False, typed="") == sync.Changed(sync.TAKE_THEIRS, "")


def test_while_ours_is_being_written_that_write_keeps_theirs() -> None:
    ours = _conversation("hi", "hello")
    theirs = _conversation("hi", "hello", "more")
    assert sync.on_changed(ours, theirs, busy=True, typed="").action == sync.OURS_UNDER_WAY


def test_messages_theirs_lacks_keep_both_versions() -> None:
    ours = _conversation("hi", "hello", "a question only here")
    theirs = _conversation("hi", "hello")
    assert sync.on_changed(ours, theirs, busy=False, typed="x") == sync.Changed(sync.KEEP_BOTH, "x")


def test_two_different_drafts_keep_both_versions_and_one_draft_is_simply_carried() -> None:
    ours = _conversation("hi", "hello", draft="typed here")
    theirs = _conversation("hi", "hello", draft="typed there")
    assert sync.on_changed(ours, theirs, busy=False, typed="typed here, more").action == (
        sync.KEEP_BOTH
    )
    # Nothing new typed here: their draft is taken with the rest.
    assert sync.on_changed(ours, theirs, busy=False, typed="typed here") == sync.Changed(
        sync.TAKE_THEIRS, "typed here"
    )
    # Their draft is ours, or empty: no conflict.
    for their_draft in ("", "typed here"):
        theirs.draft = their_draft
        assert sync.on_changed(ours, theirs, busy=False, typed="new").action == sync.TAKE_THEIRS


def test_a_read_only_conversation_takes_the_new_version_as_it_is() -> None:
    ours = _conversation("hi", "hello", "only here")
    ours.newer_version = 99
    theirs = _conversation("hi")
    assert sync.on_changed(ours, theirs, busy=True, typed="x") == sync.Changed(
        sync.TAKE_THEIRS, None
    )


def test_a_removed_file_is_written_back_only_when_something_is_not_on_disk() -> None:
    ours = _conversation("hi", "hello")
    assert sync.on_removed(ours, busy=True) == sync.WRITE_BACK
    assert sync.on_removed(ours, busy=False) == sync.LEAVE
    ours.newer_version = 99
    assert sync.on_removed(ours, busy=True) == sync.LEAVE
