"""Real proxies and a TLS front on the loopback interface, for tests. Standard library only.

``HttpProxy``
    An HTTP forward proxy: absolute-form requests (``GET http://host:port/path``, one per
    connection) and ``CONNECT host:port`` tunnels, with optional Basic ``Proxy-Authorization``
    (407 when missing or wrong).
``Socks5Proxy``
    A SOCKS5 proxy (RFC 1928, CONNECT only) with optional user name/password auth (RFC 1929).
``TlsFront``
    Terminates TLS with a given certificate and relays the plain bytes to a port on 127.0.0.1:
    put it in front of the loopback OpenAI server to get an https:// server.

Each records what went through it in ``requests`` (dicts with ``method``, ``target``, ``user``,
``password``, ``authorized``), so a test can check a request really took the proxy, with the
right credentials. ``hosts`` maps made-up host names to 127.0.0.1 (so a client can only reach
them through the proxy); targets that are not on this computer are refused, so no test can
reach the internet through them::

    with HttpProxy(credentials=("me", "pw"), hosts={"api.confab.invalid"}) as proxy:
        ...  # proxy.url == "http://127.0.0.1:PORT"
        proxy.requests[-1]["target"]
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import selectors
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

_HEAD_LIMIT = 64 * 1024


class _Closed(Exception):
    """The peer went away in the middle of a handshake."""


class _LoopbackServer:
    """Accepts on 127.0.0.1 in a thread, one thread per connection; stop() closes them all."""

    scheme = "tcp"

    def __init__(
        self, credentials: tuple[str, str] | None = None, hosts: set[str] | None = None
    ) -> None:
        self.credentials = credentials  # (user, password) the proxy asks for; None: none
        self.hosts = {h.lower() for h in hosts or ()}
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> Any:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.settimeout(0.05)
        self._listener = listener
        self._stopping.clear()
        self._thread = threading.Thread(target=self._accept, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout)
        self._listener = self._thread = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("not running")
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()

    # ---- plumbing ------------------------------------------------------------------------

    def _record(self, **entry: Any) -> None:
        with self._lock:
            self._requests.append(entry)

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._sockets.add(conn)
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.handle(conn)
        except (OSError, _Closed, ValueError):
            pass
        finally:
            with self._lock:
                self._sockets.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _connect(self, host: str, port: int) -> socket.socket | None:
        """A connection to the target, if it is on this computer (or a mapped name)."""
        host = host.strip("[]").lower()
        if host in self.hosts or host == "localhost":
            host = "127.0.0.1"
        try:
            if not ipaddress.ip_address(host).is_loopback:
                return None
        except ValueError:
            return None
        try:
            upstream = socket.create_connection((host, port), timeout=5)
        except OSError:
            return None
        upstream.settimeout(None)
        with self._lock:
            self._sockets.add(upstream)
        return upstream

    def _relay(self, a: socket.socket, b: socket.socket, first: bytes = b"") -> None:
        """Copy bytes both ways until either side closes."""
        if first:
            b.sendall(first)
        peers = {a: b, b: a}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            while not self._stopping.is_set():
                # Decrypted bytes an SSL socket already holds are invisible to select().
                ready = [s for s in peers if isinstance(s, ssl.SSLSocket) and s.pending()]
                if not ready:
                    ready = [key.fileobj for key, _ in selector.select(0.05)]  # type: ignore[misc]
                for sock in ready:
                    try:
                        data = sock.recv(65536)
                    except (OSError, ssl.SSLError):
                        data = b""
                    if not data:
                        return
                    peers[sock].sendall(data)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.close()


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """An HTTP head (up to the blank line) and whatever came after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise _Closed
        data += chunk
        if len(data) > _HEAD_LIMIT:
            raise ValueError("head too long")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest


def _recv_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise _Closed
        data += chunk
    return data


def _parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return lines[0], headers


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in headers if n.lower() == name.lower()), None)


