"""The conversation file's bytes from cached parts: exactly what json.dumps writes, and a save
encodes only the messages that changed since the last one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core import encoding
from desktop.core.context import set_flag
from desktop.core.encoding import encode_conversation, encode_message
from desktop.core.models import Budget, Conversation, Message, ReplyError, Summary, Usage

T0 = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def _expected(conversation: Conversation) -> bytes:
    return json.dumps(conversation.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")


def _conversation(messages: int) -> Conversation:
    conversation = Conversation(id="c1", title="北国", created_at=T0, updated_at=T0)
    for i in range(messages):
        role = "user" if i % 2 == 0 else "assistant"
        conversation.append(
            Message(
                id=f"m{i}",
                parent=conversation.head,
                role=role,
                content=f"message {i}: 你好\n```\ncode\n```",
                created_at=T0 + timedelta(seconds=i),
                usage=Usage(1, 2, 3) if role == "assistant" else None,
            )
        )
    return conversation


class Spy:
    """encode_message, counting which messages it encoded."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def __call__(self, data: dict[str, Any]) -> list[bytes]:
        self.encoded.append(data["id"])
        return encode_message(data)


def test_the_bytes_are_exactly_what_json_dumps_writes() -> None:
    for count in (0, 1, 2, 5):
        conversation = _conversation(count)
        assert encode_conversation(conversation).join() == _expected(conversation)
    conversation = _conversation(3)
    conversation.draft = "草稿"
    conversation.summary = Summary("s", "m1", T0)
    conversation.context = Budget(max_messages=3)
    conversation.title_generated = True
    conversation.extra.update({"unknown": {"a": [1]}})
    conversation.messages[1].extra.update({"unknown": [1, {"a": None}]})
    conversation.messages[1].streaming = True
    conversation.messages[1].error = ReplyError("server", "busy", status=503, text="x")
    conversation.messages[2].pinned = True
    conversation.tags = ["a", "b"]
    assert encode_conversation(conversation).join() == _expected(conversation)


def test_a_save_after_one_message_grew_encodes_only_that_message() -> None:
    conversation = _conversation(2000)
    spy = Spy()
    encode_conversation(conversation, spy).join()
    assert len(spy.encoded) == 2000  # the first save encodes everything
    spy.encoded.clear()
    reply = conversation.messages[-1]
    reply.content += " and more"
    conversation.updated_at = T0 + timedelta(hours=1)
    assert encode_conversation(conversation, spy).join() == _expected(conversation)
    assert spy.encoded == [reply.id]
    spy.encoded.clear()
    encode_conversation(conversation, spy).join()
    assert spy.encoded == []  # nothing changed: nothing encoded


def test_parts_made_ahead_in_steps_leave_the_first_save_only_what_changed() -> None:
    conversation = _conversation(1200)
    steps = 1
    while not encoding.make_parts(conversation, limit=500):
        steps += 1
    assert steps == 3  # 500 + 500 + 200: no step makes more than its limit
    conversation.messages[5].content += " (edited after)"  # a change after its part was made
    spy = Spy()
    assert encode_conversation(conversation, spy).join() == _expected(conversation)
    assert spy.encoded == [conversation.messages[5].id]


def test_every_kind_of_change_to_a_message_is_seen() -> None:
    conversation = _conversation(6)
    encode_conversation(conversation)
    changes: list[tuple[str, Any]] = [
        ("m1", lambda m: setattr(m, "error", ReplyError.stopped())),
        ("m1", lambda m: setattr(m, "error", ReplyError("rate_limit", "slow", 429, text="R"))),
        ("m1", lambda m: setattr(m, "error", None)),
        ("m3", lambda m: setattr(m, "streaming", True)),
        ("m3", lambda m: setattr(m, "streaming", False)),
        ("m2", lambda m: setattr(m, "pinned", True)),
        ("m2", lambda m: setattr(m, "excluded", True)),
        ("m2", lambda m: set_flag(m, "pinned", True)),  # and no longer excluded
        ("m2", lambda m: set_flag(m, "excluded", False)),
        ("m1", lambda m: setattr(m, "usage", Usage(5, 6, 11, estimated=True))),
        ("m3", lambda m: setattr(m, "finish_reason", "length")),
        ("m3", lambda m: setattr(m, "reasoning", "thinking")),
        ("m0", lambda m: set_flag(m, "pinned", True)),
        ("m0", lambda m: set_flag(m, "pinned", False)),
        ("m2", lambda m: m.extra.__setitem__("unknown", True)),
        ("m2", lambda m: m.extra.pop("unknown")),
        ("m4", lambda m: m.extra.update(x=1)),
        ("m4", lambda m: m.extra.setdefault("y", 2)),
        ("m4", lambda m: m.extra.__delitem__("x")),
        ("m4", lambda m: m.extra.clear()),
        ("m5", lambda m: setattr(m, "extra", {"replaced": True})),
        ("m5", lambda m: m.extra.__setitem__("after", 1)),  # the new extra is watched too
        ("m5", lambda m: setattr(m, "model", "other")),
        ("m5", lambda m: setattr(m, "content", "rewritten")),
    ]
    for message_id, change in changes:
        change(conversation.message(message_id))
        spy = Spy()
        assert encode_conversation(conversation, spy).join() == _expected(conversation)
        assert spy.encoded == [message_id], change


def test_messages_added_removed_and_reordered_and_the_fields_around_them() -> None:
    conversation = _conversation(6)
    encode_conversation(conversation)
    conversation.remove_branch("m3")
    assert encode_conversation(conversation).join() == _expected(conversation)
    conversation.switch_to("m2")
    conversation.title = "renamed"
    conversation.draft = "typed"
    conversation.context = Budget(max_tokens=100)
    conversation.summary = Summary("s", "m1")
    conversation.title_set_by_user = True
    spy = Spy()
    assert encode_conversation(conversation, spy).join() == _expected(conversation)
    assert spy.encoded == []
    conversation.messages.reverse()
    assert encode_conversation(conversation).join() == _expected(conversation)


