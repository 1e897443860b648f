"""A JSON list read one element at a time, from a stream: a 1 GB conversations.json is never
held whole, nor twice. (ijson would do it; it is not a dependency, and the standard library's
``JSONDecoder.raw_decode`` over a buffered read does it at C speed.)

The buffer holds what has been read and not yet decoded: about one element, plus a chunk.
When an element does not decode, a string-aware bracket scan tells a broken element (its end
is in the buffer: reported, skipped, the next one read) from an unfinished one (more is read,
the chunk doubling so that a huge element costs linear time; at the end of the file: the
file is truncated, reported, and the reading ends).

Hostile text never raises anything but ``JsonStreamError`` subclasses: numbers of thousands of
digits read as floats (Python refuses to make such ints), nesting too deep for the decoder is
a broken element, and the bytes read are capped (``limit``: a zip bomb's member).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 1 << 20
# Python refuses str -> int past 4300 digits (ValueError); such a number is read as a float.
_MAX_INT_DIGITS = 4000
_WS = re.compile(r"[ \t\n\r]*")
# A JSON string or a bracket: what a scan for an element's end needs to see.
# (A lone quote: a string the buffer ends in.)
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{}]', re.DOTALL)
_SEPARATOR = re.compile(r"[,\]\}]")


def _parse_int(text: str) -> int | float:
    return int(text) if len(text) <= _MAX_INT_DIGITS else float(text)


_DECODER = json.JSONDecoder(parse_int=_parse_int)


class JsonStreamError(Exception):
    """What went wrong, for a person: ``index`` is the element it happened at (0-based)."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


class NotAList(JsonStreamError):
    """The text is not a JSON list (nor a single object): nothing in it can be read."""


class Truncated(JsonStreamError):
    """The text ends inside element ``index`` (or before the list's end): the elements
    before it were read."""


class Ended(Truncated):
    """The file itself ends there (a download cut short), rather than holding bad JSON."""


class TooLarge(JsonStreamError):
    """More than the limit was read (a zip bomb, or an export bigger than Confab reads)."""


class Broken(Exception):
    """Yielded (not raised) in place of an element that could not be decoded; the reading
    goes on with the next one."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


class ListReader:
    """``iter(ListReader(stream))`` yields the elements of the JSON list in ``stream``
    (binary, UTF-8, a BOM allowed), or ``Broken`` for one that cannot be decoded. A single
    object instead of a list is read as a list of one. ``bytes_read`` counts what was read
    from the stream."""

    def __init__(self, stream: IO[bytes], limit: int | None = None, chunk: int = CHUNK) -> None:
        self._stream = stream
        self._limit = limit
        self._chunk = chunk
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self.bytes_read = 0

    def _more(self, size: int) -> bool:
        """Read about ``size`` more bytes into the buffer; False at the end of the stream."""
        if self._eof:
            return False
        if self._limit is not None and self.bytes_read >= self._limit:
            raise TooLarge(f"more than {self._limit:,} bytes", -1)
        if self._limit is not None:
            size = min(size, self._limit - self.bytes_read + 1)
        data = self._stream.read(size)
        self.bytes_read += len(data)
        if self._limit is not None and self.bytes_read > self._limit:
            raise TooLarge(f"more than {self._limit:,} bytes", -1)
        text = self._decoder.decode(data, final=not data)
        if self._pos > len(self._buffer) // 2:
            self._buffer = self._buffer[self._pos :]
            self._pos = 0
        self._buffer += text
        if not data:
            self._eof = True
        return bool(data) or bool(text)

    def _skip_space(self) -> bool:
        """Move past white space; False when the text ends here."""
        while True:
            end = _WS.match(self._buffer, self._pos)
            self._pos = end.end() if end else self._pos
            if self._pos < len(self._buffer):
                return True
            if not self._more(self._chunk):
                return False

    def _next_char(self) -> str | None:
        return self._buffer[self._pos] if self._skip_space() else None

    def __iter__(self) -> Iterator[Any]:
        first = self._next_char()
        if first == "\ufeff":
            self._pos += 1
            first = self._next_char()
        if first == "{":
            yield from self._element(0, single=True)
            return
        if first != "[":
            raise NotAList("not a JSON list", 0)
        self._pos += 1
        index = 0
        while True:
            char = self._next_char()
            if char is None:
                raise Ended("the file ends before the list does", index)
            if char == "]":
                return
            if index and char == ",":
                self._pos += 1
                char = self._next_char()
                if char is None:
                    raise Ended("the file ends before the list does", index)
            elif index:
                raise Truncated(f"expected a comma after element {index}", index)
            yield from self._element(index)
            index += 1

    def _element(self, index: int, single: bool = False) -> Iterator[Any]:
        size = self._chunk
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._pos)
            except (ValueError, RecursionError) as exc:
                stop = self._end_of_value(self._pos)
                if stop is not None:
                    # The element is all there and still does not decode: it is broken.
                    self._pos = stop
                    yield Broken(_reason(exc), index)
                    return
                if not self._more(size):
                    raise Ended("the file ends in the middle of it", index) from None
                size *= 2
                continue
            # A number at the very end of the buffer may go on in the next chunk.
            at_end = end == len(self._buffer) and not single and not self._eof
            if at_end and isinstance(value, int | float) and self._more(size):
                continue
            self._pos = end
            yield value
            return

    def _end_of_value(self, start: int) -> int | None:
        """Where the object or list starting at ``start`` ends, if that is in the buffer."""
        if self._buffer[start] not in "[{":
            # A bare value (a number, a word): up to the next comma or bracket.
            found = _SEPARATOR.search(self._buffer, start + 1)
            return found.start() if found else None
        depth = 0
        for token in _TOKEN.finditer(self._buffer, start):
            text = token.group()
            if text == '"':
                return None
            if text in "[{":
                depth += 1
            elif text in "]}":
                depth -= 1
                if depth == 0:
                    return token.end()
        return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    # Not str(exc): its line and column count from the buffer, not the file.
    text = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
    return text if len(text) <= 120 else text[:117] + "..."
