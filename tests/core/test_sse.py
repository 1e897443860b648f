"""SSEParser: unit tests for each rule, and properties over any framing and any split."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.sse import SSEParser


def parse(*chunks: bytes) -> list[str]:
    parser = SSEParser()
    events: list[str] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    return events + parser.close()


def parse_bytewise(data: bytes) -> list[str]:
    return parse(*(data[i : i + 1] for i in range(len(data))))


# ---- one rule at a time --------------------------------------------------------------


def test_one_event_per_blank_line() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: one\n\ndata: two\n\n") == ["one", "two"]
    assert parser.close() == []


def test_event_is_only_returned_once_its_blank_line_arrives() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: one\n") == []
    assert parser.feed(b"\n") == ["one"]


def test_several_data_lines_join_with_newline() -> None:
    assert parse(b"data: a\ndata: b\ndata:\n\n") == ["a\nb\n"]


def test_space_after_colon_is_optional_and_only_one_is_removed() -> None:
    assert parse(b"data:tight\n\ndata: one\n\ndata:  two\n\n") == ["tight", "one", " two"]


def test_comments_are_ignored_anywhere() -> None:
    assert parse(b": ping\n\ndata: a\n: ping\ndata: b\n\n:\n\n") == ["a\nb"]


def test_other_fields_are_ignored() -> None:
    assert parse(b"event: message\nid: 7\nretry: 100\ndata: x\n\n") == ["x"]


def test_field_without_colon_is_a_field_with_empty_value() -> None:
    assert parse(b"data\n\n") == [""]


def test_blank_lines_without_data_make_no_event() -> None:
    assert parse(b"\n\n\r\n\r\r\n: only a comment\n\n") == []


def test_data_keeps_colons_and_json() -> None:
    payload = b'{"a": "b:c", "url": "http://x"}'
    assert parse(b"data: " + payload + b"\n\n") == [payload.decode()]


def test_done_marker_is_data_like_any_other() -> None:
    assert parse(b"data: [DONE]\n\n") == ["[DONE]"]


def test_crlf_and_cr_line_ends() -> None:
    assert parse(b"data: a\r\n\r\ndata: b\r\rdata: c\n\n") == ["a", "b", "c"]


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    # Read as two line ends, the \n would end the event early and give ["a", "b"].
    assert parse(b"data: a\r", b"\ndata: b\r\n\r\n") == ["a\nb"]


def test_empty_chunk_between_cr_and_lf_changes_nothing() -> None:
    assert parse(b"data: a\r", b"", b"\ndata: b\r\n\r\n") == ["a\nb"]


def test_lone_cr_at_chunk_end_then_more_data() -> None:
    assert parse(b"data: a\r", b"data: b\r\r") == ["a\nb"]


def test_multibyte_utf8_split_inside_a_character() -> None:
    text = "héllo 世界 🙂"
    data = f"data: {text}\n\n".encode()
    cut = data.index("🙂".encode()) + 2
    assert parse(data[:cut], data[cut:]) == [text]


def test_byte_by_byte_feeding() -> None:
    data = "data: ü\r\n: ping\r\ndata:🙂\r\n\r\ndata: z\r\n\r\n".encode()
    assert parse_bytewise(data) == ["ü\n🙂", "z"]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert parse(b"data: \xff\xfe ok\n\n") == ["\ufffd\ufffd ok"]


def test_close_flushes_an_event_without_its_blank_line() -> None:
    assert parse(b"data: last") == ["last"]
    assert parse(b"data: last\n") == ["last"]
    assert parse(b"data: a\n\ndata: last\r") == ["a", "last"]


def test_close_on_empty_stream() -> None:
    assert parse() == []
    assert parse(b"") == []


def test_parser_state_is_reset_after_close() -> None:
    parser = SSEParser()
    parser.feed(b"data: x")
    assert parser.close() == ["x"]
    assert parser.close() == []


# ---- properties ------------------------------------------------------------------------

line_text = st.text(
    alphabet=st.characters(exclude_characters="\r\n", exclude_categories=("Cs",)),
    max_size=12,
)
# An event's data: one or more lines, each written as its own "data:" line.
event_lines = st.lists(line_text, min_size=1, max_size=4)


@st.composite
def sse_streams(draw: st.DrawFn) -> tuple[list[str], bytes]:
    events = draw(st.lists(event_lines, max_size=6))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    ends_with_blank = draw(st.booleans())
    out: list[str] = []
    for index, lines in enumerate(events):
        for line in lines:
            if draw(st.booleans()):
                out.append(": ping" + newline)
            # Without the space, a leading space in the data would be eaten as the separator.
            space = " " if line.startswith(" ") or draw(st.booleans()) else ""
            out.append(f"data:{space}{line}{newline}")
        if index < len(events) - 1 or ends_with_blank:
            out.append(newline)
        if draw(st.booleans()):
            out.append(f": ping{newline}{newline}")
    return ["\n".join(lines) for lines in events], "".join(out).encode("utf-8")


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=300, deadline=None)
@given(stream=sse_streams(), cuts=st.lists(st.integers(min_value=0), max_size=12))
def test_any_framing_split_anywhere_parses_back(
    stream: tuple[list[str], bytes], cuts: list[int]
) -> None:
    expected, data = stream
    assert parse(*split_at(data, cuts)) == expected


@settings(max_examples=100, deadline=None)
@given(stream=sse_streams())
def test_any_framing_fed_byte_by_byte_parses_back(stream: tuple[list[str], bytes]) -> None:
    expected, data = stream
    assert parse_bytewise(data) == expected


@settings(max_examples=100, deadline=None)
@given(stream=sse_streams(), cuts=st.lists(st.integers(min_value=0), max_size=8))
def test_events_come_out_as_soon_as_complete(
    stream: tuple[list[str], bytes], cuts: list[int]
) -> None:
    """Every event ended by a blank line comes out of feed(), not only at close()."""
    expected, data = stream
    parser = SSEParser()
    fed: list[str] = []
    for piece in split_at(data, cuts):
        fed += parser.feed(piece)
    rest = parser.close()
    assert fed + rest == expected
    assert len(rest) <= 1
