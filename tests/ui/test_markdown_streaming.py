"""A reply made of Markdown that markdown-it takes seconds to parse streams without freezing the
window: each flush parses only what fits its budget, the rest is shown as typed."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from desktop.core.models import Message
from desktop.ui.message_view import (
    PENDING_RELAYOUT_CHARS,
    PENDING_RELAYOUT_GROWTH,
    BlockLabel,
    MessageWidget,
)
from tests.support.openai_server import Reply

SLOW = "[x" * 50_000  # ~1.1 s for markdown-it to parse, here
NOTE = "Shown as plain text"


def _label_text(widget: MessageWidget) -> str:
    assert widget.markdown is not None
    return "".join(block.text() for block in widget.markdown.blocks() if isinstance(block, QLabel))


def test_each_flush_of_a_slow_reply_parses_within_its_budget(
    qtbot: Any, inline_parses: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    relayouts: list[int] = []
    real_set_text = BlockLabel.setText

    def set_text(label: BlockLabel, text: str) -> None:
        if text != label.text():
            relayouts.append(len(text))
        real_set_text(label, text)

    monkeypatch.setattr(BlockLabel, "setText", set_text)
    reply = Message(id="r", parent=None, role="assistant", content="", created_at=datetime.now(UTC))
    widget = MessageWidget(reply, "Model")
    qtbot.addWidget(widget)
    widget.show()
    text = "Here it comes:\n\n" + SLOW
    for end in range(1_000, len(text) + 1_000, 1_000):  # what ChatView.flush does, 100 times
        widget.set_text(text[:end], streaming=True)
        shown = html.unescape(_label_text(widget))
        assert NOTE not in shown
        # Shown as typed; past PENDING_RELAYOUT_CHARS a little behind the text.
        lag = 0 if end <= PENDING_RELAYOUT_CHARS else (1 - 1 / PENDING_RELAYOUT_GROWTH) * end
        assert text[16 : int(end - lag)] in shown
    # The intro once, then never more than a few ms' worth of the growing paragraph.
    assert inline_parses[0] == len("Here it comes:")
    assert max(inline_parses[1:], default=0) < 1_000
    # Relaid out at every flush while short, then at every quarter it grew: 20 + 8 times.
    assert 20 <= len(relayouts) <= 30
    widget.set_text(text)  # the reply finished (ChatView.refresh_message)
    shown = html.unescape(_label_text(widget))
    assert SLOW in shown and NOTE in shown
    assert max(inline_parses[1:], default=0) < 1_000


def test_a_slow_reply_streams_through_the_window_as_typed(
    start_chat_app: Any, openai_server: Any, qtbot: Any, inline_parses: list[int]
) -> None:
    app = start_chat_app()
    openai_server.enqueue(Reply(text=SLOW, chunk_size=200))
    app.type_and_send("brackets please")
    app.wait_idle(timeout=30_000)
    widget = app.window.chat_view.message_widgets()[-1]
    # Streamed at full speed, the reply is shown a little behind and catches up after its
    # end (ChatView's catch-up), then takes its final form, note and all: wait for that, not
    # only for the text (a loaded machine showed the text a tick before its final form).
    qtbot.waitUntil(
        lambda: widget.content == SLOW and NOTE in html.unescape(_label_text(widget)),
        timeout=30_000,
    )
    shown = html.unescape(_label_text(widget))
    assert SLOW in shown and NOTE in shown
    # The question and the note's neighbours only: the reply never reached the parser.
    assert max(inline_parses, default=0) < 1_000
