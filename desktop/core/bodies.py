"""Reading an HTTP response body within a size limit, whatever the server claims or sends.

httpx inflates a gzip body as it arrives, one network read at a time, and a read of 64 KiB of
a gzip bomb inflates to some 64 MiB at once (a 1 MB bomb to a gigabyte). ``BodyReader``
reads the raw bytes instead and inflates gzip and deflate itself, at most ``STEP`` bytes at a
time, counting what comes out: past ``limit`` it raises ``BodyTooLargeError`` (or, asked to
``truncate``, ends there), so no body ever costs more memory than the limit and one step.

The client asks only for gzip and deflate (``ACCEPT_ENCODING``); any other encoding a server
sends anyway goes through httpx's own decoder, still counted.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import cast

import httpx

ACCEPT_ENCODING = "gzip, deflate"
# Inflated bytes handed on at a time: small enough to bound memory, large enough to cost
# nothing next to a network read.
STEP = 64 * 1024


class BodyTooLargeError(Exception):
    """The body's decoded bytes went past ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


class BodyDecodeError(Exception):
    """A body claimed to be gzip or deflate is not."""


class _Inflater:
    """One gzip or deflate layer, inflating at most STEP bytes per piece."""

    def __init__(self, encoding: str) -> None:
        # deflate is zlib-wrapped by the standard and raw in practice (old IIS): which one is
        # told by the first two bytes, so those are awaited first.
        self._undecided = b"" if encoding == "deflate" else None
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._undecided is not None:
            data = self._undecided + data
            if len(data) < 2:
                self._undecided = data
                return
            self._undecided = None
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        while True:
            try:
                out = self._inflater.decompress(data, STEP)
            except zlib.error as exc:
                raise BodyDecodeError(f"the compressed body is corrupt ({exc})") from exc
            data = self._inflater.unconsumed_tail
            if out:
                yield out
            if self._inflater.eof:
                return  # anything after the end of the stream is ignored, as by httpx
            if not data and len(out) < STEP:
                return  # all input consumed and nothing more is waiting inside zlib

    def flush(self) -> Iterator[bytes]:
        # feed() drains zlib as it goes: what is left is a lone first byte of deflate, if any.
        if self._undecided:
            raise BodyDecodeError("the compressed body is cut short")
        yield from self.feed(b"")


def _layers(content_encoding: str) -> list[_Inflater] | None:
    """The inflaters for a Content-Encoding, outermost last; None when one is not ours."""
    names = [name.strip().lower() for name in content_encoding.split(",")]
    layers = []
    for name in names:
        if name in ("", "identity"):
            continue
        if name in ("gzip", "x-gzip"):
            layers.append(_Inflater("gzip"))
        elif name == "deflate":
            layers.append(_Inflater("deflate"))
        else:
            return None
    return layers


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class BodyReader:
    """The decoded body of a streamed ``httpx.Response``, one piece per ``read()``.

    ``read()`` returns b"" at the end. Use it as an async context manager (or call
    ``aclose()``): the raw iterator is an async generator that must be closed explicitly when
    the body is not read to its end (DESIGN.md, known pitfalls: qasync and async generators).
    """

    def __init__(self, response: httpx.Response, limit: int, *, truncate: bool = False) -> None:
        self.limit = limit
        self.truncate = truncate
        self._response = response
        self.size = 0  # decoded bytes so far
        self.raw_size = 0  # bytes as they came over the wire
        self._ended = False
        self._pending: Iterator[bytes] = iter(())
        layers = _layers(response.headers.get("content-encoding", ""))
        self._layers: list[_Inflater] = []
        if response.is_stream_consumed:
            # Read already, and decoded by httpx (a response built in memory, as by
            # httpx.MockTransport with content=): only the counting is left to do.
            source: AsyncIterator[bytes] = _once(response.content)
        elif layers is None:
            # Not an encoding we asked for: httpx decodes it (or passes it on as it is).
            source = response.aiter_bytes()
        else:
            self._layers = layers
            source = response.aiter_raw()
        # httpx types these as AsyncIterators; they are async generators, with aclose().
        self._source = cast(AsyncGenerator[bytes, None], source)

    async def __aenter__(self) -> BodyReader:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        # The response first: that closes httpcore's byte streams while this task runs. The
        # raw iterator's own close leaves the async generators beneath it suspended (an
        # ``async for`` does not close what it iterates), to be finalised at garbage
        # collection, where, with no asyncgen hooks (qasync), a close that still had to
        # wait for a lock raised "async generator ignored GeneratorExit". Closed already,
        # they end at once.
        await self._response.aclose()
        await self._source.aclose()

    async def read(self) -> bytes:
        while not self._ended:
            piece = next(self._pending, None)
            if piece is not None:
                return self._count(piece)
            try:
                raw = await anext(self._source)
            except StopAsyncIteration:
                self._ended = True
                self._pending = self._decode(b"", final=True)
                continue
            self.raw_size += len(raw)
            self._pending = self._decode(raw, final=False)
        piece = next(self._pending, None)
        return self._count(piece) if piece is not None else b""

    async def read_all(self) -> bytes:
        pieces = []
        while piece := await self.read():
            pieces.append(piece)
        return b"".join(pieces)

    def _decode(self, raw: bytes, *, final: bool) -> Iterator[bytes]:
        pieces: Iterator[bytes] = iter((raw,)) if raw else iter(())
        # Content-Encoding lists the encodings in the order applied: undo the last first.
        for layer in reversed(self._layers):
            pieces = self._through(layer, pieces, final=final)
        return (piece for piece in pieces if piece)

    @staticmethod
    def _through(layer: _Inflater, pieces: Iterator[bytes], *, final: bool) -> Iterator[bytes]:
        for piece in pieces:
            yield from layer.feed(piece)
        if final:
            yield from layer.flush()

    def _count(self, piece: bytes) -> bytes:
        room = self.limit - self.size
        if len(piece) > room:
            if not self.truncate:
                self.size += len(piece)
                raise BodyTooLargeError(self.limit)
            piece = piece[:room]
            self._ended = True
            self._pending = iter(())
        self.size += len(piece)
        return piece


async def read_body(response: httpx.Response, limit: int, *, truncate: bool = False) -> bytes:
    """The whole decoded body, at most ``limit`` bytes (see BodyReader)."""
    async with BodyReader(response, limit, truncate=truncate) as reader:
        return await reader.read_all()
