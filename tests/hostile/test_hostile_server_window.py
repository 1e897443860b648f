"""The real window against a hostile loopback server: a gzip bomb, a line that never ends, a
flood, Stop during a flood, odd usage, a captive portal's page, JSON, content as parts. Each
time the app stays alive (the next message goes through), the good text is kept on screen and
on disk, and the banner says what happened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.controllers.chat import RetryPolicy
from tests.conftest import RunningApp, write_settings
from tests.support.openai_server import PORTAL_PAGE, OpenAIServer, Reply

GIB = 1 << 30


def ask(app: RunningApp, reply: Reply, server: OpenAIServer, text: str = "Hello?") -> None:
    server.enqueue(reply)
    app.type_and_send(text)
    app.wait_idle(timeout=60_000)


def saved_reply(app: RunningApp) -> dict[str, Any]:
    conversation = app.conversations.current
    assert conversation is not None
    app.conversations.wait_for_writes()  # the writer thread's, asked for so far
    path = app.data_dir / "conversations" / f"{conversation.id}.json"
    messages = json.loads(path.read_text(encoding="utf-8"))["messages"]
    return {m["id"]: m for m in messages}[conversation.head]


def still_alive(app: RunningApp, server: OpenAIServer) -> None:
    """The next question gets its answer, in the same window."""
    ask(app, Reply(text="Still here."), server, "Are you still there?")
    assert app.bubbles()[-1] == ("assistant", "Still here.")
    assert not app.window.banner.isVisible()


def banner(app: RunningApp) -> tuple[str, str]:
    assert app.window.banner.isVisible()
    return app.window.banner.text.text(), app.window.banner.detail.text()


def test_a_gzip_bomb_keeps_the_text_and_says_the_server_sent_too_much(
    start_chat_app: Any, openai_server: OpenAIServer
) -> None:
    app = start_chat_app()
    ask(app, Reply(text="The good part of the answer.", gzip_bomb=GIB), openai_server)
    assert app.bubbles()[-1] == ("assistant", "The good part of the answer.")
    text, detail = banner(app)
    assert "far more data than Confab accepts" in text and "text received so far is kept" in text
    assert detail == "the server sent more than 64 MiB for one reply: stopped"
    saved = saved_reply(app)
    assert saved["content"] == "The good part of the answer."
    assert saved["error"].startswith("ResponseTooLargeError: the server sent more than 64 MiB")
    widget = app.window.chat_view.message_widgets()[-1]
    assert "far more data" in widget.status.text()  # the marker under the reply says so too
    still_alive(app, openai_server)


def test_a_line_that_never_ends_is_stopped_by_the_silence_timeout(
    start_app: Any, server_provider: dict[str, Any], openai_server: OpenAIServer, tmp_path: Path
) -> None:
    # Bytes keep coming, a byte every 10 ms, but no line ever ends.
    provider = {**server_provider, "network": {"timeouts": {"silence": 0.5}}}
    write_settings(tmp_path / "data", [provider])
    app = start_app()
    reply = Reply(text="Started, then", chunk_size=8, long_line=100, endless_line=True)
    ask(app, reply, openai_server)
    assert app.bubbles()[-1] == ("assistant", "Started,")
    text, _ = banner(app)
    assert "stopped for 0.5 s (silence timeout)" in text
    assert saved_reply(app)["content"] == "Started,"
    still_alive(app, openai_server)


def test_a_captive_portal_page_is_called_a_web_page_not_an_empty_reply(
    start_chat_app: Any, openai_server: OpenAIServer
) -> None:
    app = start_chat_app()
    app.chat.retry_policy = RetryPolicy(attempts=1)
    ask(app, Reply(body=PORTAL_PAGE), openai_server)
    text, detail = banner(app)
    assert "answered with a web page, not a chat stream: a captive portal or wrong address?" in (
        text
    )
    assert "without any text" not in text
    assert detail.startswith('a web page titled "Sign in to Airport Free Wi-Fi": <!DOCTYPE html>')
    assert saved_reply(app)["error"].startswith("WebPageReplyError")
    still_alive(app, openai_server)


def test_json_where_the_stream_should_be_is_called_json_with_an_excerpt(
    start_chat_app: Any, openai_server: OpenAIServer
) -> None:
    app = start_chat_app()
    body = json.dumps({"status": "ok", "service": "gateway", "version": "2.1"})
    ask(app, Reply(body=body), openai_server)
    text, detail = banner(app)
    assert "answered with JSON that is not a chat reply" in text
    assert detail == '{"status": "ok", "service": "gateway", "version": "2.1"}'
    still_alive(app, openai_server)


def test_content_sent_as_a_list_of_parts_is_shown_and_kept(
    start_chat_app: Any, openai_server: OpenAIServer
) -> None:
    app = start_chat_app()
    ask(app, Reply(text="Every part of it.", content_parts=True, chunk_size=3), openai_server)
    assert app.bubbles()[-1] == ("assistant", "Every part of it.")
    assert not app.window.banner.isVisible()
    assert saved_reply(app)["content"] == "Every part of it."


def test_odd_usage_leaves_a_complete_reply_complete(
    start_chat_app: Any, openai_server: OpenAIServer, qtbot: Any
) -> None:
    app = start_chat_app()
    odd: list[Any] = [
        {"prompt_tokens": "12", "completion_tokens": "30", "total_tokens": "42"},
        {"prompt_tokens": float("inf"), "completion_tokens": -3, "total_tokens": float("nan")},
        {"prompt_tokens": 10**14, "completion_tokens": 10**14, "total_tokens": 2 * 10**14},
        "lots",
    ]
    for number, usage in enumerate(odd):
        ask(app, Reply(text=f"Answer {number}.", usage_raw=usage), openai_server, f"Q{number}")
        assert app.bubbles()[-1] == ("assistant", f"Answer {number}.")
        assert not app.window.banner.isVisible(), app.window.banner.text.text()
        saved = saved_reply(app)
        assert saved["finish_reason"] == "stop" and saved.get("error") is None
        counts = saved["usage"]
        assert all(
            isinstance(counts[k], int) and 0 <= counts[k] < 10**15
            for k in ("prompt_tokens", "completion_tokens", "total_tokens")
        )
    # Read as sent where they are counts; estimated (and said so) where nothing usable came.
    widgets = app.window.chat_view.message_widgets()
    assert widgets[1].usage.text().startswith("12 in · 30 out")
    assert "≈" in widgets[3].usage.text() and "≈" in widgets[7].usage.text()
    assert widgets[5].usage.text().startswith("100")  # absurd but counts: shown as sent
    # The conversation's total still adds up (the meter updates shortly after a reply).
    qtbot.waitUntil(lambda: bool(app.window.total_label.text()))


def test_a_flood_arrives_whole_in_the_window_and_the_file(
    start_chat_app: Any, openai_server: OpenAIServer, qtbot: Any
) -> None:
    app = start_chat_app()
    text = "".join(f"Line {i}: **bold** and `code` and more words.\n\n" for i in range(300))
    deliveries: list[int] = []
    app.chat.reply_delta.connect(lambda *args: deliveries.append(len(args[3])))
    ask(app, Reply(text=text, chunk_size=3, flood=True), openai_server)
    assert saved_reply(app)["content"] == text
    assert sum(deliveries) == len(text)
    assert len(deliveries) < len(text) / 3 / 20  # one delivery per network read, not per event
    widget = app.window.chat_view.message_widgets()[-1]
    qtbot.waitUntil(lambda: widget.content == text, timeout=60_000)  # shown, caught up
    assert not app.window.banner.isVisible()
    still_alive(app, openai_server)


def test_stop_during_a_flood_stops_at_once_and_keeps_the_text(
    start_chat_app: Any, openai_server: OpenAIServer, qtbot: Any
) -> None:
    app = start_chat_app()
    deliveries: list[int] = []
    app.chat.reply_delta.connect(lambda *args: deliveries.append(len(args[3])))
    paragraph = "flood " * 100 + "\n\n"
    openai_server.enqueue(Reply(text=paragraph * 20, chunk_size=4, flood=True, endless=True))
    app.type_and_send("Talk forever.")
    qtbot.waitUntil(lambda: sum(deliveries) > 20_000, timeout=30_000)
    current = app.conversations.current
    assert current is not None and app.chat.is_streaming(current.id)
    before = len(deliveries)
    qtbot.mouseClick(app.window.composer.send_button, Qt.MouseButton.LeftButton)  # Stop
    # Stopped by the click itself, not some turns of the loop later.
    assert not app.chat.is_streaming(current.id)
    assert app.window.composer.send_button.text() == "Send"
    app.wait_idle()
    assert len(deliveries) == before  # nothing more arrived after the click
    saved = saved_reply(app)
    assert saved["error"] == "stopped" and "streaming" not in saved
    assert len(saved["content"]) == sum(deliveries) and saved["content"].startswith("flood ")
    still_alive(app, openai_server)
