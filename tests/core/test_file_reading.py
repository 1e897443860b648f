"""Reading a conversation file: a big one a piece at a time (one json.loads of 7.5 MB held the
GIL 25-95 ms, and the window waited for the loading thread that long), with exactly what
json.loads gives, and raises, for any file."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from desktop.core import encoding
from desktop.core.encoding import PIECEWISE_CHARS, encode_conversation, read_file
from desktop.core.errors import CorruptFileError
from desktop.core.models import Conversation
from desktop.core.storage import ConversationStore
from tests.benchmarks import workload


def _big_file(messages: int = 400) -> bytes:
    data = workload.conversation("big", "Long", messages, random.Random(5))
    raw = encode_conversation(Conversation.from_dict(data)).join()
    assert len(raw) > 2 * PIECEWISE_CHARS
    return raw


class Scans:
    """The C scanner's calls: how much text each one read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lengths: list[int] = []
        decoder = json.JSONDecoder()

        class Recording:
            def raw_decode(self_, text: str, at: int) -> tuple[Any, int]:
                value, end = decoder.raw_decode(text, at)
                self.lengths.append(end - at)
                return value, end

        monkeypatch.setattr(encoding, "_DECODER", Recording())


def test_confabs_own_big_file_is_parsed_a_message_at_a_time_pacing_between(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = _big_file()
    scans = Scans(monkeypatch)
    paces: list[int] = []

    data = read_file(raw, pace=lambda: paces.append(1))

    assert data == json.loads(raw)
    # No scan read more than one message (the biggest is a few KB), and pace ran between.
    assert len(scans.lengths) > 400
    assert max(scans.lengths) < len(raw) // 20
    assert len(paces) >= 400  # after each message at least


def test_the_store_reads_a_big_file_in_pieces(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(tmp_path)
    raw = _big_file()
    (store.folder / "big.json").write_bytes(raw)
    scans = Scans(monkeypatch)

    conversation = store.load("big")

    assert len(conversation.messages) == 400
    assert max(scans.lengths) < len(raw) // 20


def _padded(text: str) -> bytes:
    """``text`` (a JSON object's members) in a file past the size read in pieces."""
    return ('{"pad": "' + "x" * PIECEWISE_CHARS + '", ' + text + "}").encode("utf-8")


ODD = {
    "duplicate top-level keys": _padded('"messages": [1], "a": 1, "messages": [{"b": 2}]'),
    "duplicate keys in a message": _padded('"messages": [{"id": "a", "id": "b"}]'),
    "NaN and infinities": _padded('"messages": [NaN, Infinity, -Infinity, 1e999]'),
    "big integers": _padded('"messages": [123456789012345678901234567890, -0, 1.5e3]'),
    "a lone surrogate escaped": _padded('"messages": [{"content": "\\ud800 x \\udfff"}]'),
    "odd whitespace": _padded('"messages"\t:\r\n[ \n{ } ,\n\n{"a" : [ ] } ] '),
    "an empty list": _padded('"messages": []'),
    "messages not a list": _padded('"messages": {"a": 1}'),
    "a byte-order mark": b"\xef\xbb\xbf" + _padded('"messages": [{"a": "\xe4\xbd\xa0"}]'),
    "unicode keys": _padded('"m\\u00e9ssages": [1], "\xe6\xb6\x88": 2'.encode().decode()),
    "surrounding whitespace": b"  \n" + _padded('"messages": [1]') + b"\n\n ",
    "a top-level list": ("[" + '"x", ' * PIECEWISE_CHARS + "1]").encode(),
    "an empty object": b"{}" + b" " * PIECEWISE_CHARS,
}

BROKEN = {
    "cut short": _padded('"messages": [{"a": 1}, {"b"')[:-1],
    "a trailing comma": _padded('"messages": [1, 2,]'),
    "extra data": _padded('"messages": [1]') + b' {"again": 1}',
    "a missing comma": _padded('"messages": [1 2]'),
    "a raw line end in a string": _padded('"messages": ["a\nb"]'),
    "invalid UTF-8": _padded('"messages": ["x"]').replace(b"xxx", b"x\xffx", 1),
    "invalid UTF-8 at a slice's edge": b'{"a": "' + b"x" * (1 << 20) + b'\xe4\xbd", "b": 1}',
    "a huge integer": _padded('"messages": [' + "9" * 5000 + "]"),
    "two byte-order marks": b"\xef\xbb\xbf\xef\xbb\xbf" + _padded('"messages": []'),
    "deeply nested in a message": _padded('"messages": [' + "[" * 100_000 + "]" * 100_000 + "]"),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_any_valid_file_reads_as_json_loads_reads_it(name: str) -> None:
    raw = ODD[name]
    assert len(raw) >= PIECEWISE_CHARS
    expected = json.loads(raw.decode("utf-8-sig"))
    got = read_file(raw)
    assert repr(got) == repr(expected)  # repr: NaN == NaN, and -0 vs 0 told apart
    assert list(got) == list(expected) if isinstance(got, dict) else True


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_raises_what_json_loads_raises(name: str) -> None:
    raw = BROKEN[name]
    with pytest.raises((ValueError, RecursionError)) as expected:
        json.loads(raw.decode("utf-8-sig"))
    with pytest.raises(type(expected.value)) as got:
        read_file(raw)
    assert str(got.value) == str(expected.value)


def test_a_broken_big_file_is_quarantined_with_a_message(tmp_path: Any) -> None:
    store = ConversationStore(tmp_path)
    for name, raw in BROKEN.items():
        (store.folder / f"{name.replace(' ', '_').replace('-', '_')}.json").write_bytes(raw)
    with pytest.raises(CorruptFileError):
        store.load("a_huge_integer")
    conversations, quarantined = store.load_all()
    assert conversations == []
    assert len(quarantined) == len(BROKEN)
