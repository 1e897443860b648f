"""A fuzz pass (Hypothesis) over the Markdown renderer and the conversation loader, with size
and nesting strategies: no exception, and no output that grows faster than the input (the
rich text Qt is given is what costs it time: nested tables grew its layout exponentially)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core import markdown
from desktop.core.errors import CorruptFileError
from desktop.core.markdown import StreamingRenderer, render_markdown
from desktop.core.models import Conversation

PIECES = [
    ">", "> ", "- ", "* ", "1. ", "  ", "    ", "#", "# ", "**", "*", "_", "__", "~~", "`", "```",
    "~~~", "[", "]", "(", ")", "![", "<", ">", "<a@b.c>", "|", "|-|", "\n", "\n\n", "\\", "&",
    "&amp;", "x", "word ", "北国", "😀", "\u202e", "\t", "https://e.org", "javascript:", "---",
]  # fmt: skip

markdown_texts = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


def nested(depth: int, marker: str) -> str:
    return marker * depth + " text"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=markdown_texts)
def test_any_markdown_renders_to_bounded_inert_html(text: str) -> None:
    blocks = render_markdown(text)
    produced = sum(len(b.html) for b in blocks)
    # Linear: a fixed overhead per block and per character (styles, escapes).
    assert produced <= 400 * (len(text) + 1)
    for block in blocks:
        assert "<img" not in block.html and "<script" not in block.html
        assert block.html.count("<table") <= markdown.MAX_QUOTE_DEPTH + block.html.count(
            "<table border"
        )  # quotes nest no deeper than the bound (tables of data aside)


@settings(max_examples=60, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=300),
    marker=st.sampled_from([">", "> ", "- ", "* ", "1. ", "  - "]),
)
def test_deep_nesting_renders_with_output_linear_in_depth(depth: int, marker: str) -> None:
    text = nested(depth, marker)
    blocks = render_markdown(text)
    produced = sum(len(b.html) for b in blocks)
    assert produced <= 400 * (len(text) + 1)
    shown = "".join(b.html for b in blocks)
    assert "text" in shown  # nothing hidden however deep


@settings(max_examples=40, deadline=None)
@given(text=markdown_texts, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_streaming_any_markdown_ends_as_rendering_it_whole(text: str, cuts: list[int]) -> None:
    renderer = StreamingRenderer(highlight_open=False)
    for cut in sorted(cuts):
        renderer.update(text[:cut])
    renderer.set_highlight_open(True)
    _stable, blocks = renderer.update(text)
    whole = render_markdown(text)
    assert [b.html for b in blocks] == [b.html for b in whole]


json_leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=40,
)
message_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=6) | json_values,
        "parent": st.text(max_size=6) | json_values,
        "role": st.sampled_from(["user", "assistant", "tool"]) | json_values,
        "content": st.text(max_size=40)
        | st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=8)}))
        | json_values,
        "created_at": st.sampled_from(["2026-11-01T10:00:00Z", "soon", "9999-12-31T23:59:59+14:00"])
        | json_values,
        "usage": st.dictionaries(
            st.sampled_from(["prompt_tokens", "completion_tokens", "total_tokens", "estimated"]),
            json_values | st.floats(allow_nan=True, allow_infinity=True),
        )
        | json_values,
    },
)
conversation_like = st.fixed_dictionaries(
    {"format": st.just("confab.conversation"), "id": st.text(min_size=1, max_size=8)},
    optional={
        "version": st.integers(min_value=-1, max_value=3) | json_values,
        "title": json_values,
        "created_at": st.sampled_from(["2026-11-01T10:00:00Z", "x"]) | json_values,
        "updated_at": json_values,
        "head": json_values,
        "params": json_values,
        "tags": json_values,
        "pinned": json_values,
        "messages": st.lists(message_like, max_size=6) | json_values,
    },
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=conversation_like)
def test_the_loader_reads_what_it_can_or_says_the_file_is_not_a_conversation(data: Any) -> None:
    notes: list[str] = []
    try:
        conversation = Conversation.from_dict(data, notes)
    except CorruptFileError:
        return
    # What loaded can be shown and saved, and reads back the same.
    conversation.thread()
    text = json.dumps(conversation.to_dict(), allow_nan=False)
    again = Conversation.from_dict(json.loads(text))
    assert [m.id for m in again.messages] == [m.id for m in conversation.messages]
    assert [m.content for m in again.messages] == [m.content for m in conversation.messages]
