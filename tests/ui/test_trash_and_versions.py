"""In the window: Undo right after deleting a conversation, File → Trash to restore later, and
conversations written by a newer Confab shown read-only, their files never touched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox

from tests.conftest import write_settings
from tests.core.test_versions_trash import conversation_data, write


def delete_from_sidebar(app: Any, conversation_id: str) -> None:
    sidebar = app.window.sidebar
    sidebar.confirm_delete(conversation_id)
    delete = next(b for b in sidebar.confirm_box.buttons() if b.text() == "Delete")
    delete.click()


def sidebar_titles(app: Any) -> list[str]:
    model = app.window.sidebar.model
    return [model.index(row).data() for row in range(model.rowCount())]


def test_undo_right_after_deleting_brings_the_conversation_back(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    app.type_and_send("keep me after all")
    app.wait_idle()
    conversation_id = app.conversations.current.id
    delete_from_sidebar(app, conversation_id)
    qtbot.waitUntil(lambda: sidebar_titles(app) == [])
    banner = app.window.banner
    assert banner.isVisible()
    assert "“keep me after all” was moved to the trash" in banner.text.text()
    assert banner.action_button.text() == "Undo"

    banner.action_button.click()

    assert sidebar_titles(app) == ["keep me after all"]
    assert app.conversations.current.id == conversation_id
    assert app.bubbles()[0] == ("user", "keep me after all")
    assert [f["id"] for f in app.conversation_files()] == [conversation_id]
    assert list((tmp_path / "data" / "trash").iterdir()) == []
    assert not banner.isVisible()
    # Still an ordinary conversation: it takes new messages and saves them.
    app.type_and_send("and one more")
    app.wait_idle()
    assert len(app.conversation_files()[0]["messages"]) == 4


def test_the_undo_stays_offered_while_the_next_conversation_opens(
    start_chat_app: Any, qtbot: Any
) -> None:
    app = start_chat_app()
    app.type_and_send("first")
    app.wait_idle()
    app.window.new_conversation()
    app.type_and_send("second")
    app.wait_idle()
    delete_from_sidebar(app, app.conversations.current.id)
    qtbot.waitUntil(lambda: sidebar_titles(app) == ["first"])
    app.open(app.conversations.summaries()[0].id)
    assert app.bubbles()[0] == ("user", "first")
    assert app.window.banner.isVisible()
    assert app.window.banner.action_button.text() == "Undo"


def test_the_undo_goes_once_the_conversation_is_back_from_the_trash(
    start_chat_app: Any, qtbot: Any
) -> None:
    app = start_chat_app()
    app.type_and_send("a poem")
    app.wait_idle()
    delete_from_sidebar(app, app.conversations.current.id)
    qtbot.waitUntil(lambda: sidebar_titles(app) == [])
    assert app.window.banner.action_button.text() == "Undo"
    dialog = app.window.open_trash()
    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    dialog.restore_button.click()
    assert sidebar_titles(app) == ["a poem"]
    assert not app.window.banner.isVisible()  # nothing left to undo


def test_the_trash_dialog_restores_and_deletes_for_good(
    start_chat_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    for text in ("an old poem", "a shopping list"):
        app.window.new_conversation()
        app.type_and_send(text)
        app.wait_idle()
    for summary in list(app.conversations.summaries()):
        delete_from_sidebar(app, summary.id)
    qtbot.waitUntil(lambda: sidebar_titles(app) == [])

    dialog = app.window.open_trash()
    assert dialog.isVisible()
    rows = [dialog.list.topLevelItem(i) for i in range(dialog.list.topLevelItemCount())]
    assert sorted(r.text(0) for r in rows) == ["a shopping list", "an old poem"]
    assert all(r.text(1) == "2" for r in rows)  # question and reply

    poem = next(r for r in rows if r.text(0) == "an old poem")
    dialog.list.setCurrentItem(poem)
    dialog.restore_button.click()
    assert sidebar_titles(app) == ["an old poem"]
    assert app.bubbles()[0] == ("user", "an old poem")
    assert [dialog.list.topLevelItem(0).text(0)] == ["a shopping list"]

    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    dialog.purge_button.click()
    box = dialog.purge_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.list.topLevelItemCount() == 1
    dialog.purge_button.click()
    next(b for b in dialog.purge_box.buttons() if b.text() == "Delete").click()
    assert dialog.list.topLevelItemCount() == 0
    assert dialog.empty.isVisible()
    assert list((tmp_path / "data" / "trash").iterdir()) == []
    assert [f["title"] for f in app.conversation_files()] == ["an old poem"]


def test_a_conversation_from_a_newer_confab_is_read_only_and_its_file_untouched(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    write_settings(data_dir, [server_provider])
    newer = conversation_data("newer1", version=2, reactions={"m2": "👍"})
    raw = write(data_dir / "conversations", "newer1.json", newer)
    unreadable = conversation_data("newer2", version=3, messages={"tree": []})
    write(data_dir / "conversations", "newer2.json", unreadable)

    app = start_app()
    banner = app.window.banner
    assert "1 conversation was saved by a newer version of Confab" in banner.text.text()
    assert "newer2.json" in banner.detail.text()
    assert sidebar_titles(app) == ["Sonnets"]

    app.open("newer1")
    assert app.bubbles() == [("user", "A sonnet, please"), ("assistant", "Shall I compare…")]
    assert "saved by a newer version of Confab" in banner.text.text()
    composer = app.window.composer
    assert composer.edit.isReadOnly() and not composer.send_button.isEnabled()
    reply = app.window.chat_view.message_widgets()[-1]
    visible = [name for name, b in reply.action_buttons.items() if not b.isHidden()]
    assert visible == ["copy"]
    assert not app.window.conversation_settings_action.isEnabled()
    assert not app.window.settings_button.isEnabled()
    assert not app.window.model_combo.isEnabled()
    app.window.update_meter()
    assert app.window.composer.meter.text() == ""  # nothing will be sent: no cost to show

    # Nothing a user might still try changes the file or reaches the server.
    app.window.send("typed anyway")
    app.conversations.rename("newer1", "Renamed")
    app.chat.delete_message(app.conversations.current, "m2")
    app.quit()
    assert (data_dir / "conversations" / "newer1.json").read_bytes() == raw
    assert openai_server.chat_requests() == []


def test_settings_from_a_newer_confab_are_never_overwritten(
    start_app: Any, server_provider: dict[str, Any], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    write_settings(data_dir, [server_provider])
    settings_path = data_dir / "settings.json"
    newer = {**json.loads(settings_path.read_text()), "version": 2, "sync": {"on": True}}
    settings_path.write_text(json.dumps(newer))
    raw = settings_path.read_bytes()

    app = start_app()
    assert "settings were saved by a newer version" in app.window.banner.text.text()
    app.settings.remember_models("local", ["m-1", "m-2"])
    app.quit()  # saves the window's size and place, usually
    assert settings_path.read_bytes() == raw


def test_an_information_banner_is_not_coloured_as_an_error(qtbot: Any, qapp: Any) -> None:
    from desktop.ui.chat_view import Banner
    from desktop.ui.theme import apply_theme

    style = qapp.style().name()
    apply_theme(qapp, Path(__file__).resolve().parents[2] / "resources", dark=False)
    try:
        banner = Banner()
        qtbot.addWidget(banner)
        banner.resize(600, 60)
        check_banner_colours(banner)
    finally:
        qapp.setStyleSheet("")
        qapp.setStyle(style)


def check_banner_colours(banner: Any) -> None:

    def text_colours(level: str) -> set[str]:
        banner.show_message("Something happened", level=level)
        QApplication.processEvents()
        image = banner.text.grab().toImage()
        return {
            image.pixelColor(x, y).name()
            for x in range(0, image.width(), 2)
            for y in range(image.height())
        }

    assert "#7a271a" in text_colours("error")
    info = text_colours("info")  # after an error: restyled, not left red
    assert "#1849a9" in info and "#7a271a" not in info
    assert "#7a2e0e" in text_colours("warning")
