"""The marker under a reply that did not finish comes from the structured error saved with it,
the same for a file written before error_info existed as for one written now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.core.errors import RequestTimeoutError, ServerError
from desktop.core.fileformat import message_from_dict, message_to_dict
from desktop.core.models import Conversation, ReplyError
from desktop.ui.error_text import describe_saved_error

FAILURES = (
    Path(__file__).parents[1]
    / "data"
    / "format1"
    / "conversations"
    / "fa11ed00fa11ed00fa11ed00fa11ed00.json"
)


def _old_replies() -> list[Any]:
    data = json.loads(FAILURES.read_text("utf-8"))
    return [m for m in Conversation.from_dict(data).messages if m.role == "assistant"]


def test_old_errors_are_described_by_their_kind(qapp: Any) -> None:
    shown = [describe_saved_error(m.error) for m in _old_replies()]
    assert shown[0] == "Reply failed: Incorrect API key provided: sk-abc***"
    assert shown[7] == "Reply failed: "  # a 503 with no words
    assert "within 10 s (connect timeout)" in shown[12]
    assert shown[13].startswith("The server took too long to answer")
    assert "No reply within 120 s (first-byte timeout)" in shown[14]
    assert "The reply stopped for 60 s (silence timeout)" in shown[15]
    assert "stopped for 2.5 s" in shown[16]
    assert shown[17].startswith("Could not reach the server")
    assert shown[10].startswith("The proxy refused the user name or password")
    assert shown[25].startswith("The server answered with a web page")
    assert shown[28].startswith("No provider is set up yet")
    assert shown[29] == "Something went wrong."
    assert shown[30] == "Reply failed: ValueError: an unexpected failure"


def test_a_re_saved_error_is_described_the_same(qapp: Any) -> None:
    for reply in _old_replies():
        again = message_from_dict(message_to_dict(reply))
        assert again.error is not None and "error_info" in message_to_dict(reply)
        assert describe_saved_error(again.error) == describe_saved_error(reply.error)


def test_new_errors_stopped_and_interrupted(qapp: Any) -> None:
    assert describe_saved_error(ReplyError.stopped()) == "Stopped"
    assert describe_saved_error(ReplyError.interrupted()).startswith("Interrupted")
    timeout = ReplyError.of(RequestTimeoutError("silence timeout (45 s)", "silence", 45.0))
    assert "45 s (silence timeout)" in describe_saved_error(timeout)
    assert describe_saved_error(ReplyError.of(ServerError(502, "bad gateway"))) == (
        "Reply failed: bad gateway"
    )
    newer = ReplyError("tool_failed", "the tool crashed", text="ToolError: the tool crashed")
    assert describe_saved_error(newer) == "Reply failed: ToolError: the tool crashed"
