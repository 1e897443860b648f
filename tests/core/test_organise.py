"""Folders, tags and the archive in the files, in settings.json and in the index: what a user
files away is written, read back and listed as they left it, and old files and indexes keep
working."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.core import folders
from desktop.core.folders import Change
from desktop.core.index import (
    INDEX_NAME,
    SCHEMA_VERSION,
    ConversationIndex,
    Library,
    ListRow,
    summary_of,
)
from desktop.core.models import Conversation
from desktop.core.settings import Settings, SettingsStore
from desktop.core.storage import ConversationStore
from desktop.core.views import ALL, ARCHIVE, FOLDER, TAG, ListFilter, tally
from tests.core.test_versions_trash import conversation_data, write
from tests.support.old_index import downgrade_to_version_2

T0 = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
FORMAT1 = Path(__file__).parents[1] / "data" / "format1"


def test_folder_and_archived_are_written_and_read_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = Conversation("abc", "Acme's invoice", T0, T0, tags=["work", "账单"])
    conversation.folder = "Work/Clients/Acme"
    conversation.archived = True
    store.save(conversation)
    raw = json.loads((tmp_path / "conversations" / "abc.json").read_text("utf-8"))
    assert raw["folder"] == "Work/Clients/Acme" and raw["archived"] is True
    assert raw["tags"] == ["work", "账单"]
    again = ConversationStore(tmp_path).load("abc")
    assert (again.folder, again.archived, again.tags) == (
        "Work/Clients/Acme",
        True,
        ["work", "账单"],
    )
    assert again.extra == {}

    # Back out of the folder and the archive: the fields leave the file.
    again.folder, again.archived = None, False
    store.save(again)
    raw = json.loads((tmp_path / "conversations" / "abc.json").read_text("utf-8"))
    assert "folder" not in raw and "archived" not in raw


def test_a_folder_in_a_file_is_read_trimmed_and_a_bad_one_is_a_damaged_field(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "conversations"
    write(folder, "a.json", conversation_data("a", folder=" Work // Acme  Corp "))
    write(folder, "b.json", conversation_data("b", folder="/"))
    write(folder, "c.json", conversation_data("c", folder=["Work"], archived="yes"))
    store = ConversationStore(tmp_path)
    assert store.load("a").folder == "Work/Acme Corp"
    assert store.load("b").folder is None
    damaged = store.load("c")
    assert (damaged.folder, damaged.archived) == (None, False)
    assert (tmp_path / "backups" / "c.damaged.json").exists()  # the file as it was is kept


def test_files_of_before_folders_open_in_no_folder_and_not_archived(tmp_path: Path) -> None:
    shutil.copytree(FORMAT1, tmp_path / "data", ignore=shutil.ignore_patterns("*.py", "*.md"))
    conversations, _quarantined = ConversationStore(tmp_path / "data").load_all()
    assert conversations
    assert all(c.folder is None and not c.archived for c in conversations)
    # A "folder" an older Confab kept in its extra is now the typed attribute.
    write(tmp_path / "old" / "conversations", "f.json", conversation_data("f", folder="Notes"))
    old = ConversationStore(tmp_path / "old").load("f")
    assert old.folder == "Notes" and "folder" not in old.extra
    assert folders.clean_path("Notes") == old.folder


def test_settings_keep_the_folders_the_user_made(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.save(Settings(folders=["Work", "Work/Clients", "旅行"]))
    assert json.loads((tmp_path / "settings.json").read_text("utf-8"))["folders"] == [
        "Work",
        "Work/Clients",
        "旅行",
    ]
    assert store.load().folders == ["Work", "Work/Clients", "旅行"]
    # Hand-edited: trimmed, repeats and what is not a path left out (and said).
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {"format": "confab.settings", "version": 1, "folders": [" Work ", "Work", 3, ""]}
        ),
        encoding="utf-8",
    )
    settings = store.load()
    assert settings.folders == ["Work"]
    assert store.problems
    # None made: the field is not written.
    store.save(Settings())
    assert "folders" not in json.loads((tmp_path / "settings.json").read_text("utf-8"))


def test_folder_names_and_paths() -> None:
    assert folders.clean_name("  Clients  ") == "Clients"
    assert folders.clean_name("a/b") is None and folders.clean_name("   ") is None
    assert folders.join(None, "Work") == "Work" and folders.join("Work", "Acme") == "Work/Acme"
    assert folders.is_within("Work/Acme", "Work") and not folders.is_within("Workshop", "Work")
    assert folders.moved("Work/Acme/2026", "Work/Acme", "Clients/Acme") == "Clients/Acme/2026"
    assert folders.moved("Workshop", "Work", None) == "Workshop"
    assert folders.moved("Work/Acme", "Work", None) is None
    assert folders.all_folders(["b/c", None, "A"]) == ["A", "b", "b/c"]


def test_a_change_to_many_applies_to_each() -> None:
    c = Conversation("x", "t", T0, T0, tags=["a"], folder="Work/Acme")
    assert Change(pinned=True, add_tags=("b", "a"), remove_tags=("a",)).apply(c)
    assert c.pinned and c.tags == ["b", "a"]  # removed first, then added at the end
    assert not Change(pinned=True).apply(c)  # nothing to change
    assert Change(rename_folder=("Work", "Jobs")).apply(c) and c.folder == "Jobs/Acme"
    assert Change(rename_folder=("Jobs", None)).apply(c) and c.folder is None
    assert Change(folder="Home").apply(c) and c.folder == "Home"
    assert Change(folder=folders.NO_FOLDER, archived=True).apply(c)
    assert c.folder is None and c.archived


def _row(n: int, **fields: object) -> ListRow:
    c = Conversation(f"c{n:02d}", f"Row {n}", T0, T0.replace(minute=n), **fields)  # type: ignore[arg-type]
    return summary_of(c)


def test_views_put_pinned_on_top_and_filter_folders_tags_and_the_archive() -> None:
    order = sorted(
        [
            _row(1),
            _row(2, pinned=True),
            _row(3, folder="Work"),
            _row(4, folder="Work/Acme", tags=["bill"]),
            _row(5, archived=True, folder="Work"),
            _row(6, tags=["bill", "旅行"]),
            _row(7, folder="Workshop", pinned=True),
        ]
    )

    def shown(kind: str, value: str | None = None) -> list[str]:
        return [r.id for r in ListFilter(kind, value).build(order)[::-1]]

    assert shown(ALL) == ["c07", "c02", "c06", "c04", "c03", "c01"]
    assert shown(FOLDER, "Work") == ["c04", "c03"]  # and its sub-folder, not "Workshop"
    assert shown(TAG, "bill") == ["c06", "c04"]
    assert shown(ARCHIVE) == ["c05"]

    counts = tally(order)
    assert (counts.all, counts.archived) == (6, 1)
    assert counts.folders == {"Work": 2, "Work/Acme": 1, "Workshop": 1}
    assert counts.tags == {"bill": 2, "旅行": 1}

    # A row that changes is placed where the whole view would have put it.
    view_filter = ListFilter(ALL)
    view = view_filter.build(order)
    old = next(r for r in order if r.id == "c03")
    new = _row(3, folder="Work", pinned=True)
    assert view_filter.place(view, old, new)
    archived = _row(6, tags=["bill", "旅行"], archived=True)
    assert view_filter.place(view, next(r for r in order if r.id == "c06"), archived)
    rebuilt = sorted([*(r for r in order if r.id not in ("c03", "c06")), new, archived])
    assert view == view_filter.build(rebuilt)
    assert [r.id for r in view[::-1]][:3] == ["c07", "c03", "c02"]


def test_the_index_lists_folder_tags_and_archived_as_saved(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    saved = [
        Conversation("a", "A", T0, T0, folder="Work/Acme", tags=["bill"], archived=True),
        Conversation("b", "B", T0, T0.replace(minute=1), pinned=True),
    ]
    for conversation in saved:
        store.save(conversation)
    index = ConversationIndex(store)
    index.open()
    index.reconcile()
    rows = {r.id: r for r in index.summaries()}
    index.close()
    for conversation in saved:
        assert rows[conversation.id] == summary_of(conversation)
    assert rows["a"].tags == ("bill",) and rows["a"].archived and rows["a"].folder == "Work/Acme"
    assert rows["b"].tags_json is None and rows["b"].tags == () and rows["b"].pinned


def test_an_index_of_version_2_gains_the_archive_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(tmp_path)
    for n in range(5):
        store.save(Conversation(f"c{n}", f"C{n}", T0, T0.replace(minute=n), folder="Work"))
    index = ConversationIndex(store)
    index.open()
    index.reconcile()
    index.close()
    downgrade_to_version_2(tmp_path / INDEX_NAME)
    read: list[Path] = []
    real = store.load_listed
    monkeypatch.setattr(store, "load_listed", lambda path: read.append(path) or real(path))
    library = Library(store)
    try:
        listing = library.open().result()
        assert library.index.migrated
        assert [r.id for r in listing.order] == ["c0", "c1", "c2", "c3", "c4"]
        assert all(r.folder == "Work" and not r.archived for r in listing.order)
        library.reconcile().result()
        assert read == []  # the list and its folders came from the old rows
    finally:
        library.close()
    db = sqlite3.connect(tmp_path / INDEX_NAME)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT updated_us, id, title, pinned, folder, tags, archived "
            "FROM conversations ORDER BY updated_us DESC, id DESC"
        ).fetchall()
        assert "COVERING INDEX conversations_listed" in " ".join(str(p) for p in plan)
    finally:
        db.close()