def test_messages_read_from_a_file_are_watched_like_new_ones() -> None:
    original = _conversation(4)
    loaded = Conversation.from_dict(json.loads(_expected(original)))
    spy = Spy()
    assert encode_conversation(loaded, spy).join() == _expected(original)
    assert len(spy.encoded) == 4
    loaded.messages[2].excluded = True
    spy.encoded.clear()
    assert encode_conversation(loaded, spy).join() == _expected(loaded)
    assert spy.encoded == ["m2"]
    assert loaded.messages[2] == Message.from_dict(loaded.messages[2].to_dict())


def test_a_lone_surrogate_is_written_as_an_escape_in_its_message_only() -> None:
    conversation = _conversation(3)
    encode_conversation(conversation).join()
    conversation.messages[1].content += "\ud800"
    written = encode_conversation(conversation).join()
    assert json.loads(written) == json.loads(json.dumps(conversation.to_dict()))
    assert json.loads(written)["messages"][1]["content"].endswith("\ud800")
    assert "你好".encode() in written  # the other messages are as they were
    conversation.messages[1].content = "fine again"
    assert encode_conversation(conversation).join() == _expected(conversation)
    conversation.title = "\udfff"
    assert json.loads(encode_conversation(conversation).join())["title"] == "\udfff"


def test_the_ui_thread_makes_no_text_the_writer_thread_does() -> None:
    conversation = _conversation(4)
    spy = Spy()
    encoded = encode_conversation(conversation, spy)
    assert spy.encoded == []  # only snapshots so far
    conversation.messages[0].content = "changed after the save was asked for"
    assert encoded.join() == _expected(_conversation(4))  # the snapshot, not the change
    assert len(spy.encoded) == 4
    assert encode_conversation(conversation).join() == _expected(conversation)


_text = st.text(max_size=30)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["user", "assistant", "system"]),
            _text,
            st.dictionaries(_text.filter(lambda k: k not in ("id", "role")), _json, max_size=3),
        ),
        max_size=5,
    ),
    st.dictionaries(_text, _json, max_size=3),
    st.integers(min_value=-1, max_value=4),
    _text,
)
def test_any_conversation_encodes_as_json_dumps_does_after_any_change(
    messages: list[tuple[str, str, dict[str, Any]]],
    extra: dict[str, Any],
    changed: int,
    appended: str,
) -> None:
    conversation = Conversation(id="c", title="t", created_at=T0, updated_at=T0, extra=extra)
    for i, (role, content, message_extra) in enumerate(messages):
        conversation.append(
            Message(f"m{i}", conversation.head, role, content, T0, extra=message_extra)
        )
    assert encode_conversation(conversation).join() == _expected(conversation)
    if 0 <= changed < len(conversation.messages):
        conversation.messages[changed].content += appended
    assert encode_conversation(conversation).join() == _expected(conversation)


def test_the_module_has_no_state_of_its_own() -> None:
    # The cache lives on the messages: two stores or threads share nothing here.
    assert not [
        name
        for name, value in vars(encoding).items()
        if isinstance(value, dict | list | set) and not name.startswith("__")
    ]


def test_a_reply_of_megabytes_is_encoded_in_slices_as_json_dumps_would() -> None:
    conversation = _conversation(3)
    reply = conversation.messages[1]
    # Every character JSON escapes, non-ASCII text, and a line end at a slice's border.
    unit = 'a"b\\c\n\t\x01 北国 😀 ' * 7
    reply.content = (unit * (3 * (1 << 18) // len(unit) + 5))[: 3 * (1 << 18) + 17]
    reply.reasoning = "思" * ((1 << 18) + 3)
    reply.extra["note"] = "x" * ((1 << 18) + 1)
    pieces = encode_message(reply.to_dict())
    assert len(pieces) > 6  # in slices: the writer thread lets go of the GIL between them
    assert b"".join(pieces) == json.dumps(reply.to_dict(), ensure_ascii=False, indent=1).replace(
        "\n", "\n  "
    ).encode("utf-8")
    assert encode_conversation(conversation).join() == _expected(conversation)
    reply.content += "\ud800"  # a lone surrogate in a big string: escapes, still JSON
    written = encode_conversation(conversation).join()
    assert json.loads(written)["messages"][1]["content"] == reply.content


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_json)
def test_indented_writes_what_json_dumps_writes_and_leaves_no_cycles(value: Any) -> None:
    import gc

    assert encoding.indented(value) == json.dumps(value, ensure_ascii=False, indent=1)
    gc.collect()
    before = gc.get_count()[0]
    for _ in range(50):
        encoding.indented({"a": [value, {"b": value}], "c": 1.5})
    # json's own indenting encoder leaves ~30 objects for the cycle collector per call.
    assert gc.get_count()[0] - before < 50


def test_indented_writes_floats_odd_strings_and_odd_keys_as_json_dumps() -> None:
    value = {
        "floats": [0.1, -0.0, 1e300, float("inf"), float("-inf"), 3.0],
        "text": 'a"b\\c\n\t\x01 北国 😀 \u2028',
        "nested": {"": [], "e": {}, "t": (1, "x")},
        "flags": [True, False, None, 2**70],
    }
    assert encoding.indented(value) == json.dumps(value, ensure_ascii=False, indent=1)
    odd_keys = {1: "one", None: [2]}  # not strings: json.dumps's own way
    assert encoding.indented(odd_keys) == json.dumps(odd_keys, ensure_ascii=False, indent=1)
