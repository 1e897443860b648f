"""Organising in the real window: several conversations selected with Ctrl and Shift and moved
into a new folder, dragged onto a folder, archived out of the list and found under Archive,
pinned to the top, a folder chosen with its sub-folders, several deleted with one Undo."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from desktop.core.views import ALL, ARCHIVE, FOLDER, TAG, ListFilter
from desktop.ui.sidebar import ConversationIdRole, PinnedRole
from tests.conftest import write_settings
from tests.core.test_versions_trash import conversation_data, write

OLD = datetime(2025, 1, 1, tzinfo=UTC)


def write_conversations(data_dir: Path, count: int, **fields_of: dict[str, Any]) -> None:
    """c000 (newest) to c<count-1>, a minute apart; ``fields_of[id]``: more fields."""
    for i in range(count):
        cid = f"c{i:03d}"
        when = (OLD - timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        data = conversation_data(cid, title=f"Conversation {i}", updated_at=when)
        data.update(fields_of.get(cid, {}))
        write(data_dir / "conversations", f"{cid}.json", data)


def listed(app: Any) -> list[str]:
    model = app.window.sidebar.model
    return [model.index(row).data(ConversationIdRole) for row in range(model.rowCount())]


def on_disk(app: Any, conversation_id: str) -> dict[str, Any]:
    app.conversations.wait_for_writes()
    path = app.data_dir / "conversations" / f"{conversation_id}.json"
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def click_row(app: Any, qtbot: Any, conversation_id: str, modifier: Any = None) -> None:
    view = app.window.sidebar.view
    rect = view.visualRect(view.model().index(listed(app).index(conversation_id)))
    modifiers = modifier or Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifiers, rect.center())


def choose(app: Any, qtbot: Any, list_filter: ListFilter) -> None:
    """Click the navigation's entry, and wait for the list to show it."""
    navigation = app.window.sidebar.navigation
    item = navigation.item_of(list_filter)
    assert item is not None, list_filter
    rect = navigation.visualItemRect(item)
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: app.conversations.filter == list_filter)
    app.conversations.wait_for_index()


def action(menu: QMenu, text: str) -> Any:
    found = [a for a in menu.actions() if a.text() == text]
    assert found, [a.text() for a in menu.actions()]
    return found[0]


def count_of(app: Any, list_filter: ListFilter) -> str:
    item = app.window.sidebar.navigation.item_of(list_filter)
    assert item is not None
    return str(item.text(1))


def test_several_selected_with_ctrl_and_shift_move_into_a_new_folder(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 8)
    app = start_app()
    click_row(app, qtbot, "c001")
    click_row(app, qtbot, "c003", Qt.KeyboardModifier.ShiftModifier)
    click_row(app, qtbot, "c006", Qt.KeyboardModifier.ControlModifier)
    sidebar = app.window.sidebar
    assert sidebar.selected_ids() == ["c001", "c002", "c003", "c006"]
    # The last one clicked opens (read in the loading thread); once it has, the selection
    # is still the four, not the one that opened.
    qtbot.waitUntil(lambda: app.window.current is not None and app.window.current.id == "c006")
    app.window._refresh_sidebar()  # (as a save elsewhere does meanwhile)
    assert sidebar.selected_ids() == ["c001", "c002", "c003", "c006"]

    menu = sidebar.organise_menu(sidebar.selected_ids())
    move = action(menu, "Move to Folder").menu()
    action(move, "New Folder…").trigger()
    dialog = sidebar.navigation.name_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.setTextValue("  Clients ")
    dialog.accept()

    moved = ("c001", "c002", "c003", "c006")
    qtbot.waitUntil(lambda: all(app.conversations.summary(c).folder == "Clients" for c in moved))
    for cid in moved:
        assert on_disk(app, cid)["folder"] == "Clients"
    assert "folder" not in on_disk(app, "c004")
    assert json.loads((app.data_dir / "settings.json").read_text())["folders"] == ["Clients"]
    qtbot.waitUntil(lambda: count_of(app, ListFilter(FOLDER, "Clients")) == "4")
    choose(app, qtbot, ListFilter(FOLDER, "Clients"))
    assert listed(app) == ["c001", "c002", "c003", "c006"]
    assert sidebar.list_heading.text() == "Clients"


