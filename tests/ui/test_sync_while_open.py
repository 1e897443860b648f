"""In the real window, on a real data folder and its real QFileSystemWatcher: another program
(a sync tool bringing the user's other computer's version) rewrites or removes the file of a
conversation that is open. Nothing unsaved here: the view shows the new version, the draft
being typed kept. A reply streaming or a draft typed here that the other version does not
have: both versions survive on disk. Removed: it leaves the view (nothing unsaved) or is
written back (a reply streaming). Confab's own saves set none of this off."""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from desktop.core.atomic import json_bytes
from desktop.core.models import Conversation, Message
from desktop.core.storage import ConversationStore
from tests.support.openai_server import Reply
from tests.ui.test_sidebar import rows, write_conversations


def other_device_writes(
    data: Path, conversation_id: str, *, question: str, answer: str, draft: str | None = None
) -> None:
    """The other computer's newer version of the file, as a sync tool puts it in place: read,
    one more exchange appended (through Confab's own model and file format), written to a
    temporary file and renamed over the file."""
    folder = data / "conversations"
    raw = json.loads((folder / f"{conversation_id}.json").read_text(encoding="utf-8"))
    conversation = Conversation.from_dict(raw)
    later = conversation.updated_at + timedelta(minutes=5)
    user = conversation.append(
        Message(id="laptop-q", parent=conversation.head, role="user", content=question,
                created_at=later)
    )  # fmt: skip
    conversation.append(
        Message(id="laptop-a", parent=user.id, role="assistant", content=answer,
                created_at=later)
    )  # fmt: skip
    conversation.updated_at = later
    if draft is not None:
        conversation.draft = draft
    tmp = folder / f".syncthing.{conversation_id}.json.tmp"
    tmp.write_bytes(json_bytes(conversation.to_dict()))
    os.replace(tmp, folder / f"{conversation_id}.json")


def settle(app: Any) -> None:
    """Until the reply has ended and its last write is on disk and indexed (what the other
    computer then syncs is built on that file)."""
    app.wait_idle()
    app.conversations.wait_for_index()


def chatting(start_chat_app: Any, question: str) -> tuple[Any, Conversation]:
    """The window, its folder watched with no delay, and a first exchange on disk."""
    app = start_chat_app()
    app.conversations.rescan_delay_ms = 0
    app.type_and_send(question)
    settle(app)
    return app, app.conversations.current


def files_by_title(app: Any) -> dict[str, dict[str, Any]]:
    return {f["title"]: f for f in app.conversation_files()}


def contents(file: dict[str, Any]) -> list[str]:
    return [m["content"] for m in file["messages"]]


