"""BodyReader: gzip and deflate inflated within a limit, whatever the body claims or holds."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterable

import httpx
import pytest

from desktop.core.bodies import (
    STEP,
    BodyDecodeError,
    BodyReader,
    BodyTooLargeError,
    read_body,
)
from tests.support.openai_server import gzip_bomb

MIB = 1024 * 1024


class _Chunks(httpx.AsyncByteStream):
    """A body that arrives in the given pieces, as the network would cut it."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = list(pieces)
        self.sent = 0  # raw bytes handed out: what the reader actually pulled
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            self.sent += len(piece)
            yield piece

    async def aclose(self) -> None:
        self.closed = True


def cut(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


async def _fetch(
    stream: _Chunks, encoding: str | None, limit: int, *, truncate: bool = False
) -> bytes:
    headers = {"content-encoding": encoding} if encoding else {}
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, headers=headers, stream=stream))
    async with (
        httpx.AsyncClient(transport=transport) as client,
        client.stream("GET", "http://x/") as response,
    ):
        return await read_body(response, limit, truncate=truncate)


def fetch(
    data: bytes,
    encoding: str | None = None,
    *,
    limit: int = 64 * MIB,
    piece: int = 1000,
    truncate: bool = False,
) -> bytes:
    return asyncio.run(_fetch(_Chunks(cut(data, piece)), encoding, limit, truncate=truncate))


TEXT = b"data: hello\n\n" * 5000


def deflate(data: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize("piece", [1, 7, 1000, 1 << 20])
@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        (None, lambda d: d),
        ("identity", lambda d: d),
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("GZip", gzip.compress),
        ("deflate", lambda d: deflate(d, zlib.MAX_WBITS)),
        ("deflate", lambda d: deflate(d, -zlib.MAX_WBITS)),  # raw, as old servers send
        ("gzip, gzip", lambda d: gzip.compress(gzip.compress(d))),
        ("deflate, gzip", lambda d: gzip.compress(deflate(d, zlib.MAX_WBITS))),
    ],
)
def test_what_the_server_encoded_comes_back_whole(
    encoding: str | None, encode: object, piece: int
) -> None:
    assert callable(encode)
    assert fetch(encode(TEXT), encoding, piece=piece) == TEXT


def test_an_encoding_it_did_not_ask_for_is_left_to_httpx() -> None:
    # No brotli decoder is installed: httpx passes the bytes on as they are, still counted.
    assert fetch(b"\x0b\x02\x80hello\x03", "br") == b"\x0b\x02\x80hello\x03"
    with pytest.raises(BodyTooLargeError):
        fetch(b"x" * 5000, "br", limit=4000)


def test_the_limit_counts_decoded_bytes_not_wire_bytes() -> None:
    assert fetch(gzip.compress(b"x" * 10_000), "gzip", limit=10_000) == b"x" * 10_000
    with pytest.raises(BodyTooLargeError) as info:
        fetch(gzip.compress(b"x" * 10_001), "gzip", limit=10_000)
    assert info.value.limit == 10_000


def test_truncate_ends_at_the_limit_instead() -> None:
    assert fetch(b"abcdefghij", limit=4, truncate=True) == b"abcd"
    assert fetch(gzip.compress(b"x" * 100_000), "gzip", limit=5, truncate=True) == b"xxxxx"


def test_a_corrupt_body_is_a_decode_error() -> None:
    with pytest.raises(BodyDecodeError):
        fetch(b"this is not gzip at all", "gzip")
    with pytest.raises(BodyDecodeError):
        fetch(b"\x00\xff" * 50, "deflate")


def test_a_gzip_bomb_stops_at_the_limit_having_read_little_and_held_little() -> None:
    """A gigabyte behind a megabyte: the reader stops after the limit, having pulled only the
    compressed bytes that make it, and never held much more than the limit."""
    bomb = gzip_bomb(b"", b" ", 1 << 30)
    assert len(bomb) < 2 * MIB  # the test's own premise: a real bomb
    stream = _Chunks(cut(bomb, 64 * 1024))

    async def main() -> None:
        transport = httpx.MockTransport(
            lambda _r: httpx.Response(200, headers={"content-encoding": "gzip"}, stream=stream)
        )
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("GET", "http://x/") as response,
            BodyReader(response, 4 * MIB) as reader,
        ):
            with pytest.raises(BodyTooLargeError):
                while await reader.read():
                    pass
            assert reader.size <= 4 * MIB + STEP

    tracemalloc.start()
    try:
        asyncio.run(main())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Read pieces are dropped as they come: the peak is a few steps, not the limit, and
    # nowhere near what the bomb inflates to.
    assert peak < 16 * STEP + 2 * MIB
    assert stream.sent <= 256 * 1024  # ~4 KB per inflated MiB, read a network piece at a time
    assert stream.closed


def test_each_read_hands_out_at_most_a_step() -> None:
    async def main() -> list[int]:
        stream = _Chunks([gzip.compress(b"y" * (5 * STEP + 17))])
        transport = httpx.MockTransport(
            lambda _r: httpx.Response(200, headers={"content-encoding": "gzip"}, stream=stream)
        )
        sizes = []
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("GET", "http://x/") as response,
            BodyReader(response, 64 * MIB) as reader,
        ):
            while piece := await reader.read():
                sizes.append(len(piece))
        return sizes

    sizes = asyncio.run(main())
    assert sum(sizes) == 5 * STEP + 17
    assert max(sizes) <= STEP
