"""An incremental, forgiving Server-Sent Events parser, linear in what it is fed and bounded.

Real servers differ: CRLF or CR line ends, ``data:`` with or without the space, ``: ping``
comments, events split at any byte. Feed it bytes as they arrive; it returns each complete
event's data.

A hostile or broken server may send a line that never ends, or an event of endless ``data:``
lines: no line may grow past ``max_line`` bytes, no event past ``max_event`` bytes of data
(``StreamLimitError``), so memory stays bounded whatever arrives. Each byte is scanned once
for line ends, and a line split across many chunks is joined once, when it ends: feeding a
long line one byte at a time costs what feeding it at once does (``work`` counts it, for the
tests).
"""

from __future__ import annotations

MAX_LINE = 8 * 1024 * 1024
MAX_EVENT = 8 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"


class StreamLimitError(ValueError):
    """A line or an event is larger than the parser accepts; ``what`` is "line" or "event"."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"an event-stream {what} longer than {limit} bytes")
        self.what = what
        self.limit = limit


class SSEParser:
    def __init__(self, *, max_line: int = MAX_LINE, max_event: int = MAX_EVENT) -> None:
        self.max_line = max_line
        self.max_event = max_event
        self.lines = 0  # lines completed so far (data, comments, blank lines: any)
        self.work = 0  # bytes scanned, joined or decoded so far
        self._partial: list[bytes] = []  # the start of a line whose end has not arrived
        self._partial_size = 0
        self._data: list[str] = []
        self._data_size = 0
        self._saw_cr = False
        self._at_start = True  # a byte-order mark may open the stream
        self._bom = b""  # its first bytes, while they may be one

    def feed(self, chunk: bytes) -> list[str]:
        events: list[str] = []
        if not chunk:
            return events  # must not forget a CR waiting for its LF
        if self._saw_cr:
            self._saw_cr = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]  # the \n of a CRLF split across two chunks
        if self._at_start:
            head = self._bom + chunk
            if len(head) < len(_BOM) and _BOM.startswith(head):
                self._bom = head  # maybe a byte-order mark, maybe a line's start: wait
                return events
            self._at_start = False
            self._bom = b""
            chunk = head[len(_BOM) :] if head.startswith(_BOM) else head
        self.work += len(chunk)
        if b"\r" in chunk:
            self._saw_cr = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        # Split in C, then one cheap test per line: a stream of millions of tiny lines (a
        # bomb of keep-alive comments) must cost little more than its bytes.
        lines = chunk.split(b"\n")
        rest = lines.pop()  # after the last line end: the start of a line still coming
        if lines:
            if self._partial:
                lines[0] = self._joined(lines[0])
            if len(chunk) > self.max_line and max(map(len, lines)) > self.max_line:
                raise StreamLimitError("line", self.max_line)
            self.lines += len(lines)
            for raw in lines:
                if not raw:
                    if self._data:
                        self._dispatch(events)
                elif raw[0] != 58:  # not a ":" comment / keep-alive ping
                    self._field(raw)
        if rest:
            self._keep(rest)
        return events

    def close(self) -> list[str]:
        """End of stream: a last event without its blank line still counts."""
        events: list[str] = []
        if self._bom:  # the stream was only the start of a byte-order mark
            self._keep(self._bom)
            self._bom = b""
        if self._partial:
            raw = self._joined(b"")
            self.lines += 1
            if raw and raw[0] != 58:
                self._field(raw)
        self._dispatch(events)
        self._saw_cr = False
        self._at_start = True
        return events

    def _keep(self, piece: bytes) -> None:
        self._partial_size += len(piece)
        if self._partial_size > self.max_line:
            raise StreamLimitError("line", self.max_line)
        self._partial.append(piece)

    def _joined(self, end: bytes) -> bytes:
        """The line that ``end`` ends, with its start from earlier chunks."""
        if self._partial_size + len(end) > self.max_line:
            raise StreamLimitError("line", self.max_line)
        self._partial.append(end)
        line = b"".join(self._partial)
        self.work += len(line)
        self._partial, self._partial_size = [], 0
        return line

    def _field(self, raw: bytes) -> None:
        name, _, value = raw.partition(b":")
        if name != b"data":
            return  # event:, id:, retry: and unknown fields change nothing here
        if value.startswith(b" "):
            value = value[1:]
        self._data_size += len(value)
        if self._data_size > self.max_event:
            raise StreamLimitError("event", self.max_event)
        self.work += len(value)
        self._data.append(value.decode("utf-8", errors="replace"))

    def _dispatch(self, events: list[str]) -> None:
        if self._data:
            events.append("\n".join(self._data))
            self._data = []
        self._data_size = 0
