"""What the next message costs, shown before it is sent; what each reply cost."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from desktop.core.context import request_messages
from desktop.core.tokens import TokenCounter
from tests.support.openai_server import Reply


def test_the_meter_shows_tokens_cost_and_context_as_the_user_types(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("gpt-4o-mini")
    meter = app.window.composer.meter
    qtbot.keyClicks(app.window.composer.edit, "Hello, world!")
    qtbot.waitUntil(lambda: "Next send: 10 tokens" in meter.text())
    assert "<$0.0001" in meter.text() and "of the 128k context" in meter.text()
    qtbot.keyClicks(app.window.composer.edit, " And a much longer question about tokens.")
    qtbot.waitUntil(lambda: "Next send: 10 tokens" not in meter.text())
    assert "≈" not in meter.text()


def test_the_meter_estimates_while_the_token_table_loads_then_counts_exactly(
    start_chat_app: Any, openai_server: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import tokens

    release = threading.Event()

    def held(name: str, future: Future[Any]) -> None:
        assert release.wait(30)
        tokens._load(name, future)

    # As at start-up: no table loaded yet (it loads in a thread when first needed).
    monkeypatch.setattr(tokens, "_TABLES", tokens._Tables(held))
    monkeypatch.setattr(tokens, "_COUNTS", tokens._Counts(1024))  # and nothing counted yet
    app = start_chat_app("gpt-4o-mini")
    meter = app.window.composer.meter
    qtbot.keyClicks(app.window.composer.edit, "Hello, world!")
    estimate = 3 + 3 + tokens.estimate("Hello, world!")
    qtbot.waitUntil(lambda: f"Next send: ≈{estimate} tokens" in meter.text())
    release.set()
    qtbot.waitUntil(lambda: "Next send: 10 tokens" in meter.text())


def test_unknown_models_show_estimated_tokens_and_no_invented_cost(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("llama3.2")
    qtbot.keyClicks(app.window.composer.edit, "hi")
    meter = app.window.composer.meter
    qtbot.waitUntil(lambda: "Next send" in meter.text())
    assert "≈" in meter.text() and "$" not in meter.text()


def test_two_turns_without_server_usage_are_counted_locally_and_the_second_carries_the_first(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("gpt-4o-mini")
    openai_server.enqueue(
        Reply(text="Paris is the capital of France.", usage=False),
        Reply(text="It has about two million people.", usage=False),
    )
    app.type_and_send("What is the capital of France?")
    app.wait_idle()
    app.type_and_send("How many people live there?")
    app.wait_idle()
    saved = app.conversation_files()[0]["messages"]
    first, second = saved[1]["usage"], saved[3]["usage"]
    assert first["estimated"] is True and second["estimated"] is True
    counter = TokenCounter("gpt-4o-mini")
    conversation = app.conversations.current
    assert second["prompt_tokens"] == counter.messages(request_messages(conversation)[:-1]).tokens
    # The second request re-sent the whole first turn.
    assert second["prompt_tokens"] > first["prompt_tokens"] + first["completion_tokens"]
    assert first["completion_tokens"] == counter.text("Paris is the capital of France.")
    reply_widget = app.window.chat_view.message_widgets()[-1]
    assert reply_widget.usage.isVisible() and reply_widget.usage.text().startswith("≈")
    assert "$" in reply_widget.usage.text()


def test_server_usage_is_shown_per_reply_and_totalled(
    start_chat_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = start_chat_app("gpt-4o-mini")
    app.type_and_send("one")
    app.wait_idle()
    app.type_and_send("two")
    app.wait_idle()
    saved = app.conversation_files()[0]["messages"]
    assert saved[1]["usage"]["estimated"] is False
    widget = app.window.chat_view.message_widgets()[-1]
    usage = saved[3]["usage"]
    assert widget.usage.text().startswith(f"{usage['prompt_tokens']} in · ")
    total = saved[1]["usage"]["total_tokens"] + usage["total_tokens"]
    qtbot.waitUntil(lambda: app.window.total_label.text().startswith(f"{total} tokens so far"))
