"""A provider's network settings: timeouts, proxy, CA bundle and TLS verification.

Pure data and checks, no httpx: the providers dialog shows these types, desktop/core/client.py
turns them into an HTTP client. In settings.json they sit on the provider, written only where
they differ from the defaults (older Confabs ignore the key)::

    "network": {"proxy": "custom", "proxy_url": "socks5://127.0.0.1:1080", "proxy_user": "me",
                "ca_bundle": "/etc/ssl/corp.pem", "verify_tls": true,
                "timeouts": {"connect": 10, "first_byte": 120, "silence": 60}}

The proxy password is never here: it lives in the OS keyring (desktop/core/secrets.py).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("confab.network")

PROXY_SYSTEM = "system"  # what the OS (or HTTP(S)_PROXY / ALL_PROXY / NO_PROXY) says
PROXY_NONE = "none"
PROXY_CUSTOM = "custom"
PROXY_MODES = (PROXY_SYSTEM, PROXY_NONE, PROXY_CUSTOM)
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")

# Longest timeout accepted from the dialog or a hand-edited file: a day is already absurd.
MAX_TIMEOUT = 24 * 3600.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds. httpx knows connect/read/write; "first byte" and "silence" are Confab's own
    (see desktop/core/client.py), because one read timeout cannot serve both:

    - ``connect`` 10 s: opening a connection (TCP, the proxy, TLS) takes well under a second
      even across the world; a server that is down or a wrong address should say so quickly.
    - ``first_byte`` 120 s: from sending until the reply's first text. Reasoning models (o1/o3,
      DeepSeek-R1, QwQ) think silently for 30-90 s on hard questions before their first token,
      and a local server may first load the model into memory; a minute would cut them off.
    - ``silence`` 60 s: once text flows, tokens come several a second and servers send
      keep-alive comments while they wait; a minute of nothing means the server or the
      connection is stuck, and the text so far is kept.
    - ``write`` 30 s: sending the request; not a setting (requests are small).
    """

    connect: float = 10.0
    first_byte: float = 120.0
    silence: float = 60.0
    write: float = 30.0


DEFAULT_TIMEOUTS = Timeouts()
TIMEOUT_NAMES = ("connect", "first_byte", "silence")


@dataclass(frozen=True)
class ProxyUrl:
    url: str  # scheme://host:port, never with credentials
    user: str = ""
    password: str = ""


class ProxyUrlError(ValueError):
    """``reason`` is "scheme", "host" or "port": what is wrong with the address."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_proxy_url(text: str) -> ProxyUrl:
    """``http://user:pass@host:3128`` → the address without credentials, and the credentials.

    Raises ProxyUrlError. The port is required: proxies have no standard one."""
    from urllib.parse import unquote, urlsplit

    text = text.strip()
    if "://" not in text:
        raise ProxyUrlError("scheme")
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # "http://[::1" and friends
        raise ProxyUrlError("host") from exc
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise ProxyUrlError("scheme")
    host = parts.hostname
    if not host:
        raise ProxyUrlError("host")
    try:
        port = parts.port
    except ValueError as exc:
        raise ProxyUrlError("port") from exc
    if not port:
        raise ProxyUrlError("port")
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return ProxyUrl(
        f"{scheme}://{netloc}", unquote(parts.username or ""), unquote(parts.password or "")
    )


def strip_credentials(url: str) -> str:
    """The proxy address as it may be written to settings.json: without user or password."""
    if "@" not in url:
        return url.strip()
    try:
        return parse_proxy_url(url).url
    except ProxyUrlError:
        # Not a valid address anyway: keep what the user typed, minus anything before the @.
        scheme, _, rest = url.strip().partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}" if rest else url.strip().rpartition("@")[2]


def check_ca_bundle(path: str) -> str | None:
    """What is wrong with a CA bundle file: "missing", "unreadable", "not_pem"; None if fine."""
    import ssl

    file = Path(path).expanduser()
    if not file.is_file():
        return "missing"
    try:
        text = file.read_bytes()
    except OSError:
        return "unreadable"
    if b"-----BEGIN CERTIFICATE-----" not in text:
        return "not_pem"
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=str(file))
    except (ssl.SSLError, ValueError):
        return "not_pem"
    except OSError:
        return "unreadable"
    return None


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1, and 0.0.0.0 / :: (an address servers listen on, which
    clients reach on this computer: Ollama's OLLAMA_HOST=0.0.0.0 is common): servers on this
    computer, never reached via a proxy."""
    import ipaddress

    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def is_local_url(url: str) -> bool:
    """A server on this computer (Ollama, LM Studio, llama.cpp): such servers need no key."""
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return is_loopback(host)


def timeout_seconds(value: Any, default: float) -> float:
    """A timeout as found in a file or typed: a positive number of seconds, else ``default``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if not math.isfinite(value) or value <= 0:
        return default
    return float(min(value, MAX_TIMEOUT))


@dataclass(frozen=True)
class NetworkSettings:
    proxy: str = PROXY_SYSTEM
    proxy_url: str = ""
    proxy_user: str = ""
    ca_bundle: str = ""
    verify_tls: bool = True
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    # Keys a newer Confab wrote: kept and written back.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def is_default(self) -> bool:
        return self == NetworkSettings() and not self.extra

    def to_dict(self) -> dict[str, Any]:
        """Only what differs from the defaults (fileformat.network_to_dict)."""
        from desktop.core.fileformat import network_to_dict

        return network_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> NetworkSettings:
        """Liberal: a wrong value falls back to its default (and is logged), never fails."""
        from desktop.core.fileformat import network_from_dict

        return network_from_dict(data)