def _with_close(start: str, headers: list[tuple[str, str]], drop: set[str]) -> bytes:
    kept = [(n, v) for n, v in headers if n.lower() not in drop | {"connection"}]
    lines = [start, *(f"{n}: {v}" for n, v in kept), "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


class HttpProxy(_LoopbackServer):
    scheme = "http"

    def handle(self, conn: socket.socket) -> None:
        head, rest = _read_head(conn)
        start, headers = _parse_head(head)
        method, target, _version = start.split(" ", 2)
        user = password = None
        auth = _header(headers, "Proxy-Authorization")
        if auth and auth.lower().startswith("basic "):
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8", "replace")
            user, _, password = decoded.partition(":")
        authorized = self.credentials is None or (user, password) == self.credentials
        self._record(
            method=method, target=target, user=user, password=password, authorized=authorized
        )
        if not authorized:
            conn.sendall(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="confab-test"\r\n'
                b"Content-Type: text/plain\r\nContent-Length: 21\r\nConnection: close\r\n\r\n"
                b"proxy login required\n"
            )
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = self._connect(host, int(port))
            if upstream is None:
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            try:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._relay(conn, upstream, b"")
            finally:
                self._close(upstream)
            return
        self._forward(conn, method, target, headers, rest)

    def _forward(
        self,
        conn: socket.socket,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        rest: bytes,
    ) -> None:
        url = urlsplit(target)
        upstream = self._connect(url.hostname or "", url.port or 80)
        if upstream is None:
            conn.sendall(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            return
        try:
            length = int(_header(headers, "Content-Length") or 0)
            body = rest + _recv_exactly(conn, max(0, length - len(rest)))
            path = url.path or "/"
            if url.query:
                path += "?" + url.query
            drop = {"proxy-authorization", "proxy-connection"}
            upstream.sendall(_with_close(f"{method} {path} HTTP/1.1", headers, drop) + body)
            head, after = _read_head(upstream)
            start, response_headers = _parse_head(head)
            conn.sendall(_with_close(start, response_headers, set()) + after)
            while True:
                data = upstream.recv(65536)
                if not data:
                    return
                conn.sendall(data)
        finally:
            self._close(upstream)


class Socks5Proxy(_LoopbackServer):
    scheme = "socks5"

    def handle(self, conn: socket.socket) -> None:
        version, count = _recv_exactly(conn, 2)
        if version != 5:
            return
        methods = _recv_exactly(conn, count)
        user = password = None
        if self.credentials is not None:
            if 2 not in methods:
                conn.sendall(b"\x05\xff")  # no acceptable method
                self._record(
                    method="CONNECT", target=None, user=None, password=None, authorized=False
                )
                return
            conn.sendall(b"\x05\x02")
            _sub_version, user_length = _recv_exactly(conn, 2)
            user = _recv_exactly(conn, user_length).decode("utf-8", "replace")
            (password_length,) = _recv_exactly(conn, 1)
            password = _recv_exactly(conn, password_length).decode("utf-8", "replace")
            if (user, password) != self.credentials:
                conn.sendall(b"\x01\x01")
                self._record(
                    method="CONNECT", target=None, user=user, password=password, authorized=False
                )
                return
            conn.sendall(b"\x01\x00")
        else:
            conn.sendall(b"\x05\x00")
        _version, command, _reserved, kind = _recv_exactly(conn, 4)
        if kind == 1:
            host = socket.inet_ntoa(_recv_exactly(conn, 4))
        elif kind == 3:
            (length,) = _recv_exactly(conn, 1)
            host = _recv_exactly(conn, length).decode("idna")
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, _recv_exactly(conn, 16))
        else:
            return
        port = int.from_bytes(_recv_exactly(conn, 2), "big")
        self._record(
            method="CONNECT",
            target=f"{host}:{port}",
            user=user,
            password=password,
            authorized=True,
        )
        if command != 1:
            conn.sendall(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")  # command not supported
            return
        upstream = self._connect(host, port)
        if upstream is None:
            conn.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")  # connection refused
            return
        try:
            bound_host, bound_port = upstream.getsockname()[:2]
            conn.sendall(
                b"\x05\x00\x00\x01" + socket.inet_aton(bound_host) + bound_port.to_bytes(2, "big")
            )
            self._relay(conn, upstream)
        finally:
            self._close(upstream)


class TlsFront(_LoopbackServer):
    """https://127.0.0.1:PORT in front of a plain server at ``upstream_port``."""

    scheme = "https"

    def __init__(self, upstream_port: int, cert_file: str, key_file: str) -> None:
        super().__init__()
        self.upstream_port = upstream_port
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert_file, key_file)
        self.handshake_failures = 0

    def handle(self, conn: socket.socket) -> None:
        try:
            secure = self._context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            with self._lock:
                self.handshake_failures += 1
            return
        self._record(method="TLS", target=None, user=None, password=None, authorized=True)
        with self._lock:
            self._sockets.add(secure)
        upstream = self._connect("127.0.0.1", self.upstream_port)
        try:
            if upstream is not None:
                self._relay(secure, upstream)
        finally:
            if upstream is not None:
                self._close(upstream)
            self._close(secure)
