"""Links in a reply: what a link really points to, and when its text pretends otherwise.

A model's text (or a page it quotes) can make a link read "https://paypal.com" and point
elsewhere, hide the real order of an address behind bidirectional controls, or use a host of
look-alike letters (Cyrillic "а" for Latin "a"). The window shows the real address on hover and
asks before opening a link whose text looks like another address.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# The renderer marks a link whose text misleads with this prefix: the window asks before
# opening what follows it.
CHECK_SCHEME = "confab-check:"

# Characters that reorder or hide text: the bidi embeddings, overrides and isolates, the
# directional marks, and zero-width characters.
HIDDEN = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u200c\u200d\u2060\ufeff"
)
# Something a reader takes for an address: a scheme, "www.", or a dotted name with a
# top-level domain of letters.
_LOOKS_LIKE_ADDRESS = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S+$|^[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?:[/:?#]\S*)?$",
    re.IGNORECASE,
)


def strip_hidden(text: str) -> str:
    return "".join(ch for ch in text if ch not in HIDDEN)


def host_of(url: str) -> str:
    """The host as a reader should see it: lower case, look-alike letters spelled out as the
    IDNA ("xn--") form when the host mixes scripts or is not ASCII."""
    try:
        host = urlsplit(strip_hidden(url.strip())).hostname or ""
    except ValueError:
        return ""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def shown_address(url: str) -> str:
    """``url`` as the window shows it before opening: hidden characters made visible as
    escapes and a non-ASCII host in its IDNA form."""
    visible = "".join(f"\\u{ord(ch):04x}" if ch in HIDDEN else ch for ch in url)
    try:
        parts = urlsplit(strip_hidden(url))
        host = parts.hostname or ""
    except ValueError:
        return visible
    if host and not host.isascii():
        ascii_host = host_of(url)
        return visible.replace(host, ascii_host, 1) if host in visible else visible
    return visible


def misleading(text: str, href: str) -> str | None:
    """Why a link whose visible ``text`` goes to ``href`` misleads, or None.

    "other-host": the text reads as an address on another host; "hidden": the text or the
    address holds characters that reorder or hide letters; "look-alike": the host mixes
    scripts (letters that look Latin and are not).
    """
    if any(ch in HIDDEN for ch in text) or any(ch in HIDDEN for ch in href):
        return "hidden"
    target = host_of(href)
    if target and _mixed_scripts(_hostname(href)):
        return "look-alike"
    shown = unicodedata.normalize("NFKC", text.strip())
    if target and _LOOKS_LIKE_ADDRESS.match(shown):
        candidate = shown if "://" in shown else "http://" + shown
        if _mixed_scripts(_hostname(candidate)):
            return "look-alike"
        text_host = host_of(candidate)
        if text_host and _registered(text_host) != _registered(target):
            return "other-host"
    return None


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # "http://[" and the like
        return ""


def _registered(host: str) -> str:
    """Near enough the registered domain: "www." and subdomains off (mail.example.org and
    example.org are one site to a reader)."""
    labels = host.lower().rstrip(".").split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


def _mixed_scripts(host: str) -> bool:
    scripts = set()
    for ch in host:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            scripts.add(name.split(" ")[0] if name else "?")
    return len(scripts) > 1
