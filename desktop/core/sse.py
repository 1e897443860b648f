"""An incremental, forgiving Server-Sent Events parser.

Real servers differ: CRLF or CR line ends, ``data:`` with or without the space, ``: ping``
comments, events split at any byte. Feed it bytes as they arrive; it returns each complete
event's data.
"""

from __future__ import annotations


class SSEParser:
    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._saw_cr = False

    def feed(self, chunk: bytes) -> list[str]:
        events: list[str] = []
        if not chunk:
            return events  # must not forget a CR waiting for its LF
        if self._saw_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the \n of a CRLF split across two chunks
        self._saw_cr = False
        buffer = self._buffer + chunk
        start = 0
        length = len(buffer)
        while True:
            cr = buffer.find(b"\r", start)
            lf = buffer.find(b"\n", start)
            if cr == -1 and lf == -1:
                break
            if cr != -1 and (lf == -1 or cr < lf):
                end, next_start = cr, cr + 1
                if next_start < length and buffer[next_start : next_start + 1] == b"\n":
                    next_start += 1
                elif next_start == length:
                    self._saw_cr = True
            else:
                end, next_start = lf, lf + 1
            self._line(buffer[start:end], events)
            start = next_start
        self._buffer = buffer[start:]
        return events

    def close(self) -> list[str]:
        """End of stream: a last event without its blank line still counts."""
        events: list[str] = []
        if self._buffer:
            self._line(self._buffer, events)
            self._buffer = b""
        self._dispatch(events)
        return events

    def _line(self, raw: bytes, events: list[str]) -> None:
        line = raw.decode("utf-8", errors="replace")
        if not line:
            self._dispatch(events)
            return
        if line.startswith(":"):
            return  # comment / keep-alive ping
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)

    def _dispatch(self, events: list[str]) -> None:
        if self._data:
            events.append("\n".join(self._data))
            self._data = []