def test_dragging_conversations_onto_a_folder_moves_them_and_onto_all_takes_them_out(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 5)
    write_settings(tmp_path / "data", [], folders=["Work", "Work/Acme"])
    app = start_app()
    sidebar, navigation = app.window.sidebar, app.window.sidebar.navigation
    click_row(app, qtbot, "c002")
    click_row(app, qtbot, "c004", Qt.KeyboardModifier.ControlModifier)
    model = sidebar.model
    dragged = model.mimeData(sidebar.view.selectionModel().selectedRows())
    acme = navigation.item_of(ListFilter(FOLDER, "Work/Acme"))
    # What the view calls when the rows are dropped on that folder.
    assert navigation.dropMimeData(acme, 0, dragged, Qt.DropAction.MoveAction)
    qtbot.waitUntil(lambda: app.conversations.summary("c004").folder == "Work/Acme")
    assert [on_disk(app, c).get("folder") for c in ("c002", "c004", "c003")] == [
        "Work/Acme",
        "Work/Acme",
        None,
    ]
    qtbot.waitUntil(lambda: count_of(app, ListFilter(FOLDER, "Work")) == "2")
    # The drop ended as a move: what the view does then, take the rows out of its model, is
    # refused (All still lists them), and the conversation on screen stays.
    qtbot.waitUntil(lambda: app.window.current is not None and app.window.current.id == "c004")
    rows = sorted(index.row() for index in sidebar.view.selectionModel().selectedRows())
    assert not model.removeRows(rows[0], 1) and not model.removeRows(rows[1], 1)
    assert listed(app) == ["c000", "c001", "c002", "c003", "c004"]
    assert app.window.current.id == "c004"
    # Not onto a heading, or onto the Archive.
    assert not navigation.dropMimeData(
        navigation.item_of(ListFilter(ARCHIVE)), 0, dragged, Qt.DropAction.MoveAction
    )
    everything = navigation.item_of(ListFilter(ALL))
    one = model.mimeData([model.index(listed(app).index("c002"))])
    assert navigation.dropMimeData(everything, 0, one, Qt.DropAction.MoveAction)
    qtbot.waitUntil(lambda: app.conversations.summary("c002").folder is None)
    assert "folder" not in on_disk(app, "c002")


def test_archived_conversations_leave_the_list_and_show_under_archive(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 4)
    app = start_app()
    sidebar = app.window.sidebar
    menu = sidebar.organise_menu(["c001"])
    action(menu, "Archive").trigger()
    qtbot.waitUntil(lambda: "c001" not in listed(app))
    assert listed(app) == ["c000", "c002", "c003"]
    assert on_disk(app, "c001")["archived"] is True
    qtbot.waitUntil(lambda: count_of(app, ListFilter(ARCHIVE)) == "1")
    assert count_of(app, ListFilter(ALL)) == "3"
    choose(app, qtbot, ListFilter(ARCHIVE))
    assert listed(app) == ["c001"]
    assert sidebar.list_heading.text() == "Archive"
    menu = sidebar.organise_menu(["c001"])
    action(menu, "Unarchive").trigger()
    qtbot.waitUntil(lambda: listed(app) == [])
    assert sidebar.empty_label.isVisible() and sidebar.empty_label.text() == "Nothing here yet."
    choose(app, qtbot, ListFilter(ALL))
    assert listed(app) == ["c000", "c001", "c002", "c003"]


def test_pinned_conversations_stay_on_top_as_others_are_saved(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 6, c004={"pinned": True})
    app = start_app()
    assert listed(app) == ["c004", "c000", "c001", "c002", "c003", "c005"]
    assert app.window.sidebar.model.index(0).data(PinnedRole) is True
    action(app.window.sidebar.organise_menu(["c005"]), "Pin").trigger()
    qtbot.waitUntil(lambda: listed(app)[:2] == ["c004", "c005"])
    # A newer save of an unpinned one goes to the top of the unpinned ones only.
    app.conversations.rename("c003", "Renamed")
    conversation = app.loaded("c002")
    conversation.draft = "x"
    app.conversations.save(conversation)  # touched: now the newest
    qtbot.waitUntil(lambda: listed(app) == ["c004", "c005", "c002", "c000", "c001", "c003"])
    menu = app.window.sidebar.organise_menu(["c004", "c005"])
    action(menu, "Unpin").trigger()
    qtbot.waitUntil(lambda: listed(app)[:1] == ["c002"])
    assert on_disk(app, "c004")["pinned"] is False