def test_a_newer_version_of_the_open_conversation_is_shown_and_the_draft_kept(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app, conversation = chatting(start_chat_app, "Name a river")
    qtbot.keyClicks(app.window.composer.edit, "and a lake, half typed")
    reloaded: list[str] = []
    app.conversations.conversation_reloaded.connect(reloaded.append)

    other_device_writes(
        tmp_path / "data", conversation.id, question="And a mountain?", answer="The Matterhorn."
    )

    qtbot.waitUntil(lambda: reloaded == [conversation.id])
    assert app.bubbles() == [
        ("user", "Name a river"),
        ("assistant", "echo[1]: Name a river"),
        ("user", "And a mountain?"),
        ("assistant", "The Matterhorn."),
    ]
    assert app.conversations.current is conversation  # the same object, its new contents
    assert app.window.composer.text() == "and a lake, half typed"
    assert app.window.banner.isVisible()
    assert "“Name a river” was changed on another device" in app.window.banner.text.text()
    # Both sides on disk: the other computer's messages and the draft typed here.
    (file,) = app.conversation_files()
    assert contents(file)[-1] == "The Matterhorn."
    assert file["draft"] == "and a lake, half typed"
    # And it goes on from there: the next question follows the other computer's answer.
    app.window.composer.clear()
    app.type_and_send("Thanks")
    app.wait_idle()
    (file,) = app.conversation_files()
    # (The loopback server echoes how many messages it was sent: the other computer's too.)
    assert contents(file)[-2:] == ["Thanks", "echo[5]: Thanks"]
    assert file["messages"][-2]["parent"] == "laptop-a"


def test_confabs_own_saves_never_reload_the_open_conversation(
    start_chat_app: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    app = start_chat_app()
    app.conversations.rescan_delay_ms = 0
    reloaded: list[str] = []
    read_again: list[str] = []
    real = ConversationStore.on_disk

    def looked(self: ConversationStore, conversation_id: str) -> Any:
        found = real(self, conversation_id)
        read_again.append(found.state)
        return found

    monkeypatch.setattr(ConversationStore, "on_disk", looked)
    app.conversations.conversation_reloaded.connect(reloaded.append)
    app.conversations.synced.connect(lambda note: reloaded.append(note.kind))
    for question in ("one", "two", "three"):
        app.type_and_send(question)
        app.wait_idle()
    # Another file arriving makes the next rescan list the whole folder, Confab's files too.
    data = tmp_path / "data"
    app.conversations.wait_for_writes()
    folder = data / "conversations"
    before = folder.stat().st_mtime_ns
    write_conversations(data, 1)
    if folder.stat().st_mtime_ns == before:
        # In a later tick of the file system's clock than Confab's last write (one in the
        # same tick is not told apart by the folder's time: the loaded conversations' files
        # are looked at then, tests/core/test_sync_versions.py).
        os.utime(folder, ns=(before + 10_000_000, before + 10_000_000))
    qtbot.waitUntil(lambda: "c000" in {i for i, _ in rows(app)})
    app.conversations.wait_for_index()
    assert reloaded == []
    assert all(state == "same" for state in read_again)
    assert [b for b, _ in app.bubbles()] == ["user", "assistant"] * 3
    assert len(app.conversation_files()) == 2  # no copy was made
    assert not (data / "quarantine").exists()


def test_a_version_arriving_while_a_reply_streams_keeps_both(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app, conversation = chatting(start_chat_app, "Write a poem")
    gate = threading.Event()
    openai_server.enqueue(Reply(text="Roses are red, violets are blue.", stall_after=2, gate=gate))
    app.type_and_send("Another one")
    qtbot.waitUntil(lambda: app.chat.is_streaming(conversation.id))
    qtbot.waitUntil(lambda: conversation.messages[-1].content != "")
    notes: list[Any] = []
    app.conversations.synced.connect(notes.append)

    other_device_writes(
        tmp_path / "data", conversation.id, question="A haiku?", answer="An old silent pond"
    )

    # The periodic save (once a second) must not write over the other version: it is set
    # aside and listed as a copy.
    qtbot.waitUntil(lambda: [n.kind for n in notes] == ["kept_both"], timeout=10_000)
    gate.set()
    app.wait_idle()
    files = files_by_title(app)
    assert set(files) == {"Write a poem", "Write a poem (from another device)"}
    ours, theirs = files["Write a poem"], files["Write a poem (from another device)"]
    assert contents(ours)[-1] == "Roses are red, violets are blue."
    assert "An old silent pond" not in contents(ours)
    assert contents(theirs)[-2:] == ["A haiku?", "An old silent pond"]
    assert theirs["id"] == notes[0].copy_id != conversation.id
    banner = app.window.banner
    assert "Both versions are kept" in banner.text.text()
    assert "“Write a poem (from another device)”" in banner.text.text()
    assert app.conversations.current is conversation
    assert app.bubbles()[-1] == ("assistant", "Roses are red, violets are blue.")
    # Its "Open It" shows the other version.
    banner.action_button.click()
    qtbot.waitUntil(lambda: app.conversations.current.id == notes[0].copy_id)
    assert app.bubbles()[-1] == ("assistant", "An old silent pond")


def test_a_draft_typed_here_and_another_one_there_keeps_both(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app, conversation = chatting(start_chat_app, "Plan a trip")
    qtbot.keyClicks(app.window.composer.edit, "typed on this computer")
    notes: list[Any] = []
    app.conversations.synced.connect(notes.append)

    other_device_writes(
        tmp_path / "data",
        conversation.id,
        question="To Lisbon?",
        answer="Yes, in May.",
        draft="typed on the laptop",
    )

    qtbot.waitUntil(lambda: [n.kind for n in notes] == ["kept_both"], timeout=10_000)
    files = files_by_title(app)
    ours, theirs = files["Plan a trip"], files["Plan a trip (from another device)"]
    assert ours["draft"] == "typed on this computer"
    assert theirs["draft"] == "typed on the laptop"
    assert contents(theirs)[-1] == "Yes, in May."
    assert app.window.composer.text() == "typed on this computer"


def test_removed_elsewhere_it_leaves_the_view_and_can_be_kept(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app, conversation = chatting(start_chat_app, "Short lived")
    conversation_id = conversation.id
    path = tmp_path / "data" / "conversations" / f"{conversation_id}.json"

    path.unlink()

    qtbot.waitUntil(lambda: app.conversations.current.id != conversation_id)
    assert rows(app) == []
    assert app.bubbles() == []  # the empty state, a new conversation
    banner = app.window.banner
    assert banner.text.text() == "“Short lived” was removed on another device."
    assert banner.action_button.text() == "Keep It"
    assert not path.exists()  # nothing wrote it back by itself
    banner.action_button.click()
    qtbot.waitUntil(lambda: app.conversations.current.id == conversation_id)
    assert [title for _, title in rows(app)] == ["Short lived"]
    assert contents(app.conversation_files()[0]) == ["Short lived", "echo[1]: Short lived"]


def replying(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> tuple[Any, Any, Any, list[Any]]:
    """A conversation with a reply streaming into it, held open until ``gate`` is set; the
    window's sync notices from then on in ``notes``."""
    app, conversation = chatting(start_chat_app, "Keep talking")
    gate = threading.Event()
    openai_server.enqueue(Reply(text="Still here, still talking.", stall_after=2, gate=gate))
    app.type_and_send("Go on")
    qtbot.waitUntil(lambda: conversation.messages[-1].content != "")
    notes: list[Any] = []
    app.conversations.synced.connect(notes.append)
    return app, conversation, gate, notes


def test_removed_elsewhere_while_a_reply_streams_it_is_written_back(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app, conversation, gate, notes = replying(start_chat_app, openai_server, qtbot)

    (tmp_path / "data" / "conversations" / f"{conversation.id}.json").unlink()

    qtbot.waitUntil(lambda: [n.kind for n in notes] == ["kept_removed"])
    assert "is kept, and written back" in app.window.banner.text.text()
    gate.set()
    app.wait_idle()
    assert app.conversations.current is conversation
    (file,) = app.conversation_files()
    assert contents(file)[-1] == "Still here, still talking."
    assert [title for _, title in rows(app)] == ["Keep talking"]


def test_a_conversation_loaded_but_not_on_screen_shows_the_new_version_when_opened(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_conversations(data, 2)
    app = start_app(data)
    app.conversations.rescan_delay_ms = 0
    first = app.open("c000")
    app.open("c001")
    held = first  # still in memory (a dialog, a stream, or not collected yet)
    assert app.conversations.get("c000") is held

    other_device_writes(data, "c000", question="Still there?", answer="Yes, from the laptop.")

    qtbot.waitUntil(lambda: len(held.messages) == 4)
    assert app.conversations.current.id == "c001"
    app.open("c000")
    assert app.bubbles()[-1] == ("assistant", "Yes, from the laptop.")


def test_a_version_without_messages_this_one_has_is_kept_beside_it(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app, conversation = chatting(start_chat_app, "First")
    path = tmp_path / "data" / "conversations" / f"{conversation.id}.json"
    older = path.read_bytes()  # what the other computer last synced
    app.type_and_send("Second")
    settle(app)
    notes: list[Any] = []
    app.conversations.synced.connect(notes.append)

    # The other computer's version, made from the older file: it lacks "Second".
    path.write_bytes(older)
    other_device_writes(tmp_path / "data", conversation.id, question="Third?", answer="Third.")

    qtbot.waitUntil(lambda: [n.kind for n in notes] == ["kept_both"], timeout=10_000)
    files = files_by_title(app)
    assert contents(files["First"]) == ["First", "echo[1]: First", "Second", "echo[3]: Second"]
    assert contents(files["First (from another device)"])[-2:] == ["Third?", "Third."]
    assert "Second" not in contents(files["First (from another device)"])
    assert [b for _, b in app.bubbles()][-1] == "echo[3]: Second"


def test_a_removal_noticed_by_the_write_and_by_the_rescan_is_told_once(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    """The write under way puts the file back and says so; the rescan's look, made before
    that write, then finds it gone: one notice, not two (seen on a fresh machine)."""
    app, conversation, gate, notes = replying(start_chat_app, openai_server, qtbot)
    app.conversations.rescan_delay_ms = 60_000  # the rescan is this test's to make
    app.conversations.wait_for_writes()

    (tmp_path / "data" / "conversations" / f"{conversation.id}.json").unlink()
    assert app.conversations.save(conversation, touch=False)  # as the stream's next save
    app.conversations.wait_for_writes()
    qtbot.waitUntil(lambda: [n.kind for n in notes] == ["kept_removed"])
    app.conversations._removed_on_disk(conversation)  # the rescan's stale finding
    app.conversations.wait_for_writes()
    qtbot.wait(50)  # a second notice would be emitted at once: none comes
    assert [n.kind for n in notes] == ["kept_removed"]
    gate.set()
    app.wait_idle()
    (file,) = app.conversation_files()
    assert contents(file)[-1] == "Still here, still talking."
