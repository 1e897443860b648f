"""Topic loggers writing to logs/confab.log, with keys and Authorization headers redacted.

``redact`` masks every secret ``register_secret`` was told of (API keys, proxy passwords) in
a text a server or a library produced: an error detail, a log line, a crash report. Servers
echo the header they were given, and rarely as it was sent: decoded as Latin-1 (a non-ASCII
key then reads "ÐºÐ»ÑŽÑ‡"), as JSON with ``\\u`` escapes, percent-encoded, as Python bytes
(``\\xd0\\xba``), base64-encoded (``Basic`` logins), wrapped over several lines, or cut
short. So the text is read through those encodings, and what matches a secret is masked
where it stands in the original text.
"""

from __future__ import annotations

import base64
import codecs
import logging
import logging.handlers
import re
from pathlib import Path

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
_BASIC = re.compile(r"(?i)\b(basic\s+)([A-Za-z0-9+/_\-]{6,}={0,2})(?![A-Za-z0-9+/_\-=])")
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,})")

# The rule for a piece of a secret: any RUN characters in a row of a secret (or of one of its
# encodings) are masked, not only the whole of it. Texts are cut short before they are shown
# (an error detail at 500 characters, a line in a narrow banner), often in the middle of an
# echoed key, so whatever the cut leaves must go too. Eight characters because fewer say
# nothing of a key: they are its public prefix ("sk-proj-") or the few last characters
# providers themselves show to tell keys apart ("sk-…abcd"), and 8 random characters of a
# key's body are enough to single it out. A secret shorter than RUN is masked when whole.
RUN = 8
MASK = "***"

_secrets: set[str] = set()
_needles: tuple[frozenset[str], tuple[str, ...]] | None = None  # (RUN-grams, short needles)


def register_secret(value: str | None) -> None:
    """Remember a key so that it is masked wherever it would appear in a log line."""
    global _needles
    if value and len(value) >= 4 and value not in _secrets:
        _secrets.add(value)
        _needles = None


def register_login(user: str | None, password: str | None) -> None:
    """Remember a proxy login: its password is masked as any secret, and so is the base64 of
    ``user:password`` (what ``Proxy-Authorization: Basic`` carries), in every form, even when
    the password is too short for its own base64 forms to be told from chance."""
    if user and password:
        register_secret(password)
        register_secret(base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))


