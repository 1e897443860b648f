"""A failed reply's error is stored as data (kind, status, detail) beside the readable string
older Confabs read; what is read back is the error that was stored, never a stale one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.core import errors as e
from desktop.core.fileformat import legacy_error, message_from_dict, message_to_dict
from desktop.core.logs import redact, register_secret
from desktop.core.models import Conversation, Message, ReplyError

T0 = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def _reply(error: ReplyError | None) -> Message:
    return Message("r", "q", "assistant", "partial", T0, model="m", error=error)


def _round_trip(error: ReplyError) -> ReplyError | None:
    return message_from_dict(message_to_dict(_reply(error))).error


@pytest.mark.parametrize(
    "exc",
    [
        e.RateLimitError(429, "slow down", retry_after=20),
        e.ServerError(503, ""),
        e.AuthenticationError(401, "bad key"),
        e.RequestTimeoutError("silence timeout (60 s)", "silence", 60.0),
        e.RequestTimeoutError("ReadTimeout"),
        e.ConnectFailedError("refused"),
        e.NoProviderError(),
        ValueError("a bug"),
    ],
)
def test_an_error_reads_back_as_it_was_stored(exc: Exception) -> None:
    error = ReplyError.of(exc)
    assert _round_trip(error) == error
    # The string an older Confab reads is what this one always wrote.
    if isinstance(exc, e.ConfabError):
        assert error.text == f"{type(exc).__name__}: {exc.detail}".rstrip(": ")
        assert error.kind == exc.KIND
    else:
        assert (error.kind, error.text) == ("other", "ValueError: a bug")


def test_the_status_is_kept_which_the_old_string_never_had() -> None:
    error = ReplyError.of(e.ServerError(503, "busy"))
    assert error.status == 503
    data = message_to_dict(_reply(error))
    assert data["error"] == "ServerError: busy"
    assert data["error_info"] == {"kind": "server", "status": 503, "detail": "busy"}
    assert message_from_dict(data).error == error
    del data["error_info"]  # as a file written before error_info
    old = message_from_dict(data).error
    assert old is not None and (old.kind, old.status, old.detail) == ("server", None, "busy")


def test_a_key_in_the_detail_is_masked_in_both_forms() -> None:
    register_secret("sk-reply-errors-0123456789abcdef")
    error = ReplyError.of(e.AuthenticationError(401, "sk-reply-errors-0123456789abcdef"), redact)
    assert "sk-reply" not in error.text and "sk-reply" not in error.detail


def test_an_error_info_an_older_confab_left_stale_is_not_believed() -> None:
    data = message_to_dict(_reply(ReplyError.of(e.ServerError(500, "oops"))))
    # An older Confab continued the reply, which then failed otherwise: it wrote a new
    # "error" and kept the error_info it did not know.
    data["error"] = "RateLimitError: slow down"
    error = message_from_dict(data).error
    assert error is not None and (error.kind, error.status, error.detail) == (
        "rate_limit",
        None,
        "slow down",
    )
    data["error"] = "ServerError: another detail"  # the same class, another failure
    error = message_from_dict(data).error
    assert error is not None and (error.status, error.detail) == (None, "another detail")
    data["error"] = None  # finished after all
    assert message_from_dict(data).error is None
    assert "error_info" not in message_to_dict(message_from_dict(data))


def test_a_newer_confabs_kind_is_kept() -> None:
    data: dict[str, Any] = message_to_dict(_reply(ReplyError.stopped()))
    data["error"] = "ToolFailedError: the tool crashed"
    data["error_info"] = {"kind": "tool_failed", "detail": "the tool crashed", "tool": "x"}
    error = message_from_dict(data).error
    assert error is not None and (error.kind, error.detail) == ("tool_failed", "the tool crashed")
    assert message_to_dict(_reply(error))["error_info"] == data["error_info"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("stopped", "stopped"),
        ("interrupted", "interrupted"),
        ("NoProviderError", "no_provider"),
        ("ContextTooLongError: too long", "context_too_long"),
        ("StreamInterruptedError: dropped", "connection_dropped"),
        ("KeyError: 'x'", "other"),
        ("a sentence someone typed: with a colon", "other"),
        ("", "other"),
    ],
)
def test_old_strings_map_to_their_kind(text: str, kind: str) -> None:
    assert legacy_error(text).kind == kind


def test_every_error_class_has_a_kind_of_its_own() -> None:
    classes = [e.ConfabError]
    for cls in classes:
        classes.extend(cls.__subclasses__())
    kinds = [cls.KIND for cls in classes]
    assert len(classes) > 30 and len(set(kinds)) == len(kinds)
    assert set(kinds) | {"stopped", "interrupted", "other"} == e.error_kinds()
    for cls in classes:
        again = e.error_of_kind(cls.KIND, "d", 418)
        assert type(again) is cls and again.detail == "d"
    with pytest.raises(TypeError):
        type("Unnamed", (e.ApiError,), {})  # a class without a KIND of its own


def test_streaming_and_interrupted_are_typed() -> None:
    c = Conversation(id="c", title="", created_at=T0, updated_at=T0)
    reply = c.append(_reply(None))
    reply.streaming = True
    assert message_to_dict(reply)["streaming"] is True
    assert c.mark_interrupted()
    assert not reply.streaming and reply.error == ReplyError.interrupted()
    assert "streaming" not in message_to_dict(reply)
    assert message_to_dict(reply)["error"] == "interrupted"
