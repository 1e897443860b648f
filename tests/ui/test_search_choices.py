"""The search panel's folder and tag filters offer the library's folders and tags (those the
user made too), kept current as the navigation's counts change; choosing one filters the hits
(the real window)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox

from desktop.core.folders import Change
from desktop.core.models import Message


def _items(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(1, combo.count())]  # after "Any …"


def _choose(combo: QComboBox, text: str) -> None:
    """As picking it in the popup does."""
    at = combo.findText(text)
    assert at > 0, (text, _items(combo))
    combo.setCurrentIndex(at)
    combo.activated.emit(at)


def _found(panel: Any) -> set[str]:
    return {panel.model.hit(row).conversation_id for row in range(panel.model.rowCount())}


def _walruses(conversations: Any, models: list[str]) -> list[str]:
    """A conversation per model, each with a message about a walrus; their ids, indexed."""
    ids = []
    for n, model in enumerate(models):
        conversation = conversations.new_conversation("openai", model)
        when = datetime(2026, 5, 1 + n, tzinfo=UTC)
        conversation.append(Message(f"m{n}", None, "user", f"a walrus number {n}", when))
        assert conversations.save(conversation)
        ids.append(conversation.id)
    conversations.wait_for_index()
    return ids


def test_the_folder_and_tag_filters_list_what_exists_and_filter_the_hits(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app = start_app(tmp_path / "data")
    conversations = app.conversations
    ids = _walruses(conversations, ["gpt-4o", "qwen-max", "qwen-max"])
    app.settings.add_folder("Empty one")
    conversations.change([ids[0]], Change(folder="Work/Acme"))
    qtbot.waitUntil(lambda: "Work/Acme" in conversations.tally.folders, timeout=10_000)

    app.window.open_search("walrus")
    panel = app.window.search_panel
    qtbot.waitUntil(lambda: len(_found(panel)) == 3, timeout=10_000)
    panel.filters_button.click()
    assert _items(panel.folder_combo) == ["Empty one", "Work", "Work/Acme"]
    assert _items(panel.tag_combo) == []
    # A tag made while the panel is open: the tag filter offers it as the counts change.
    conversations.change([ids[1], ids[2]], Change(add_tags=("poetry",)))
    qtbot.waitUntil(lambda: _items(panel.tag_combo) == ["poetry"], timeout=10_000)
    assert panel.folder_combo.isEditable() and panel.tag_combo.isEditable()
    # And a folder made while it is open (empty yet): offered at once too.
    app.settings.add_folder("Made just now")
    assert _items(panel.folder_combo) == ["Empty one", "Made just now", "Work", "Work/Acme"]

    _choose(panel.folder_combo, "Work")  # a folder holds its sub-folders' conversations
    qtbot.waitUntil(lambda: _found(panel) == {ids[0]}, timeout=10_000)
    assert panel.filters().folder == "Work"
    panel.reset_filters()
    qtbot.waitUntil(lambda: len(_found(panel)) == 3, timeout=10_000)
    _choose(panel.tag_combo, "poetry")
    qtbot.waitUntil(lambda: _found(panel) == {ids[1], ids[2]}, timeout=10_000)
    assert panel.filters_button.text() == "Filters (1)"


def test_the_model_filter_offers_the_models_the_library_uses(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app = start_app(tmp_path / "data")
    ids = _walruses(app.conversations, ["qwen-max", "llama3.1:8b-test", "qwen-max"])
    app.window.open_search("walrus")
    panel = app.window.search_panel
    qtbot.waitUntil(lambda: "llama3.1:8b-test" in _items(panel.model_combo), timeout=10_000)
    offered = _items(panel.model_combo)
    assert "qwen-max" in offered and offered.count("qwen-max") == 1
    assert offered == sorted(offered, key=lambda m: (m.casefold(), m))
    qtbot.waitUntil(lambda: len(_found(panel)) == 3, timeout=10_000)
    _choose(panel.model_combo, "llama3.1:8b-test")
    qtbot.waitUntil(lambda: _found(panel) == {ids[1]}, timeout=10_000)
