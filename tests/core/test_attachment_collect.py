"""Deleting conversations for good removes the attachments nothing uses any more: neither a
conversation (the index says which name which, whatever the size of the library) nor the
trash; an attachment shared with another conversation stays, and so does one just attached.
When the index cannot tell (upgraded from a version without the table, its files still to be
read), nothing is removed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from desktop.core.attachments import AttachmentStore
from desktop.core.attachments.collect import collect
from desktop.core.attachments.images import OPENAI
from desktop.core.attachments.store import GRACE_SECONDS
from desktop.core.index import INDEX_NAME, Library, Record, read_attachment_refs
from desktop.core.models import Attachment, Conversation, Message
from desktop.core.storage import ConversationStore
from tests.support import attachment_files as files
from tests.support.old_index import downgrade_to_version_3

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def later() -> float:
    """Past the grace of the files written until now."""
    return time.time() + GRACE_SECONDS + 60


def _conversation(cid: str, *attachments: Attachment) -> Conversation:
    conversation = Conversation(id=cid, title=cid, created_at=T0, updated_at=T0)
    question = conversation.append(Message(f"{cid}-q", None, "user", "look", T0))
    question.attachments = attachments
    return conversation


def _names(store: AttachmentStore) -> set[str]:
    return {p.name.partition(".")[0] for p in store.folder.iterdir()}


def test_only_what_nothing_uses_is_removed(tmp_path: Path) -> None:
    attachments = AttachmentStore(tmp_path)
    shared = attachments.add_bytes(files.png(), "shared.png")
    own = attachments.add_bytes(files.pdf(["only in a"]), "a.pdf")
    other = attachments.add_bytes(files.photo(400, 300), "c.jpg")
    attachments.image_url(other, OPENAI)  # a derived file too
    loose = attachments.add_bytes(b"attached, never sent", "draft.txt")
    store = ConversationStore(tmp_path)
    for conversation in (
        _conversation("a", shared, own),
        _conversation("b", shared),
        _conversation("c", other),
    ):
        store.save(conversation)
    library = Library(store)
    try:
        library.open().result()
        library.reconcile().result()
        index = tmp_path / INDEX_NAME
        assert read_attachment_refs(index) == {shared.sha256, own.sha256, other.sha256}
        # In the trash, c's attachment is still used (c can be restored).
        store.delete("c")
        library.reconcile().result()
        assert collect(attachments, index, now=later()) == 1  # the draft's, attached long ago
        assert _names(attachments) == {shared.sha256, own.sha256, other.sha256}
        store.purge("c")
        assert collect(attachments, index, now=later()) == 1
        assert _names(attachments) == {shared.sha256, own.sha256}
        assert not list((tmp_path / "derived").glob(f"{other.sha256}*"))
        # a goes for good: its PDF (and the PDF's text) goes, the image b shares stays.
        store.delete("a")
        store.purge("a")
        library.reconcile().result()
        assert collect(attachments, index, now=later()) == 1
        assert _names(attachments) == {shared.sha256}
        assert not (tmp_path / "derived" / f"{own.sha256}.txt").exists()
        assert loose.sha256 not in _names(attachments)
    finally:
        library.close()


def test_a_drafts_attachment_is_kept_when_other_conversations_are_purged(tmp_path: Path) -> None:
    attachments = AttachmentStore(tmp_path)
    drafted = attachments.add_bytes(files.png(64, 48), "draft.png")
    gone = attachments.add_bytes(files.pdf(["only in b"]), "b.pdf")
    store = ConversationStore(tmp_path)
    drafting = Conversation(id="a", title="a", created_at=T0, updated_at=T0)
    drafting.append(Message("a-q", None, "user", "hello", T0))
    drafting.draft_attachments = (drafted,)  # attached, not sent: in no message
    store.save(drafting)
    store.save(_conversation("b", gone))
    library = Library(store)
    try:
        library.open().result()
        library.reconcile().result()
        index = tmp_path / INDEX_NAME
        assert read_attachment_refs(index) == {drafted.sha256, gone.sha256}
        store.delete("b")
        store.purge("b")
        library.reconcile().result()
        assert collect(attachments, index, now=later()) == 1
        assert _names(attachments) == {drafted.sha256}
        # Saved from the window (the row follows the record handed to the writer): still
        # used while the draft holds it; removed once it is taken off the draft.
        drafting.draft = "about this"
        library.saving(Record.of(drafting), new_write=True)
        store.save(drafting)
        store.wait_for_writes()
        library.written("a", True)
        library.wait()
        assert collect(attachments, index, now=later()) == 0
        drafting.draft_attachments = ()
        library.saving(Record.of(drafting), new_write=True)
        store.save(drafting)
        store.wait_for_writes()
        library.written("a", True)
        library.wait()
        assert read_attachment_refs(index) == set()
        assert collect(attachments, index, now=later()) == 1
        assert _names(attachments) == set()
    finally:
        library.close()


def test_an_attachment_just_made_is_kept(tmp_path: Path) -> None:
    attachments = AttachmentStore(tmp_path)
    fresh = attachments.add_bytes(files.png(), "in the composer.png")
    store = ConversationStore(tmp_path)
    library = Library(store)
    try:
        library.open().result()
        library.reconcile().result()
        assert collect(attachments, tmp_path / INDEX_NAME) == 0
        assert attachments.exists(fresh)
    finally:
        library.close()


def test_an_upgraded_index_removes_nothing_until_its_files_are_read(tmp_path: Path) -> None:
    attachments = AttachmentStore(tmp_path)
    used = attachments.add_bytes(files.png(), "used.png")
    unused = attachments.add_bytes(files.gif(), "unused.gif")
    store = ConversationStore(tmp_path)
    store.save(_conversation("a", used))
    first = Library(store)
    first.open().result()
    first.reconcile().result()
    first.close()
    downgrade_to_version_3(tmp_path / INDEX_NAME)  # as a Confab before attachments left it
    index = tmp_path / INDEX_NAME
    library = Library(store)
    try:
        library.open().result()
        assert library.index.migrated
        library.reconcile().result()
        library.wait_for_usage()  # the pass that reads every file again, behind the list
        assert read_attachment_refs(index) == {used.sha256}
        assert collect(attachments, index, now=later()) == 1
        assert _names(attachments) == {used.sha256}
        assert unused.sha256 not in _names(attachments)
    finally:
        library.close()


def test_without_an_index_nothing_is_removed(tmp_path: Path) -> None:
    attachments = AttachmentStore(tmp_path)
    attachments.add_bytes(files.png(), "x.png")
    assert collect(attachments, tmp_path / INDEX_NAME, now=later()) is None
    assert len(list(attachments.folder.iterdir())) == 1