def test_a_folder_shows_its_sub_folders_conversations_and_counts_them(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(
        tmp_path / "data",
        5,
        c000={"folder": "Work"},
        c001={"folder": "Work/Acme/2026"},
        c002={"folder": "Workshop"},
        c003={"folder": "Work/Acme", "archived": True},
    )
    app = start_app()
    navigation = app.window.sidebar.navigation
    qtbot.waitUntil(lambda: count_of(app, ListFilter(FOLDER, "Work")) == "2")
    assert count_of(app, ListFilter(FOLDER, "Work/Acme")) == "1"
    assert count_of(app, ListFilter(FOLDER, "Work/Acme/2026")) == "1"
    acme = navigation.item_of(ListFilter(FOLDER, "Work/Acme"))
    assert acme is not None and acme.parent().text(0) == "Work" and acme.text(0) == "Acme"
    choose(app, qtbot, ListFilter(FOLDER, "Work"))
    assert listed(app) == ["c000", "c001"]  # not Workshop's, not the archived one
    assert app.window.sidebar.list_heading.text() == "Work"
    choose(app, qtbot, ListFilter(FOLDER, "Work/Acme"))
    assert listed(app) == ["c001"]
    assert app.window.sidebar.list_heading.text() == "Work › Acme"

    # Renamed: the conversations follow, in their files.
    navigation.ask_rename_folder("Work/Acme")
    dialog = navigation.name_dialog
    dialog.setTextValue("Clients")
    dialog.accept()
    qtbot.waitUntil(lambda: app.conversations.summary("c001").folder == "Work/Clients/2026")
    assert on_disk(app, "c001")["folder"] == "Work/Clients/2026"
    assert on_disk(app, "c003")["folder"] == "Work/Clients"  # archived ones too
    qtbot.waitUntil(lambda: app.conversations.filter == ListFilter(FOLDER, "Work/Clients"))
    app.conversations.wait_for_index()
    assert listed(app) == ["c001"]

    # Deleted: its conversations stay, in no folder.
    navigation.confirm_delete_folder("Work")
    box = navigation.confirm_box
    next(b for b in box.buttons() if b.text() == "Delete Folder").click()
    qtbot.waitUntil(lambda: app.conversations.summary("c000").folder is None)
    qtbot.waitUntil(lambda: app.conversations.summary("c001").folder is None)
    assert "folder" not in on_disk(app, "c001") and on_disk(app, "c002")["folder"] == "Workshop"
    qtbot.waitUntil(lambda: navigation.item_of(ListFilter(FOLDER, "Work")) is None)
    qtbot.waitUntil(lambda: app.conversations.filter == ListFilter(ALL))


def test_several_deleted_at_once_ask_once_and_come_back_with_one_undo(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 5)
    app = start_app()
    sidebar = app.window.sidebar
    click_row(app, qtbot, "c001")
    click_row(app, qtbot, "c003", Qt.KeyboardModifier.ShiftModifier)
    # The list's Delete key (its action's shortcut: offscreen, no window is active for the
    # shortcut map to deliver the key to).
    (delete_key,) = [
        a
        for a in sidebar.view.actions()
        if a.shortcut() == QKeySequence(QKeySequence.StandardKey.Delete)
    ]
    delete_key.trigger()
    box = sidebar.confirm_box
    assert box is not None and box.text() == "Delete 3 conversations?"
    next(b for b in box.buttons() if b.text() == "Delete").click()
    qtbot.waitUntil(lambda: listed(app) == ["c000", "c004"])
    assert sorted(p.stem for p in (app.data_dir / "trash").glob("*.json")) == [
        "c001",
        "c002",
        "c003",
    ]
    banner = app.window.banner
    assert banner.isVisible() and "3 conversations were moved to the trash" in banner.text.text()
    banner.action_button.click()
    qtbot.waitUntil(lambda: listed(app) == ["c000", "c001", "c002", "c003", "c004"])
    assert not list((app.data_dir / "trash").glob("*.json"))


def test_tags_of_several_are_added_and_removed_in_one_dialog_and_export_names_them(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(
        tmp_path / "data",
        3,
        c000={"tags": ["bill", "old"]},
        c001={"tags": ["old"]},
    )
    app = start_app()
    sidebar = app.window.sidebar
    qtbot.waitUntil(lambda: count_of(app, ListFilter(TAG, "old")) == "2")
    action(sidebar.organise_menu(["c000", "c001"]), "Tags…").trigger()
    dialog = sidebar.tags_dialog
    assert dialog is not None and dialog.isVisible()
    states = {
        dialog.list.item(r).text(): dialog.list.item(r).checkState()
        for r in range(dialog.list.count())
    }
    assert states == {"bill": Qt.CheckState.PartiallyChecked, "old": Qt.CheckState.Checked}
    dialog.new_tag.setText("  旅行 ")  # (QTest cannot type CJK)
    qtbot.keyClick(dialog.new_tag, Qt.Key.Key_Return)
    old = next(
        dialog.list.item(r)
        for r in range(dialog.list.count())
        if dialog.list.item(r).text() == "old"
    )
    old.setCheckState(Qt.CheckState.Unchecked)
    dialog.accept()
    qtbot.waitUntil(lambda: app.conversations.summary("c001").tags == ("旅行",))
    assert on_disk(app, "c000")["tags"] == ["bill", "旅行"]  # "bill" left as it was
    assert on_disk(app, "c001")["tags"] == ["旅行"]
    assert "tags" not in on_disk(app, "c002")  # not selected: its file untouched
    qtbot.waitUntil(lambda: count_of(app, ListFilter(TAG, "旅行")) == "2")
    assert app.window.sidebar.navigation.item_of(ListFilter(TAG, "old")) is None
    choose(app, qtbot, ListFilter(TAG, "bill"))
    assert listed(app) == ["c000"]

    exported: list[list[str]] = []
    sidebar.export_requested.connect(exported.append)
    action(sidebar.organise_menu(["c000"]), "Export…").trigger()
    assert exported == [["c000"]]


def test_a_conversation_started_in_a_folder_is_filed_there(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_conversations(tmp_path / "data", 2, c001={"folder": "Work"})
    app = start_chat_app()
    qtbot.waitUntil(lambda: count_of(app, ListFilter(FOLDER, "Work")) == "1")
    choose(app, qtbot, ListFilter(FOLDER, "Work"))
    app.window.new_conversation()
    app.type_and_send("plans for the offsite")
    app.wait_idle()
    new = app.conversations.current
    assert on_disk(app, new.id)["folder"] == "Work"
    qtbot.waitUntil(lambda: listed(app) == [new.id, "c001"])


def test_quitting_while_a_change_to_many_is_still_being_read_saves_every_one(
    start_app: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import threading

    from desktop.core.folders import Change

    write_conversations(tmp_path / "data", 40)
    app = start_app()
    qtbot.waitUntil(lambda: len(listed(app)) == 40)
    library = app.conversations._library
    # The loading thread reads nothing until the quit waits for it: every change is still
    # to be read when the window closes.
    quitting = threading.Event()
    load = library.store.load

    def held_load(conversation_id: str) -> Any:
        if not quitting.wait(10):  # (only when the quit does not wait: the test fails)
            quitting.set()
        return load(conversation_id)

    monkeypatch.setattr(library.store, "load", held_load)
    wait_for_loads = library.wait_for_loads

    def quit_waits() -> None:
        quitting.set()
        wait_for_loads()

    monkeypatch.setattr(library, "wait_for_loads", quit_waits)
    app.conversations.change(listed(app), Change(archived=True, add_tags=("done",)))
    assert not quitting.is_set()

    app.quit()

    for i in range(40):
        data = json.loads((app.data_dir / "conversations" / f"c{i:03d}.json").read_text("utf-8"))
        assert data["archived"] is True and data["tags"] == ["done"], i
