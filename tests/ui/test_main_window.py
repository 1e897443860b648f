"""The real main window, driven as a user drives it, against the loopback OpenAI server."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.controllers.chat import RetryPolicy
from tests.conftest import write_settings
from tests.support.openai_server import Reply


def test_enter_sends_and_the_reply_streams_into_the_window(
    start_chat_app: Any, server_provider: dict[str, Any], openai_server: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    app.window.qtbot = None
    app.type_and_send("What is the capital of France?")
    app.wait_idle()
    assert app.bubbles() == [
        ("user", "What is the capital of France?"),
        ("assistant", "echo[1]: What is the capital of France?"),
    ]
    assert app.window.composer.text() == ""
    assert app.window.composer.edit.hasFocus()
    assert app.window.title_label.text() == "What is the capital of France?"
    request = openai_server.chat_requests()[-1]
    assert request["json"]["model"] == "test-model"
    assert request["json"]["stream"] is True
    (saved,) = app.conversation_files()
    assert saved["format"] == "confab.conversation"
    assert [(m["role"], m["content"]) for m in saved["messages"]] == [
        ("user", "What is the capital of France?"),
        ("assistant", "echo[1]: What is the capital of France?"),
    ]
    assert saved["messages"][1]["finish_reason"] == "stop"
    assert saved["messages"][1]["usage"]["completion_tokens"] > 0
    assert saved["head"] == saved["messages"][1]["id"]


def test_shift_enter_makes_a_new_line_instead_of_sending(
    start_chat_app: Any,
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app = start_chat_app()
    edit = app.window.composer.edit
    qtbot.keyClicks(edit, "line one")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "line two")
    assert edit.toPlainText() == "line one\nline two"
    assert openai_server.chat_requests() == []
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "echo[1]: line one\nline two")


def test_a_follow_up_carries_the_system_prompt_and_the_thread(
    start_chat_app: Any, server_provider: dict[str, Any], openai_server: Any, tmp_path: Path
) -> None:
    app = start_chat_app()
    app.conversations.current.system_prompt = "You are a Song dynasty poet."
    app.type_and_send("Write a line about spring.")
    app.wait_idle()
    app.type_and_send("Now rewrite that in another style.")
    app.wait_idle()
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert sent == [
        {"role": "system", "content": "You are a Song dynasty poet."},
        {"role": "user", "content": "Write a line about spring."},
        {"role": "assistant", "content": "echo[2]: Write a line about spring."},
        {"role": "user", "content": "Now rewrite that in another style."},
    ]
    assert app.bubbles()[-1] == ("assistant", "echo[4]: Now rewrite that in another style.")


def test_escape_stops_a_streaming_reply_and_keeps_the_partial_text(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(Reply(text="word " * 400, chunk_size=5, delay=0.02))
    app = start_app()
    app.type_and_send("Tell me a long story")
    qtbot.waitUntil(lambda: len(app.bubbles()) == 2 and len(app.bubbles()[1][1]) > 20)
    assert app.window.composer.send_button.text() == "Stop"
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Escape)
    app.wait_idle()
    assert app.window.composer.send_button.text() == "Send"
    shown = app.bubbles()[1][1]
    assert 20 < len(shown) < len("word " * 400)
    widget = app.window.chat_view.message_widgets()[1]
    assert widget.status.isVisible() and widget.status.text() == "Stopped"
    (saved,) = app.conversation_files()
    reply = saved["messages"][1]
    assert reply["error"] == "stopped"
    assert reply["content"] == shown


def test_the_stop_button_stops_too(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(Reply(text="x" * 2000, chunk_size=5, delay=0.02))
    app = start_app()
    app.type_and_send("go")
    qtbot.waitUntil(lambda: app.chat.is_streaming(app.conversations.current.id))
    qtbot.waitUntil(lambda: len(app.bubbles()) == 2 and app.bubbles()[1][1] != "")
    qtbot.mouseClick(app.window.composer.send_button, Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert app.conversation_files()[0]["messages"][1]["error"] == "stopped"


def test_a_conversation_is_there_after_a_restart(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    first = start_app(data)
    first.type_and_send("Remember me")
    first.wait_idle()
    first.quit()

    second = start_app(data)
    sidebar = second.window.sidebar
    assert sidebar.model.rowCount() == 1
    assert sidebar.model.index(0).data() == "Remember me"
    sidebar.view.setCurrentIndex(sidebar.model.index(0))
    qtbot.waitUntil(lambda: len(second.bubbles()) == 2)
    assert second.bubbles() == [("user", "Remember me"), ("assistant", "echo[1]: Remember me")]
    # and it goes on in context
    second.type_and_send("And now?")
    second.wait_idle()
    assert second.bubbles()[-1] == ("assistant", "echo[3]: And now?")


def test_the_question_is_on_disk_before_the_reply_arrives(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(Reply(text="late", first_byte_delay=1.0))
    app = start_app()
    app.type_and_send("Do not lose this")
    openai_server.wait_for_requests(1)
    # Read as it is, without waiting for the writer thread: the request left only after the
    # question's write had ended.
    (path,) = (tmp_path / "data" / "conversations").glob("*.json")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["messages"][0]["content"] == "Do not lose this"
    assert app.chat.is_streaming(app.conversations.current.id)
    app.wait_idle()


def test_a_wrong_key_says_what_to_do_and_loses_nothing(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    openai_server.api_key = "sk-right"
    provider = {
        "id": "locked",
        "name": "Locked",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }
    write_settings(tmp_path / "data", [provider])
    app = start_app()
    app.settings.save_provider(app.settings.provider("locked"), "sk-wrong-key-123")
    app.type_and_send("Hello?")
    app.wait_idle()
    banner = app.window.banner
    assert banner.isVisible()
    assert "API key" in banner.text.text()
    assert "Incorrect API key" in banner.detail.text()
    saved = app.conversation_files()[0]["messages"]
    assert saved[0]["content"] == "Hello?"
    assert saved[1]["error"].startswith("AuthenticationError")
    # The key went out as a Bearer header but was never written to the data folder.
    assert (
        openai_server.chat_requests()[-1]["headers"]["authorization"] == "Bearer sk-wrong-key-123"
    )
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert b"sk-wrong-key-123" not in path.read_bytes(), path


def test_an_unreachable_server_is_explained(start_app: Any, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = {
        "id": "gone",
        "name": "Gone",
        "base_url": f"http://127.0.0.1:{port}/v1",
        "default_model": "m",
    }
    write_settings(tmp_path / "data", [provider])
    app = start_app()
    app.type_and_send("Anyone there?")
    app.wait_idle()
    assert "Could not reach the server" in app.window.banner.text.text()
    assert app.conversation_files()[0]["messages"][0]["content"] == "Anyone there?"


def test_rate_limit_server_error_and_a_cut_stream_each_get_a_message(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(
        Reply(status=429, headers={"Retry-After": "7"}),
        Reply(status=500),
        Reply(text="partial answer that breaks", chunk_size=4, cut_after=3),
    )
    app = start_app()
    app.chat.retry_policy = RetryPolicy(attempts=1)  # each failure reaches the user at once
    banner = app.window.banner
    app.type_and_send("one")
    app.wait_idle()
    assert "rate-limiting" in banner.text.text() and "7 s" in banner.text.text()
    app.type_and_send("two")
    app.wait_idle()
    assert "internal error (500)" in banner.text.text()
    app.type_and_send("three")
    app.wait_idle()
    assert "connection dropped" in banner.text.text()
    assert app.bubbles()[-1] == ("assistant", "partial answer that breaks"[:12])
    reply = app.conversation_files()[0]["messages"][-1]
    assert reply["content"] == "partial answer that breaks"[:12]
    assert reply["error"].startswith("StreamInterruptedError")


def test_ctrl_n_starts_a_new_conversation(
    start_chat_app: Any,
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app = start_chat_app()
    app.type_and_send("first chat")
    app.wait_idle()
    first_id = app.conversations.current.id
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert app.conversations.current.id != first_id
    assert app.bubbles() == []
    assert app.window.composer.edit.hasFocus()
    app.type_and_send("second chat")
    app.wait_idle()
    titles = [app.window.sidebar.model.index(r).data() for r in range(2)]
    assert titles == ["second chat", "first chat"]  # newest first


def test_rename_and_delete_from_the_sidebar(
    start_chat_app: Any,
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app = start_chat_app()
    app.type_and_send("to be renamed")
    app.wait_idle()
    sidebar = app.window.sidebar
    sidebar.model.setData(sidebar.model.index(0), "My poem")
    assert sidebar.model.index(0).data() == "My poem"
    assert app.conversation_files()[0]["title"] == "My poem"

    conversation_id = app.conversations.current.id
    sidebar.confirm_delete(conversation_id)
    box = sidebar.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "My poem" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert sidebar.model.rowCount() == 1
    sidebar.confirm_delete(conversation_id)
    delete = next(b for b in sidebar.confirm_box.buttons() if b.text() == "Delete")
    delete.click()
    qtbot.waitUntil(lambda: sidebar.model.rowCount() == 0)
    assert app.conversation_files() == []
    assert (tmp_path / "data" / "trash" / f"{conversation_id}.json").exists()
    assert app.bubbles() == []


def test_the_model_picker_switches_the_conversations_model(
    start_chat_app: Any,
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app = start_chat_app()
    combo = app.window.model_combo
    qtbot.waitUntil(lambda: combo.count() == 2)  # fetched from GET /models
    assert [combo.itemText(i) for i in range(2)] == ["other-model", "test-model"]
    combo.setCurrentIndex(combo.findText("other-model"))
    combo.activated.emit(combo.currentIndex())
    app.type_and_send("hi")
    app.wait_idle()
    assert openai_server.chat_requests()[-1]["json"]["model"] == "other-model"
    assert app.conversation_files()[0]["model"] == "other-model"


def test_window_size_and_splitter_are_remembered(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    first = start_app(data)
    first.window.resize(720, 520)
    first.window.splitter.setSizes([240, 480])
    qtbot.wait(50)
    sizes = first.window.splitter.sizes()
    first.quit()
    stored = json.loads((data / "settings.json").read_text())["window"]
    assert stored["splitter"] == sizes
    second = start_app(data)
    assert second.window.size().width() == 720 and second.window.size().height() == 520
    assert second.window.splitter.sizes() == sizes


def test_first_start_opens_the_provider_dialog(start_app: Any, qtbot: Any) -> None:
    app = start_app()
    qtbot.waitUntil(
        lambda: app.window.provider_dialog is not None and app.window.provider_dialog.isVisible()
    )
    assert QApplication.activeModalWidget() is None  # not modal: the window stays usable


def test_deleting_a_conversation_while_it_streams_does_not_bring_it_back(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(Reply(text="y" * 3000, chunk_size=5, delay=0.01))
    app = start_app()
    app.type_and_send("long one")
    conversation_id = app.conversations.current.id
    qtbot.waitUntil(lambda: len(app.bubbles()) == 2 and app.bubbles()[1][1] != "")
    sidebar = app.window.sidebar
    sidebar.confirm_delete(conversation_id)
    next(b for b in sidebar.confirm_box.buttons() if b.text() == "Delete").click()
    qtbot.waitUntil(lambda: not app.chat.is_streaming(conversation_id))
    # Everything that could still write has had its turn: the stream's task has ended, and
    # the periodic save comes now rather than in up to a second.
    qtbot.waitUntil(lambda: len(app.chat._tasks) == 0)
    app.chat._save_timer.timeout.emit()
    assert app.conversation_files() == []
    assert sidebar.model.rowCount() == 0
    trashed = json.loads((tmp_path / "data" / "trash" / f"{conversation_id}.json").read_text())
    assert trashed["messages"][0]["content"] == "long one"


def test_the_sidebar_keeps_its_selection_while_a_reply_streams(
    start_chat_app: Any,
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app = start_chat_app()
    app.type_and_send("older")
    app.wait_idle()
    app.window.new_conversation()
    openai_server.enqueue(Reply(text="z" * 600, chunk_size=3, delay=0.01))
    app.type_and_send("newer")
    sidebar = app.window.sidebar
    resets: list[int] = []
    sidebar.model.modelReset.connect(lambda: resets.append(1))
    app.wait_idle()
    assert resets == []  # updated in place, not rebuilt, while the reply grew
    assert sidebar.view.currentIndex().data() == "newer"


def test_the_model_titles_the_conversation_after_the_first_reply_but_a_rename_wins(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider], auto_title=True)
    openai_server.enqueue(
        Reply(text="A long answer about spring."), Reply(text='"Spring Poem Ideas."')
    )
    app = start_app()
    app.type_and_send("Give me ideas for a poem about spring, please, with rhymes")
    app.wait_idle()
    sidebar = app.window.sidebar
    qtbot.waitUntil(lambda: sidebar.model.index(0).data() == "Spring Poem Ideas")
    assert app.window.title_label.text() == "Spring Poem Ideas"
    title_request = openai_server.chat_requests()[-1]["json"]
    assert title_request["stream"] is False
    assert "title" in title_request["messages"][0]["content"]
    assert app.conversation_files()[0]["title"] == "Spring Poem Ideas"
    # A second reply does not retitle; a rename sticks.
    sidebar.model.setData(sidebar.model.index(0), "Mine")
    app.type_and_send("more")
    app.wait_idle()
    # A title request would be a task of the chat controller, started as the reply ended.
    qtbot.waitUntil(lambda: len(app.chat._tasks) == 0)
    assert len(openai_server.chat_requests()) == 3
    assert app.conversation_files()[0]["title"] == "Mine"


def test_when_the_title_request_fails_the_first_line_stays(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider], auto_title=True)
    openai_server.enqueue(Reply(text="fine"), Reply(status=500))
    app = start_app()
    edit = app.window.composer.edit
    qtbot.keyClicks(edit, "Question line one")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    app.type_and_send("more detail")
    app.wait_idle()
    qtbot.waitUntil(lambda: len(openai_server.chat_requests()) == 2)
    qtbot.waitUntil(lambda: len(app.chat._tasks) == 0)  # the title request has failed
    assert app.conversation_files()[0]["title"] == "Question line one"
    assert not app.window.banner.isVisible()  # a failed title is no news for the user


def test_the_retry_button_asks_again_after_a_failure(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(Reply(status=503))
    app = start_app()
    app.chat.retry_policy = RetryPolicy(attempts=1)  # the user's Retry, not the automatic one
    app.type_and_send("are you up?")
    app.wait_idle()
    banner = app.window.banner
    assert banner.action_button.isVisible() and banner.action_button.text() == "Retry"
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert not banner.isVisible()
    assert app.bubbles() == [("user", "are you up?"), ("assistant", "echo[1]: are you up?")]


def test_an_unsent_draft_stays_with_its_conversation_across_switches_and_restarts(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    app = start_app(data)
    app.type_and_send("first")
    app.wait_idle()
    first_id = app.conversations.current.id
    qtbot.keyClicks(app.window.composer.edit, "half a thought")
    app.window.new_conversation()
    assert app.window.composer.text() == ""
    app.open(first_id)
    assert app.window.composer.text() == "half a thought"
    app.quit()
    again = start_app(data)
    again.open(first_id)
    assert again.window.composer.text() == "half a thought"
    again.type_and_send(" finished")
    again.wait_idle()
    assert again.bubbles()[-2] == ("user", "half a thought finished")
    assert "draft" not in again.conversation_files()[0]


def test_quitting_with_unsaved_conversations_asks_first(
    start_chat_app: Any,
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    from desktop.core.errors import WriteFailedError

    app = start_chat_app()
    writer = app.conversations._store.writer

    def disk_full(path: Path, data: bytes) -> None:  # in the writer thread
        raise WriteFailedError("No space left on device")

    monkeypatch.setattr(writer, "write", disk_full)
    app.type_and_send("unsaved words")
    app.wait_idle()
    assert "could not save" in app.window.banner.text.text()
    quits: list[int] = []
    app.window.close_requested.connect(lambda: quits.append(1))
    app.window.close()
    box = app.window.quit_box
    assert box is not None and box.isVisible() and quits == []
    next(b for b in box.buttons() if b.text() == "Keep Confab Open").click()
    assert quits == [] and app.window.isVisible()
    app.window.close()
    next(b for b in app.window.quit_box.buttons() if b.text() == "Quit Anyway").click()
    assert quits == [1]


def test_pickers_are_usable_again_in_another_conversation_after_a_stream(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(Reply(text="s" * 400, chunk_size=4, delay=0.01))
    app = start_app()
    app.type_and_send("stream")
    streaming_id = app.conversations.current.id
    qtbot.waitUntil(lambda: app.chat.is_streaming(streaming_id))
    assert not app.window.model_combo.isEnabled()
    app.window.new_conversation()
    assert app.window.model_combo.isEnabled() and app.window.provider_combo.isEnabled()
    qtbot.waitUntil(lambda: not app.chat.is_streaming(streaming_id), timeout=10000)
    app.open(streaming_id)
    assert app.window.model_combo.isEnabled()


def test_deleting_the_open_conversation_leaves_a_fresh_one_ready(
    start_chat_app: Any,
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app = start_chat_app()
    app.type_and_send("bye")
    app.wait_idle()
    app.window.sidebar.delete_requested.emit(app.conversations.current.id)
    assert app.conversations.current is not None
    assert app.bubbles() == []
    assert app.window.composer.edit.hasFocus()


def test_a_sync_conflict_copy_is_announced_and_shown_beside_the_original(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    first = start_app(data)
    first.type_and_send("original")
    first.wait_idle()
    first.quit()
    (saved,) = (data / "conversations").glob("*.json")
    copy = json.loads(saved.read_text())
    copy["title"] = "edited elsewhere"
    (data / "conversations" / f"{saved.stem}.sync-conflict-1.json").write_text(json.dumps(copy))
    app = start_app(data)
    assert app.window.banner.isVisible()
    assert "copy of a conversation" in app.window.banner.text.text()
    titles = sorted(app.window.sidebar.model.index(r).data() for r in range(2))
    assert titles == ["edited elsewhere", "original"]


def test_the_reply_shows_a_countdown_while_a_busy_server_is_retried(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(tmp_path / "data", [server_provider])
    openai_server.enqueue(Reply(status=429, headers={"Retry-After": "2"}))
    app = start_app()
    app.type_and_send("hello?")
    widget = app.window.chat_view.message_widgets
    qtbot.waitUntil(lambda: len(widget()) == 2 and "Trying again in" in widget()[1].status.text())
    assert "attempt 2 of 3" in widget()[1].status.text()
    app.wait_idle(timeout=10_000)
    assert app.bubbles()[-1] == ("assistant", "echo[1]: hello?")
    assert not widget()[1].status.isVisible()
    assert not app.window.banner.isVisible()


def test_a_retry_after_a_refused_connection_says_the_server_was_not_reached(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    from desktop.controllers.chat import RetryPolicy

    data = tmp_path / "data"
    closed = {"id": "p", "name": "Nobody", "base_url": "http://127.0.0.1:9/v1",
              "default_model": "m"}  # fmt: skip
    write_settings(data, [closed])
    app = start_app(data)
    app.chat.retry_policy = RetryPolicy(attempts=2, base_delay=0.01)
    shown: list[str] = []

    def read_status(_c: str, message_id: str, *_rest: Any) -> None:
        widget = app.window.chat_view.message_widget(message_id)
        shown.append(widget.status.text() if widget is not None else "")

    app.chat.retry_scheduled.connect(read_status)  # after the window's own slot
    with qtbot.waitSignal(app.chat.reply_failed, timeout=10_000):
        app.type_and_send("anyone there?")
    assert shown and shown[0].startswith("Could not reach the server. Trying again in")
    assert "busy" not in shown[0]
