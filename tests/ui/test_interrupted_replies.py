"""A reply cut short, by a dropped connection or by Confab itself dying mid-reply, keeps its
text, says so, and can be continued from where it stopped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.conftest import write_settings
from tests.core.test_versions_trash import conversation_data, write
from tests.support.openai_server import Reply


def last_widget(app: Any) -> Any:
    return app.window.chat_view.message_widgets()[-1]


def test_a_reply_cut_by_a_crash_says_so_after_a_restart_and_can_be_continued(
    start_app: Any, server_provider: dict[str, Any], openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    write_settings(data_dir, [server_provider])
    # As the periodic save left it when the process was killed: text so far, still streaming.
    saved = conversation_data("cut1")
    saved["messages"][1].update(content="Shall I compare thee", streaming=True)
    write(data_dir / "conversations", "cut1.json", saved)
    openai_server.enqueue(Reply(text=" to a summer's day?"))

    app = start_app()
    app.open("cut1")
    widget = last_widget(app)
    qtbot.waitUntil(widget.isVisible)
    assert widget.status.isVisible()
    assert widget.status.text() == "Interrupted: Confab closed before the reply finished."
    button = widget.action_buttons["continue"]
    assert button.isVisible()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "Shall I compare thee to a summer's day?")
    assert not last_widget(app).status.isVisible()
    (on_disk,) = app.conversation_files()
    reply = on_disk["messages"][-1]
    assert reply["error"] is None and "streaming" not in reply
    assert openai_server.chat_requests()[-1]["json"]["messages"][-2] == {
        "role": "assistant",
        "content": "Shall I compare thee",
    }


def test_a_connection_dropped_mid_reply_offers_retry_and_continue(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = start_chat_app()
    openai_server.enqueue(
        Reply(text="one two three four five six", chunk_size=4, cut_after=2),
        Reply(text=" three four five six"),
    )
    app.type_and_send("count")
    app.wait_idle()
    banner = app.window.banner
    assert banner.isVisible()
    assert banner.action_button.text() == "Retry"
    assert banner.second_button.text() == "Continue"
    cut = app.bubbles()[-1][1]
    assert cut == "one two "
    assert last_widget(app).action_buttons["continue"].isVisible()

    banner.second_button.click()
    app.wait_idle()
    assert app.bubbles()[-1] == ("assistant", "one two  three four five six")
    messages = json.loads(json.dumps(app.conversation_files()[0]["messages"]))
    assert len(messages) == 2 and messages[-1]["error"] is None
