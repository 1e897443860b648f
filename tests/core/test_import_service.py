"""The import service (desktop/core/services/importing.py) on real files in a temporary data
folder: new conversations written, the same export twice writes nothing, a bigger one adds only
what is new (and moves the head only when the user has not changed the conversation), the
trash, Cancel, progress, and a damaged source imports what it can."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.models import Conversation, ImportedFrom, Message
from desktop.core.services import importing
from desktop.core.services.importing import Importer, ImportProgress, merge, user_changed
from desktop.core.storage import ConversationStore
from tests.support.exports import generate_chatgpt, showcase_chatgpt, write_chatgpt_zip
from tests.support.tiny_export import BRANCHED, T0, TinyExport, conversation, export, nodes

IMPORTED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "data")


def run(
    store: ConversationStore, *paths: Path, at: datetime = IMPORTED_AT, **kwargs: Any
) -> importing.ImportReport:
    return Importer(store, reading=TinyExport(), clock=lambda: at, **kwargs).run(paths)


def files(store: ConversationStore) -> dict[str, tuple[int, int, int]]:
    """Each file's version: inode, size, modification time (not the access time: reading a
    file moves that, once a second at most)."""
    return {
        p.name: (info.st_ino, info.st_size, info.st_mtime_ns)
        for p in store.folder.glob("*.json")
        for info in (p.stat(),)
    }


def test_a_new_export_is_written_as_new_conversations_with_their_trees(
    store: ConversationStore, tmp_path: Path
) -> None:
    source = export(tmp_path / "export.json", BRANCHED, conversation("c2", "x", "x<:user:Hi"))

    report = run(store, source)

    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    assert report.messages == 4
    assert report.skipped == [] and not report.cancelled and not report.failed
    assert sorted(report.written) == ["imp-c1", "imp-c2"]
    loaded = store.load("imp-c1")
    assert {m.id: m.parent for m in loaded.messages} == {
        "imp-c1-q": None,
        "imp-c1-a1": "imp-c1-q",
        "imp-c1-a2": "imp-c1-q",
    }
    assert loaded.head == "imp-c1-a2"
    assert [m.content for m in loaded.thread()][-1].endswith("regenerated.")
    assert loaded.imported_from == ImportedFrom("chatgpt", "c1", IMPORTED_AT)
    # The list's order is the source's time, not the time of the import.
    assert loaded.updated_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_importing_the_same_export_twice_writes_nothing_the_second_time(
    store: ConversationStore, tmp_path: Path
) -> None:
    source = export(tmp_path / "export.json", BRANCHED)
    run(store, source)
    before = files(store)
    raw = (store.folder / "imp-c1.json").read_bytes()

    again = run(store, source, at=IMPORTED_AT + timedelta(days=1))

    assert (again.new, again.updated, again.unchanged, again.messages) == (0, 0, 1, 0)
    assert again.written == []
    assert files(store) == before  # not even rewritten with the same bytes
    assert (store.folder / "imp-c1.json").read_bytes() == raw


def test_a_bigger_export_adds_only_the_new_messages_and_moves_to_its_branch(
    store: ConversationStore, tmp_path: Path
) -> None:
    run(store, export(tmp_path / "first.json", BRANCHED))
    bigger = dict(BRANCHED)
    bigger["nodes"] = [
        *BRANCHED["nodes"],
        *nodes("q2<a1:user:And a haiku?", "h<q2:assistant:Three lines."),
    ]
    bigger["current"] = "h"
    later = IMPORTED_AT + timedelta(days=3)

    report = run(store, export(tmp_path / "second.json", bigger), at=later)

    assert (report.new, report.updated, report.unchanged, report.messages) == (0, 1, 0, 2)
    loaded = store.load("imp-c1")
    assert [m.id for m in loaded.messages] == [
        "imp-c1-q",
        "imp-c1-a1",
        "imp-c1-a2",
        "imp-c1-q2",
        "imp-c1-h",
    ]
    assert loaded.message("imp-c1-q2").parent == "imp-c1-a1"
    assert loaded.head == "imp-c1-h"
    assert [m.id for m in loaded.thread()] == ["imp-c1-q", "imp-c1-a1", "imp-c1-q2", "imp-c1-h"]
    assert loaded.imported_from is not None and loaded.imported_from.at == later


def test_what_the_user_wrote_in_confab_stays_and_keeps_its_branch(
    store: ConversationStore, tmp_path: Path
) -> None:
    run(store, export(tmp_path / "first.json", BRANCHED))
    # In Confab, the user asks on below the first reply: a new message, a later updated_at.
    mine = store.load("imp-c1")
    mine.switch_to("imp-c1-a1")
    mine.append(Message("mine", "imp-c1-a1", "user", "My own question", IMPORTED_AT))
    mine.title = "Renamed by me"
    mine.updated_at = IMPORTED_AT + timedelta(hours=1)
    store.save(mine)
    bigger = dict(BRANCHED)
    bigger["nodes"] = [*BRANCHED["nodes"], *nodes("q2<a2:user:More?", "r<q2:assistant:Yes.")]
    bigger["current"] = "r"

    report = run(store, export(tmp_path / "second.json", bigger), at=IMPORTED_AT + timedelta(2))

    assert (report.updated, report.messages) == (1, 2)
    loaded = store.load("imp-c1")
    assert loaded.message("mine").content == "My own question"
    assert loaded.title == "Renamed by me"
    assert loaded.head == "mine"  # the user's branch, not the source's
    assert loaded.has_message("imp-c1-r") and loaded.message("imp-c1-r").parent == "imp-c1-q2"
    # Still the user's: the next import does not move the head either.
    assert user_changed(loaded)


def test_a_conversation_in_the_trash_stays_there_and_the_report_says_so(
    store: ConversationStore, tmp_path: Path
) -> None:
    source = export(tmp_path / "export.json", BRANCHED, conversation("c2", "x", "x<:user:Hi"))
    run(store, source)
    store.delete("imp-c1")

    report = run(store, source)

    assert not (store.folder / "imp-c1.json").exists()
    assert (store.trash / "imp-c1.json").exists()
    assert report.in_trash == ["Chat c1"]
    assert [(s.where, s.kind) for s in report.skipped] == [("Chat c1", importing.IN_TRASH)]
    assert report.unchanged == 1


def test_cancel_stops_between_conversations_and_keeps_what_was_imported(
    store: ConversationStore, tmp_path: Path
) -> None:
    many = [conversation(f"c{n}", "x", "x<:user:Hello") for n in range(10)]
    source = export(tmp_path / "export.json", *many)
    written: list[str] = []
    taken: list[int] = [0]

    def progress(p: ImportProgress) -> None:
        taken[0] = p.done

    # Cancel is pressed once the third conversation has been taken.
    report = run(
        store, source, wrote=written.append, progress=progress, cancelled=lambda: taken[0] >= 3
    )

    assert report.cancelled
    assert report.new == 3 and written == report.written
    assert sorted(p.stem for p in store.folder.glob("*.json")) == sorted(written)
    # Importing again later brings the rest.
    rest = run(store, source)
    assert (rest.new, rest.unchanged, rest.cancelled) == (7, 3, False)


def test_progress_counts_the_conversations_of_the_source(
    store: ConversationStore, tmp_path: Path
) -> None:
    four = [conversation(f"c{n}", "x", "x<:user:Hi") for n in range(4)]
    source = export(tmp_path / "export.json", *four)
    seen: list[ImportProgress] = []

    run(store, source, source, progress=seen.append)

    assert seen[0] == ImportProgress(0, 2, 0)
    dones = [(p.source, p.done) for p in seen]
    assert dones == sorted(dones)
    assert (0, 4) in dones and dones[-1] == (1, 4)
    # Each source starts with nothing known, then the reader tells its total.
    assert {p.total for p in seen if p != ImportProgress(p.source, 2, 0)} == {4}


def test_a_damaged_source_imports_what_it_can_and_says_what_it_could_not(
    store: ConversationStore, tmp_path: Path
) -> None:
    partial = conversation("c2", "x", "x<:user:Hi", skipped=[["n7", "voice_note"]])
    source = export(tmp_path / "export.json", BRANCHED, "garbage", partial)
    not_an_export = tmp_path / "notes.json"
    not_an_export.write_text("[1, 2, 3]", encoding="utf-8")

    report = run(store, not_an_export, source, tmp_path / "missing.zip")

    assert report.new == 2
    assert [(s.where, s.why, s.kind) for s in report.skipped] == [
        (str(not_an_export), "not an export Confab reads", importing.NOT_AN_EXPORT),
        ("export.json #2", "a conversation is str, not an object", importing.READER),
        ("Chat c2: n7", "content of type 'voice_note' has no text Confab reads", importing.READER),
        (str(tmp_path / "missing.zip"), "not found", importing.UNREADABLE),
    ]
    assert report.skipped_messages == 1
    assert not report.failed


def test_nothing_but_files_that_are_not_exports_is_a_failed_import(
    store: ConversationStore, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{}", encoding="utf-8")

    report = run(store, junk)

    assert report.failed and report.written == [] and list(store.folder.glob("*.json")) == []


def test_a_newer_or_damaged_file_in_the_library_is_left_alone(
    store: ConversationStore, tmp_path: Path
) -> None:
    source = export(tmp_path / "export.json", BRANCHED, conversation("c2", "x", "x<:user:Hi"))
    newer = {"format": "confab.conversation", "version": 99, "id": "imp-c1", "what": "?"}
    (store.folder / "imp-c1.json").write_text(json.dumps(newer), encoding="utf-8")
    (store.folder / "imp-c2.json").write_text("{ damaged", encoding="utf-8")

    report = run(store, source)

    assert [(s.where, s.kind) for s in report.skipped] == [
        ("Chat c1", importing.NEWER),
        ("Chat c2", importing.DAMAGED),
    ]
    assert json.loads((store.folder / "imp-c1.json").read_text()) == newer
    assert (store.folder / "imp-c2.json").read_text() == "{ damaged"


def test_a_file_changed_between_the_read_and_the_write_is_merged_again(
    store: ConversationStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(store, export(tmp_path / "first.json", BRANCHED))
    bigger = dict(BRANCHED)
    bigger["nodes"] = [*BRANCHED["nodes"], *nodes("q2<a2:user:More?")]
    real = store.read_as_is
    reads: list[int] = []

    def read_then_the_app_writes(path: Path) -> Conversation | None:
        found = real(path)
        if not reads:  # Confab's writer saves the user's message right after this read
            mine = real(path)
            assert mine is not None
            mine.append(Message("mine", mine.head, "user", "Sent meanwhile", IMPORTED_AT))
            store.save(mine)
        reads.append(1)
        return found

    monkeypatch.setattr(store, "read_as_is", read_then_the_app_writes)

    report = run(store, export(tmp_path / "second.json", bigger), at=IMPORTED_AT + timedelta(1))

    assert len(reads) == 2 and report.updated == 1
    loaded = real(store.folder / "imp-c1.json")
    assert loaded is not None
    assert loaded.has_message("mine") and loaded.has_message("imp-c1-q2")


def test_a_conversation_trashed_between_the_read_and_the_write_stays_in_the_trash(
    store: ConversationStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The user deletes it while the import reads it: the retry must not write the imported
    # messages back as a new file beside the trashed one (its own messages are in the trash).
    run(store, export(tmp_path / "first.json", BRANCHED))
    bigger = dict(BRANCHED)
    bigger["nodes"] = [*BRANCHED["nodes"], *nodes("q2<a2:user:More?")]
    real = store.read_as_is

    def read_then_the_user_deletes(path: Path) -> Conversation | None:
        found = real(path)
        if path.exists():
            store.delete("imp-c1")
        return found

    monkeypatch.setattr(store, "read_as_is", read_then_the_user_deletes)

    report = run(store, export(tmp_path / "second.json", bigger), at=IMPORTED_AT + timedelta(1))

    assert not (store.folder / "imp-c1.json").exists()
    assert (store.trash / "imp-c1.json").exists()
    assert report.in_trash == ["Chat c1"] and report.updated == 0 and report.new == 0


def test_merge_moves_the_head_only_while_the_conversation_is_as_the_import_left_it() -> None:
    origin = ImportedFrom("chatgpt", "c1", IMPORTED_AT)
    base = Conversation(
        id="x",
        title="t",
        created_at=T0,
        updated_at=T0,
        head="b",
        messages=[
            Message("a", None, "user", "q", T0),
            Message("b", "a", "assistant", "r1", T0),
            Message("c", "a", "assistant", "r2", T0),
        ],
        imported_from=origin,
    )
    later = replace(base, head="c", messages=list(base.messages))
    now = IMPORTED_AT + timedelta(days=1)

    moved = merge(base, later, now)
    assert moved is not None and moved.head == "c" and len(moved.messages) == 3
    assert moved.imported_from == replace(origin, at=now)

    touched = replace(base, updated_at=IMPORTED_AT + timedelta(hours=1))
    assert merge(touched, later, now) is None  # the user's head; nothing else is new

    same = replace(base, messages=list(base.messages))
    assert merge(base, same, now) is None


# ---- with the real readers (desktop/core/importers) and realistic exports -----------------


def real(store: ConversationStore, *paths: Path, at: datetime = IMPORTED_AT) -> Any:
    return Importer(store, clock=lambda: at).run(paths)


def test_a_chatgpt_zip_imported_twice_has_no_duplicates_and_a_later_one_adds_what_is_new(
    store: ConversationStore, tmp_path: Path
) -> None:
    showcase, names = showcase_chatgpt()
    others = list(generate_chatgpt(3, 6, seed=7))
    first = write_chatgpt_zip(tmp_path / "first.zip", [showcase.to_dict(), *others])

    report = real(store, first)
    assert (report.new, report.updated, report.unchanged) == (4, 0, 0)
    assert not report.failed and not report.cancelled
    before = files(store)
    shown = store.load(report.written[0])
    assert shown.title == "Showcase ✨"
    assert shown.thread()[-1].content == "The spec says it is lossless."

    again = real(store, first, at=IMPORTED_AT + timedelta(days=1))
    assert (again.new, again.updated, again.unchanged, again.messages) == (0, 0, 4, 0)
    assert files(store) == before  # nothing written: not even the same bytes again

    # A month later the user went on with the showcase in ChatGPT, on the edited branch.
    question = showcase.user("And 2**20?", names["a1b"])
    showcase.assistant("1048576.", question)
    later = write_chatgpt_zip(tmp_path / "later.zip", [showcase.to_dict(), *others])

    third = real(store, later, at=IMPORTED_AT + timedelta(days=30))

    assert (third.new, third.updated, third.unchanged, third.messages) == (0, 1, 3, 2)
    updated = store.load(shown.id)
    assert len(updated.messages) == len(shown.messages) + 2
    assert [m.id for m in updated.messages[: len(shown.messages)]] == [m.id for m in shown.messages]
    assert [m.content for m in updated.thread()[-2:]] == ["And 2**20?", "1048576."]
    assert updated.head is not None and updated.head != shown.head


def test_archived_and_starred_come_in_once_and_a_reimport_keeps_the_users_own_flags(
    store: ConversationStore, tmp_path: Path
) -> None:
    from desktop.core.folders import Change

    starred, names = showcase_chatgpt()
    starred.is_archived, starred.is_starred = True, True
    plain = next(iter(generate_chatgpt(1, 4, seed=3)))
    first = write_chatgpt_zip(tmp_path / "first.zip", [starred.to_dict(), plain])
    report = real(store, first)
    assert report.new == 2
    flags = {(c := store.load(cid)).title: (c.archived, c.pinned) for cid in report.written}
    assert flags["Showcase ✨"] == (True, True)
    assert set(flags.values()) == {(True, True), (False, False)}

    # In Confab the user takes the showcase out of the archive and unpins it, and pins the
    # other: organising saves without moving updated_at, as the sidebar's actions do.
    for cid in report.written:
        conversation = store.load(cid)
        mine = conversation.title == "Showcase ✨"
        assert (Change(archived=False, pinned=False) if mine else Change(pinned=True)).apply(
            conversation
        )
        store.save(conversation)

    # A later export: more messages, still archived and starred there, the other not.
    question = starred.user("And 2**20?", names["a1b"])
    starred.assistant("1048576.", question)
    plain["is_archived"] = plain["is_starred"] = False
    later = write_chatgpt_zip(tmp_path / "later.zip", [starred.to_dict(), plain])
    again = real(store, later, at=IMPORTED_AT + timedelta(days=30))
    assert again.updated == 1 and again.messages == 2
    after = {(c := store.load(cid)).title: (c.archived, c.pinned) for cid in report.written}
    assert after["Showcase ✨"] == (False, False)  # the user's, not the export's
    assert sorted(after.values()) == [(False, False), (False, True)]


def test_confab_files_keep_their_ids_and_the_users_own_conversation_only_grows(
    store: ConversationStore, tmp_path: Path
) -> None:
    mine = Conversation(
        id="mine1",
        title="My own",
        created_at=T0,
        updated_at=T0,
        head="m1",
        messages=[Message("m1", None, "user", "Mine", T0)],
    )
    store.save(mine)
    backup = replace(mine, messages=[*mine.messages, Message("m2", "m1", "assistant", "Back", T0)])
    backup.head = "m2"
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "mine1.json").write_text(json.dumps(backup.to_dict()), encoding="utf-8")
    other = replace(mine, id="other1", title="Other", messages=list(mine.messages))
    (folder / "other1.json").write_text(json.dumps(other.to_dict()), encoding="utf-8")

    report = real(store, folder)

    assert (report.new, report.updated, report.messages) == (1, 1, 2)
    grown = store.load("mine1")
    assert [m.id for m in grown.messages] == ["m1", "m2"]
    assert grown.head == "m1"  # the user's own conversation: its head is theirs
    assert grown.imported_from is None  # still the user's own, not an import
    assert store.load("other1").imported_from is not None
