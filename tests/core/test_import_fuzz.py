"""A fuzz pass (Hypothesis) over the readers: any value anywhere in a ChatGPT or Claude
conversation, and any bytes as an export, give Items and Problems, never an exception; and
whatever is read can be written as a Confab file and read back the same."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.importers.chatgpt import read_conversation as read_chatgpt
from desktop.core.importers.claude import read_conversation as read_claude
from desktop.core.importers.jsonstream import JsonStreamError, ListReader
from desktop.core.models import Conversation
from tests.support.exports import showcase_chatgpt, showcase_claude

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    data = copy.deepcopy(data)
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


CHATGPT = showcase_chatgpt()[0].to_dict()
CLAUDE = showcase_claude()
CHATGPT_PATHS = _paths(CHATGPT)
CLAUDE_PATHS = _paths(CLAUDE)


def _survives(conversation: Conversation) -> None:
    again = Conversation.from_dict(json.loads(json.dumps(conversation.to_dict())))
    assert again.to_dict() == conversation.to_dict()


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(index=st.integers(min_value=0), value=values, which=st.booleans())
def test_any_value_anywhere_is_read_or_skipped(index: int, value: Any, which: bool) -> None:
    if which:
        data = _replaced(CHATGPT, CHATGPT_PATHS[index % len(CHATGPT_PATHS)], value)
        item = read_chatgpt(data) if isinstance(data, dict) else None
    else:
        data = _replaced(CLAUDE, CLAUDE_PATHS[index % len(CLAUDE_PATHS)], value)
        item = read_claude(data) if isinstance(data, dict) else None
    if item is not None:
        _survives(item.conversation)
        ids = [m.id for m in item.conversation.messages]
        assert len(ids) == len(set(ids))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    data=st.binary(max_size=200)
    | st.text(alphabet='[]{},:"\\ 0123456789ae.-tfnul', max_size=80).map(str.encode),
    chunk=st.integers(1, 16),
)
def test_any_bytes_read_as_json_loads_reads_them_or_a_stream_error(data: bytes, chunk: int) -> None:
    try:
        expected = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        expected = None
    try:
        read = list(ListReader(io.BytesIO(data), chunk=chunk))
    except JsonStreamError:
        assert not isinstance(expected, list | dict)  # valid JSON of ours is always read
        return
    if isinstance(expected, list):
        assert read == expected  # in any chunk size, exactly what json.loads reads
    elif isinstance(expected, dict):
        assert read == [expected]
