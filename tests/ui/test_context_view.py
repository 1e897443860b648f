"""What the model will see, visible and steerable in the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.support.openai_server import Reply


def _chat(app: Any, *questions: str) -> None:
    for question in questions:
        app.type_and_send(question)
        app.wait_idle()


def test_a_message_budget_marks_what_is_left_out_and_pins_override_it(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("gpt-4o-mini")
    _chat(app, "one", "two", "three")
    dialog = app.window.open_conversation_settings()
    dialog.max_messages.setValue(2)
    dialog.accept()
    widgets = app.window.chat_view.message_widgets()
    qtbot.waitUntil(lambda: widgets[0].context_note.isVisible())
    # The next send carries the draft plus the two newest messages.
    assert [w.context_note.isVisible() for w in widgets] == [True, True, True, True, False, False]
    qtbot.mouseClick(widgets[0].action_buttons["pin"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not widgets[0].context_note.isVisible())
    app.type_and_send("four")
    app.wait_idle()
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    # Pinned "one", then the newest that fit the budget of two: the last reply and the question.
    assert [m["content"] for m in sent] == ["one", "echo[5]: three", "four"]
    saved = app.conversation_files()[0]
    assert saved["context"] == {"max_messages": 2, "max_tokens": None}
    assert saved["messages"][0]["pinned"] is True


def test_an_excluded_message_is_never_sent_and_says_so(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("gpt-4o-mini")
    _chat(app, "secret draft", "real question")
    first = app.window.chat_view.message_widgets()[0]
    qtbot.mouseClick(first.action_buttons["exclude"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: first.context_note.isVisible())
    assert first.context_note.text() == "Not sent: excluded"
    app.type_and_send("follow-up")
    app.wait_idle()
    contents = [m["content"] for m in openai_server.chat_requests()[-1]["json"]["messages"]]
    assert "secret draft" not in contents and contents[-1] == "follow-up"


def test_context_too_long_offers_to_send_fewer_messages(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("gpt-4o-mini")
    _chat(app, "a", "b", "c")
    openai_server.enqueue(
        Reply(
            status=400,
            body='{"error": {"message": "This model\'s maximum '
            'context length is 8192 tokens", '
            '"code": "context_length_exceeded"}}',
        )
    )
    app.type_and_send("d")
    app.wait_idle()
    banner = app.window.banner
    assert "too long" in banner.text.text()
    assert banner.action_button.text() == "Send Fewer Messages"
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    app.wait_idle()
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert len(sent) == 3 and sent[-1]["content"] == "d"  # 7 were sent before; now half
    assert app.bubbles()[-1] == ("assistant", "echo[3]: d")
    assert app.bubbles()[0] == ("user", "a")  # still on screen and in the file


def test_context_too_long_can_summarize_the_older_messages_and_retry(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("gpt-4o-mini")
    _chat(app, "alpha", "beta", "gamma")
    openai_server.enqueue(
        Reply(status=400, body='{"error": {"message": "maximum context length exceeded"}}'),
        Reply(text="They discussed alpha and beta."),  # the summary (non-streaming request)
    )
    app.type_and_send("delta")
    app.wait_idle()
    banner = app.window.banner
    assert banner.second_button.text() == "Summarize Older Messages"
    qtbot.mouseClick(banner.second_button, Qt.MouseButton.LeftButton)
    # Summary + the four newest messages kept as they are (the failed empty reply is gone).
    qtbot.waitUntil(lambda: app.bubbles()[-1] == ("assistant", "echo[5]: delta"), timeout=10000)
    summary_request, retried = openai_server.chat_requests()[-2:]
    assert summary_request["json"]["stream"] is False
    assert "alpha" in summary_request["json"]["messages"][1]["content"]
    sent = retried["json"]["messages"]
    assert sent[0]["role"] == "system" and "They discussed alpha and beta." in sent[0]["content"]
    assert [m["content"] for m in sent[1:]] == ["echo[3]: beta", "gamma", "echo[5]: gamma", "delta"]
    saved = app.conversation_files()[0]
    assert saved["summary"]["text"] == "They discussed alpha and beta."
    first = app.window.chat_view.message_widgets()[0]
    qtbot.waitUntil(lambda: first.context_note.isVisible())
    assert first.context_note.text() == "Not sent: summarized"
    assert app.bubbles()[0] == ("user", "alpha")  # still on screen
