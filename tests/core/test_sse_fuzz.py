"""Fuzzing SSEParser: any bytes, split anywhere, under any limits, raise nothing but
StreamLimitError, give the same answer however they are split, and cost what they weigh.

Cost is counted, not timed: ``SSEParser.work`` adds up every byte the parser scans for line
ends, joins from pieces, or decodes; everything else it does is a constant per line. A parser
that re-scanned or re-copied its pending buffer at every chunk (as this one did: a long line
fed in small pieces cost the square of its length) shows here as work far above the input's
size. Memory is compared with the input's size through tracemalloc.
"""

from __future__ import annotations

import itertools
import tracemalloc

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop.core.sse import MAX_EVENT, MAX_LINE, SSEParser, StreamLimitError


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points)]


def outcome(chunks: list[bytes], **limits: int) -> tuple[str, object]:
    """("events", the events) or ("limit", what was too long)."""
    parser = SSEParser(**limits)
    events: list[str] = []
    try:
        for chunk in chunks:
            events += parser.feed(chunk)
        events += parser.close()
    except StreamLimitError as exc:
        return "limit", exc.what
    return "events", events


# Bytes that make SSE interesting: field names, colons, spaces, every line end, a BOM,
# UTF-8 pieces and invalid bytes.
sse_bytes = st.lists(
    st.sampled_from(
        [
            *(b"data", b"data:", b"data: ", b":", b" ", b"x", b"\r", b"\n", b"\r\n", b"\n\n"),
            *(b"event: e", b"id: 1", b"\xef\xbb\xbf", "é🙂".encode(), b"\xff", b"\xe4\xb8", b"{}"),
        ]
    ),
    max_size=200,
).map(b"".join)
any_bytes = st.one_of(st.binary(max_size=600), sse_bytes)
limits = st.fixed_dictionaries(
    {}, optional={"max_line": st.integers(0, 64), "max_event": st.integers(0, 64)}
)


@settings(max_examples=500, deadline=None)
@given(data=any_bytes, cuts=st.lists(st.integers(min_value=0), max_size=16), limit=limits)
@example(data=b"\xef\xbb\xbf", cuts=[1], limit={"max_line": 0})  # a BOM is no line's start
def test_any_bytes_split_anywhere_parse_as_they_do_whole(
    data: bytes, cuts: list[int], limit: dict[str, int]
) -> None:
    assert outcome(split_at(data, cuts), **limit) == outcome([data], **limit)


@settings(max_examples=200, deadline=None)
@given(data=any_bytes, limit=limits)
def test_any_bytes_fed_byte_by_byte_parse_as_they_do_whole(
    data: bytes, limit: dict[str, int]
) -> None:
    assert outcome([data[i : i + 1] for i in range(len(data))], **limit) == outcome([data], **limit)


@settings(max_examples=300, deadline=None)
@given(
    length=st.integers(0, 300),
    limit=st.integers(0, 300),
    end=st.sampled_from([b"\n", b"\r", b"\r\n", b""]),
    cuts=st.lists(st.integers(min_value=0), max_size=8),
    comment=st.booleans(),
)
def test_a_line_is_refused_exactly_when_longer_than_the_limit(
    length: int, limit: int, end: bytes, cuts: list[int], comment: bool
) -> None:
    line = (b":" if comment else b"data:") + b"y" * length
    expected = "limit" if len(line) > limit else "events"
    assert outcome(split_at(line + end + b"\n", cuts), max_line=limit)[0] == expected


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=8),
    limit=st.integers(0, 200),
    cuts=st.lists(st.integers(min_value=0), max_size=8),
)
def test_an_event_is_refused_exactly_when_its_data_passes_the_limit(
    sizes: list[int], limit: int, cuts: list[int]
) -> None:
    data = b"".join(b"data: " + b"z" * n + b"\n" for n in sizes) + b"\n"
    expected = "limit" if sum(sizes) > limit else "events"
    assert outcome(split_at(data, cuts), max_event=limit)[0] == expected


def test_the_default_limits_are_eight_mebibytes() -> None:
    assert MAX_LINE == MAX_EVENT == 8 * 1024 * 1024
    parser = SSEParser()
    parser.feed(b"data: " + b"x" * (MAX_LINE - 6))  # exactly the limit: still a line
    assert parser.feed(b"\n\n") == ["x" * (MAX_LINE - 6)]
    with pytest.raises(StreamLimitError) as info:
        parser.feed(b"x" * (MAX_LINE + 1))
    assert (info.value.what, info.value.limit) == ("line", MAX_LINE)


# ---- cost -------------------------------------------------------------------------------

SHAPES = {
    "one long line": lambda n: b"data: " + b"x" * n + b"\n\n",
    "a line that never ends": lambda n: b"data: " + b"x" * n,
    "tiny events": lambda n: b"data: ab\n\n" * (n // 10),
    "keep-alive comments": lambda n: b":\n" * (n // 2),
    "blank lines": lambda n: b"\n" * n,
    "CR line ends": lambda n: b"data: a\r\r" * (n // 9),
    "CRLF line ends": lambda n: b"data: a\r\n\r\n" * (n // 11),
    "one event of many data lines": lambda n: b"data: a\n" * (n // 8) + b"\n",
    "long comment": lambda n: b":" + b"c" * n + b"\n",
    "no line end but CRs": lambda n: b"x\r" * (n // 2),
}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    shape=st.sampled_from(sorted(SHAPES)),
    size=st.integers(1_000, 60_000),
    chunk=st.one_of(st.integers(1, 16), st.integers(17, 4096)),
)
def test_work_is_linear_in_the_input_whatever_its_shape_and_chunking(
    shape: str, size: int, chunk: int
) -> None:
    data = SHAPES[shape](size)
    parser = SSEParser(max_line=len(data) + 1, max_event=len(data) + 1)
    events = 0
    for start in range(0, len(data), chunk):
        events += len(parser.feed(data[start : start + chunk]))
    events += len(parser.close())
    # Each byte at most: scanned once, joined once (a line split over chunks), decoded once.
    assert parser.work <= 3 * len(data), (shape, size, chunk, parser.work)
    assert parser.lines <= len(data) + 1


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_line_fed_a_byte_at_a_time_costs_what_it_costs_at_once(shape: str) -> None:
    """The same input at two sizes, one byte per feed: work grows with the size, not its
    square (the old parser: 4 times the input, 16 times the work)."""

    def work(size: int) -> int:
        data = SHAPES[shape](size)
        parser = SSEParser(max_line=len(data) + 1, max_event=len(data) + 1)
        for i in range(len(data)):
            parser.feed(data[i : i + 1])
        parser.close()
        return parser.work

    small, large = work(5_000), work(20_000)
    assert large <= 4.5 * small + 100, (small, large)


def test_memory_stays_at_a_line_not_the_stream() -> None:
    """Four megabytes of small events through the parser in network-sized pieces: what it
    holds at any time is a piece and its events, not the stream."""
    event = b'data: {"choices":[{"delta":{"content":"abcd"}}]}\n\n'
    data = event * (4 * 1024 * 1024 // len(event))
    parser = SSEParser()
    tracemalloc.start()
    try:
        for start in range(0, len(data), 16 * 1024):
            parser.feed(data[start : start + 16 * 1024])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(data) // 20, peak


def test_memory_of_a_refused_line_stays_at_the_limit() -> None:
    parser = SSEParser(max_line=1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(StreamLimitError):
            for _ in range(1000):  # 16 MB offered, one line
                parser.feed(b"x" * 16 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * 1024 * 1024, peak
