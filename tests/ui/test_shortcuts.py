"""The shortcut registry: defaults, the user's keys on top, conflicts found as Qt reads keys."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from desktop.ui.shortcuts import GLOBAL_QUICK_ASK, ShortcutRegistry, conflicts


def test_the_users_keys_replace_the_defaults_and_reset_brings_them_back(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    registry = ShortcutRegistry(widget)
    new = QAction("&New Conversation…", widget)
    find = QAction("&Find", widget)
    stop = QShortcut(widget)
    registry.register("new_conversation", new, "Ctrl+N")
    registry.register("find", find, QKeySequence.StandardKey.Find)
    registry.register("stop_reply", stop, "Esc", "Stop")

    assert new.shortcut().toString() == "Ctrl+N"
    assert "Ctrl+F" in [k.toString() for k in find.shortcuts()]
    assert stop.key().toString() == "Esc"
    assert [e.label for e in registry.entries()] == ["New Conversation", "Find", "Stop"]

    registry.apply({"new_conversation": "ctrl+shift+j", "find": "", "gone_action": "F9"})
    assert [k.toString() for k in new.shortcuts()] == ["Ctrl+Shift+J"]
    assert find.shortcuts() == []  # no keys at all
    assert stop.key().toString() == "Esc"

    registry.apply({})
    assert [k.toString() for k in new.shortcuts()] == ["Ctrl+N"]
    assert "Ctrl+F" in [k.toString() for k in find.shortcuts()]


def test_conflicts_are_found_however_the_keys_are_written() -> None:
    found = conflicts(
        {
            "new_conversation": ("Ctrl+N",),
            "search": ("ctrl+n",),
            "find": ("Ctrl+F", "Find"),
            "quit": (),
            "about": ("",),
        }
    )
    assert found == {"new_conversation": {"search"}, "search": {"new_conversation"}}


def test_the_global_quick_ask_key_clashes_with_window_actions_but_not_its_own() -> None:
    assert (
        conflicts({GLOBAL_QUICK_ASK: ("Ctrl+Alt+Space",), "quick_ask": ("Ctrl+Alt+Space",)}) == {}
    )
    assert conflicts({GLOBAL_QUICK_ASK: ("Ctrl+K",), "search": ("Ctrl+K",)}) == {
        GLOBAL_QUICK_ASK: {"search"},
        "search": {GLOBAL_QUICK_ASK},
    }


def test_a_translated_menu_text_loses_its_mnemonic_in_the_list(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    registry = ShortcutRegistry(widget)
    registry.register("new_conversation", QAction("新建对话(&N)", widget), "Ctrl+N")
    registry.register("export", QAction("导出(&E)…", widget))
    registry.register("save", QAction("Save && Quit", widget))
    assert [e.label for e in registry.entries()] == ["新建对话", "导出", "Save & Quit"]


def test_declared_keys_are_read_and_a_deleted_target_is_left_out(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    registry = ShortcutRegistry(widget)
    registry.declare("copy_message", "Ctrl+Shift+C", "Copy the Message")
    changes: list[bool] = []
    registry.changed.connect(lambda: changes.append(True))
    assert [k.toString() for k in registry.sequences("copy_message")] == ["Ctrl+Shift+C"]
    message = QWidget(widget)
    per_message = QShortcut(message)
    registry.register("copy_message", per_message)
    assert per_message.key().toString() == "Ctrl+Shift+C"
    assert [e.label for e in registry.entries()] == ["Copy the Message"]

    message.deleteLater()
    qtbot.waitUntil(lambda: not widget.findChildren(QShortcut))
    registry.apply({"copy_message": "Alt+C"})  # the deleted shortcut is not touched
    assert [k.toString() for k in registry.sequences("copy_message")] == ["Alt+C"]
    assert changes == [True]