def _base64_forms(data: bytes) -> set[str]:
    """How ``data`` reads inside any base64 text: encoded alone or at the end of the encoded
    bytes (``user:password``, ``Bearer key``) at each of the three alignments, and the
    characters that depend on it alone wherever it stands (the groups fully inside it)."""
    forms: set[str] = set()
    for skip in range(3):
        tail = data[skip:]
        inner = tail[: len(tail) // 3 * 3]
        for part in (tail, inner):
            if not part:
                continue
            encoded = base64.b64encode(part).decode("ascii")
            forms.update({encoded, encoded.rstrip("=")})
            forms.add(encoded.replace("+", "-").replace("/", "_").rstrip("="))  # base64url
    return forms


def _build_needles() -> tuple[frozenset[str], tuple[str, ...]]:
    grams: set[str] = set()
    short: set[str] = set()

    def add(needle: str) -> None:
        if len(needle) >= RUN:
            grams.update(needle[i : i + RUN] for i in range(len(needle) - RUN + 1))
        else:
            short.add(needle)

    for secret in _secrets:
        add(secret)
        # A base64 form shorter than RUN characters would be masked wherever those few
        # letters occur: those of a short secret are covered by the Basic pattern instead.
        for form in _base64_forms(secret.encode("utf-8")):
            if len(form) >= RUN:
                add(form)
    return frozenset(grams), tuple(sorted(short, key=len, reverse=True))


# ---- reading a text through the encodings servers use ------------------------------------

# One decoded character, and where it stands in the original text: [start, end).
_Span = tuple[str, int, int]

_TOKEN = re.compile(
    r"%(?P<pct>[0-9A-Fa-f]{2})"
    r"|\\x(?P<hex>[0-9A-Fa-f]{2})"
    r"|\\u(?P<u>[0-9A-Fa-f]{4})"
    r"|\\U(?P<U>[0-9A-Fa-f]{8})"
    r"|&#(?P<dec>[0-9]{1,7});"
    r"|&#[xX](?P<hx>[0-9A-Fa-f]{1,6});"
    r"|\\(?P<esc>[/\"'\\])"
    # A line break, real or JSON-escaped, and the indentation after it: a secret split over
    # lines (a wrapped header, base64 at 76 columns) reads as one.
    r"|(?P<brk>(?:\r\n|\r|\n|\\r\\n|\\n|\\r)[ \t]*)"
)


def _utf8_length(lead: int) -> int:
    """How many bytes the UTF-8 sequence that starts with ``lead`` has (1: not a lead)."""
    return (
        2 if 0xC2 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF5 else 1
    )


def _unescape(text: str) -> list[_Span]:
    """The text with its escapes decoded and its line breaks taken out. Runs of escaped
    bytes (%D0%BA, \\xd0\\xba) are decoded as UTF-8; a byte that is not UTF-8 stays a
    Latin-1 character."""
    spans: list[_Span] = []
    pending: list[tuple[int, int, int]] = []  # escaped bytes not decoded yet

    def flush() -> None:
        index = 0
        while index < len(pending):
            byte, start, _end = pending[index]
            size = _utf8_length(byte)
            chunk = bytes(b for b, _s, _e in pending[index : index + size])
            try:
                char = chunk.decode("utf-8") if size > 1 else chr(byte)
            except UnicodeDecodeError:  # not UTF-8, or cut short
                char, size = chr(byte), 1
            spans.append((char, start, pending[index + size - 1][2]))
            index += size
        pending.clear()

    position = 0
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if start > position:
            flush()
            spans.extend((ch, i, i + 1) for i, ch in enumerate(text[position:start], position))
        position = end
        kind = match.lastgroup
        value = match.group(kind) if kind else ""
        if kind in ("pct", "hex"):
            pending.append((int(value, 16), start, end))
            continue
        flush()
        if kind == "brk":
            continue
        if kind == "esc":
            spans.append((value, start, end))
            continue
        code = int(value, 10 if kind == "dec" else 16)
        if code > 0x10FFFF:
            spans.extend((ch, i, i + 1) for i, ch in enumerate(text[start:end], start))
            continue
        char = chr(code)
        if (
            spans
            and "\udc00" <= char <= "\udfff"
            and "\ud800" <= spans[-1][0] <= "\udbff"
            and spans[-1][2] == start
        ):
            high, high_start, _ = spans.pop()
            pair = (high + char).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            spans.append((pair, high_start, end))
        else:
            spans.append((char, start, end))
    flush()
    spans.extend((ch, i, i + 1) for i, ch in enumerate(text[position:], position))
    return spans


# The byte each character stands for when UTF-8 was read as Latin-1 or Windows-1252.
_AS_BYTE = {chr(code): code for code in range(0x80, 0x100)}
_AS_BYTE.update(
    {
        ch: byte
        for byte in range(0x80, 0xA0)
        for ch in [codecs.decode(bytes([byte]), "cp1252", errors="ignore")]
        if ch
    }
)


def _unmojibake(spans: list[_Span]) -> list[_Span]:
    """UTF-8 that was read as Latin-1 or Windows-1252 ("Ð\u00baÐ»" → "кл"), read again."""
    result: list[_Span] = []
    index = 0
    while index < len(spans):
        char, start, end = spans[index]
        lead = _AS_BYTE.get(char, 0)
        size = _utf8_length(lead)
        if size > 1:
            chunk = [_AS_BYTE.get(c, 0) for c, _s, _e in spans[index + 1 : index + size]]
            if len(chunk) == size - 1 and all(0x80 <= b < 0xC0 for b in chunk):
                try:
                    decoded = bytes([lead, *chunk]).decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    result.append((decoded, start, spans[index + size - 1][2]))
                    index += size
                    continue
        result.append((char, start, end))
        index += 1
    return result


def _views(text: str) -> list[list[_Span]]:
    """The readings of ``text`` to look for secrets in: as it is, unescaped, and unescaped
    with mojibake undone (twice: a header read as Latin-1 by a proxy and again by a server)."""
    plain = [(ch, i, i + 1) for i, ch in enumerate(text)]
    views = [plain]
    if _TOKEN.search(text) or not text.isascii():
        unescaped = _unescape(text)
        views.append(unescaped)
        once = _unmojibake(unescaped)
        if len(once) != len(unescaped):
            views.append(once)
            twice = _unmojibake(once)
            if len(twice) != len(once):
                views.append(twice)
    return views


def _secret_ranges(text: str) -> list[tuple[int, int]]:
    global _needles
    if _needles is None:
        _needles = _build_needles()
    grams, short = _needles
    ranges: list[tuple[int, int]] = []
    for view in _views(text):
        decoded = "".join(ch for ch, _s, _e in view)  # one character per span
        for i in range(len(view) - RUN + 1):
            if decoded[i : i + RUN] in grams:
                ranges.append((view[i][1], view[i + RUN - 1][2]))
        for needle in short:
            found = decoded.find(needle)
            while found >= 0:
                ranges.append((view[found][1], view[found + len(needle) - 1][2]))
                found = decoded.find(needle, found + 1)
    return ranges


def redact(text: str) -> str:
    if _secrets and len(text) >= 4:
        ranges = sorted(_secret_ranges(text))
        if ranges:
            parts: list[str] = []
            position = 0
            merged_start, merged_end = ranges[0]
            for start, end in [*ranges[1:], (len(text) + 1, len(text) + 1)]:
                if start <= merged_end:
                    merged_end = max(merged_end, end)
                    continue
                parts.append(text[position:merged_start])
                parts.append(MASK)
                position = merged_end
                merged_start, merged_end = start, end
            parts.append(text[position:])
            text = "".join(parts)
    text = _BEARER.sub(r"\1***", text)
    text = _BASIC.sub(_mask_basic, text)
    return _KEYLIKE.sub("sk-***", text)


def _mask_basic(match: re.Match[str]) -> str:
    """``Basic <base64>`` credentials, not the words after "Basic" ("Basic authentication
    required"): base64 of a login has digits or symbols, or capitals after its first letter."""
    token = match.group(2)
    if any(ch.isdigit() or ch in "+/=" for ch in token) or any(ch.isupper() for ch in token[1:]):
        return match.group(1) + MASK
    return match.group(0)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


# Why the log could not be opened at start ("" when it could): the window says so.
log_problem = ""


def setup_logging(
    data_dir: Path, level: int = logging.INFO, name: str = "confab.log"
) -> Path | None:
    """Log to ``logs/confab.log`` (or ``name``: a command run beside the app writes its own,
    two processes rotating one file lose lines); None (and ``log_problem`` says why) when that
    cannot be opened, as when ``logs`` is a file: Confab then runs without a log rather than
    not at all."""
    global log_problem
    folder = data_dir / "logs"
    path = folder / name
    handler: logging.Handler
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:
        log_problem = f"{path}: {exc.strerror or exc}"
        handler = logging.NullHandler()
    else:
        log_problem = ""
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("confab")
    root.setLevel(level)
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.propagate = False
    # httpx logs each request URL at INFO; keep that out of the user's log noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return None if log_problem else path
