"""Timeouts, proxies, CA bundles and TLS verification, against real loopback servers: the OpenAI
test server, an HTTP and a SOCKS5 proxy, and a TLS front with a certificate made at test time.
Nothing leaves 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import socket
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.client import ChatClient, ChatRequest, ChatResult, Timeouts
from desktop.core.errors import (
    ApiError,
    CertificateError,
    ConnectFailedError,
    ProxyAuthError,
    ProxyFailedError,
    RequestTimeoutError,
)
from desktop.core.network import (
    NetworkSettings,
    ProxyUrl,
    ProxyUrlError,
    check_ca_bundle,
    is_loopback,
    parse_proxy_url,
)
from desktop.core.providers import Provider
from desktop.core.settings import Settings, SettingsStore
from tests.support.certs import Certificates, make_certificates
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.proxies import HttpProxy, Socks5Proxy, TlsFront

HELLO = [{"role": "user", "content": "Hello"}]
# A name only the test proxies know (they map it to 127.0.0.1): reachable through them only.
PROXIED_HOST = "api.confab-proxy-test.invalid"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(models=["test-model"]) as running:
        yield running


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def tls_server(server: OpenAIServer, certs: Certificates) -> Iterator[TlsFront]:
    with TlsFront(server.port, str(certs.cert_file), str(certs.key_file)) as front:
        yield front


@pytest.fixture
def no_env_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def custom(url: str, user: str = "", **kwargs: Any) -> NetworkSettings:
    return NetworkSettings(proxy="custom", proxy_url=url, proxy_user=user, **kwargs)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def chat(
    base_url: str,
    network: NetworkSettings | None = None,
    proxy_password: str | None = None,
    timeouts: Timeouts | None = None,
) -> ChatResult:
    async def go() -> ChatResult:
        client = ChatClient(
            base_url, network=network, proxy_password=proxy_password, timeouts=timeouts
        )
        try:
            return await client.stream_chat(ChatRequest("test-model", HELLO), lambda k, t: None)
        finally:
            await client.aclose()

    return run(go())


def models(base_url: str, network: NetworkSettings, proxy_password: str | None = None) -> Any:
    async def go() -> list[str]:
        client = ChatClient(base_url, network=network, proxy_password=proxy_password)
        try:
            return await client.list_models()
        finally:
            await client.aclose()

    return run(go())


def fails(error: type[ApiError], *args: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(error) as info:
        chat(*args, **kwargs)
    assert type(info.value) is error, info.value
    return info.value


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- the settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://proxy.example:3128", ProxyUrl("http://proxy.example:3128")),
        ("SOCKS5://10.0.0.1:1080/", ProxyUrl("socks5://10.0.0.1:1080")),
        ("http://me:p%40ss@proxy:8080", ProxyUrl("http://proxy:8080", "me", "p@ss")),
        ("socks5h://[::1]:1080", ProxyUrl("socks5h://[::1]:1080")),
    ],
)
def test_proxy_addresses_are_split_from_their_credentials(text: str, expected: ProxyUrl) -> None:
    assert parse_proxy_url(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("proxy.example:3128", "scheme"),
        ("ftp://proxy:21", "scheme"),
        ("http://:3128", "host"),
        ("http://proxy", "port"),
        ("http://proxy:99999", "port"),
        ("http://proxy:port", "port"),
    ],
)
def test_bad_proxy_addresses_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(ProxyUrlError) as info:
        parse_proxy_url(text)
    assert info.value.reason == reason


def test_network_settings_round_trip_and_only_changes_are_written(tmp_path: Path) -> None:
    network = NetworkSettings(
        proxy="custom",
        proxy_url="socks5://127.0.0.1:1080",
        proxy_user="me",
        ca_bundle="/etc/ssl/corp.pem",
        verify_tls=False,
        timeouts=Timeouts(connect=5, first_byte=300, silence=60),
    )
    store = SettingsStore(tmp_path)
    store.save(
        Settings(
            providers=[
                Provider("a", "A", "https://a.example/v1", network=network),
                Provider("b", "B", "https://b.example/v1"),
            ]
        )
    )
    data = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert data["providers"][0]["network"] == {
        "proxy": "custom",
        "proxy_url": "socks5://127.0.0.1:1080",
        "proxy_user": "me",
        "ca_bundle": "/etc/ssl/corp.pem",
        "verify_tls": False,
        "timeouts": {"connect": 5, "first_byte": 300},
    }
    assert "network" not in data["providers"][1]  # all defaults: nothing written
    loaded = SettingsStore(tmp_path).load()
    assert loaded.providers[0].network == network
    assert loaded.providers[1].network == NetworkSettings()


def test_hand_edited_network_settings_are_read_liberally_and_never_keep_a_password(
    tmp_path: Path,
) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "format": "confab.settings",
                "version": 1,
                "providers": [
                    {
                        "id": "p",
                        "name": "P",
                        "base_url": "https://p.example/v1",
                        "network": {
                            "proxy": "sometimes",
                            "proxy_url": "http://me:hunter2-secret@proxy:3128",
                            "proxy_password": "hunter2-secret",
                            "verify_tls": "no",
                            "timeouts": {"connect": -1, "first_byte": "soon", "silence": 5},
                            "future_option": [1, 2],
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    store = SettingsStore(tmp_path)
    network = store.load().providers[0].network
    assert network.proxy == "system"
    assert network.proxy_url == "http://proxy:3128"
    assert network.verify_tls is True
    assert network.timeouts == Timeouts(connect=10, first_byte=120, silence=5)
    store.save(store.load())
    text = (tmp_path / "settings.json").read_text(encoding="utf-8")
    assert "hunter2-secret" not in text
    assert json.loads(text)["providers"][0]["network"]["future_option"] == [1, 2]


def test_ca_bundle_check(tmp_path: Path, certs: Certificates) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    assert check_ca_bundle(str(certs.ca_file)) is None
    assert check_ca_bundle(str(tmp_path / "nowhere.pem")) == "missing"
    assert check_ca_bundle(str(tmp_path)) == "missing"
    assert check_ca_bundle(str(certs.key_file)) == "not_pem"
    assert check_ca_bundle(str(garbage)) == "not_pem"


def test_loopback_hosts() -> None:
    assert all(map(is_loopback, ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0.0.0.0"]))
    assert not any(map(is_loopback, ["example.com", "10.0.0.1", "localhost.example.com"]))


# ---- custom proxies -------------------------------------------------------------------------


def test_an_http_proxy_with_a_login_carries_the_request(server: OpenAIServer) -> None:
    with HttpProxy(credentials=("alice", "pä ss:1")) as proxy:
        result = chat(server.base_url, custom(proxy.url, "alice"), "pä ss:1")
        assert models(server.base_url, custom(proxy.url, "alice"), "pä ss:1") == ["test-model"]
    assert result.content == "echo[1]: Hello"
    assert [(r["method"], r["target"]) for r in proxy.requests] == [
        ("POST", f"{server.base_url}/chat/completions"),
        ("GET", f"{server.base_url}/models"),
    ]
    assert {(r["user"], r["password"], r["authorized"]) for r in proxy.requests} == {
        ("alice", "pä ss:1", True)
    }
    # The proxy's login is the proxy's: the server never sees it.
    assert all("proxy-authorization" not in r["headers"] for r in server.requests)


def test_a_wrong_proxy_password_is_a_proxy_login_error(
    server: OpenAIServer, tls_server: TlsFront, certs: Certificates
) -> None:
    with HttpProxy(credentials=("alice", "right")) as proxy:
        fails(ProxyAuthError, server.base_url, custom(proxy.url, "alice"), "wrong")
        fails(ProxyAuthError, server.base_url, custom(proxy.url))  # no login at all
        # https:// goes through a CONNECT tunnel: the 407 comes from there.
        network = custom(proxy.url, "alice", ca_bundle=str(certs.ca_file))
        fails(ProxyAuthError, f"{tls_server.url}/v1", network, "wrong")
    assert [r["authorized"] for r in proxy.requests] == [False, False, False]
    assert proxy.requests[-1]["method"] == "CONNECT"
    assert server.chat_requests() == []


def test_https_through_an_http_proxy_tunnel(
    server: OpenAIServer, tls_server: TlsFront, certs: Certificates
) -> None:
    with HttpProxy() as proxy:
        result = chat(f"{tls_server.url}/v1", custom(proxy.url, ca_bundle=str(certs.ca_file)))
    assert result.content == "echo[1]: Hello"
    assert [(r["method"], r["target"]) for r in proxy.requests] == [
        ("CONNECT", f"127.0.0.1:{tls_server.port}")
    ]


def test_a_socks5_proxy_with_a_login_carries_the_request(server: OpenAIServer) -> None:
    with Socks5Proxy(credentials=("bob", "s3cret")) as proxy:
        result = chat(server.base_url, custom(proxy.url, "bob"), "s3cret")
    assert result.content == "echo[1]: Hello"
    assert [(r["target"], r["user"], r["password"]) for r in proxy.requests] == [
        (f"127.0.0.1:{server.port}", "bob", "s3cret")
    ]


def test_a_socks5_proxy_resolves_names_itself(server: OpenAIServer) -> None:
    with Socks5Proxy(hosts={PROXIED_HOST}) as proxy:
        result = chat(f"http://{PROXIED_HOST}:{server.port}/v1", custom(proxy.url))
    assert result.content == "echo[1]: Hello"
    assert proxy.requests[0]["target"] == f"{PROXIED_HOST}:{server.port}"


def test_a_wrong_socks5_password_is_a_proxy_login_error(server: OpenAIServer) -> None:
    with Socks5Proxy(credentials=("bob", "s3cret")) as proxy, warnings.catch_warnings():
        # httpcore 1.0 leaves the socket of a failed SOCKS5 handshake to the garbage
        # collector (closed there, with a ResourceWarning): collect it here, quietly.
        warnings.simplefilter("ignore", ResourceWarning)
        detail = fails(ProxyAuthError, server.base_url, custom(proxy.url, "bob"), "nope").detail
        fails(ProxyAuthError, server.base_url, custom(proxy.url))
        gc.collect()
    assert "s3cret" not in detail and "nope" not in detail
    assert [r["authorized"] for r in proxy.requests] == [False, False]
    assert server.requests == []


def test_a_proxy_that_cannot_be_reached_is_named(server: OpenAIServer) -> None:
    for scheme in ("http", "socks5"):
        fails(ProxyFailedError, server.base_url, custom(f"{scheme}://127.0.0.1:{closed_port()}"))
    error = fails(ProxyFailedError, server.base_url, custom("not a proxy"))
    assert "not valid" in error.detail


def test_a_proxy_password_in_the_address_is_used_but_not_kept(server: OpenAIServer) -> None:
    with HttpProxy(credentials=("carol", "pw")) as proxy:
        network = custom(proxy.url.replace("http://", "http://carol:pw@"))
        assert chat(server.base_url, network).content == "echo[1]: Hello"
        assert "pw" not in json.dumps(network.to_dict())
    assert proxy.requests[0]["authorized"] is True


# ---- the system proxy ---------------------------------------------------------------------


def test_the_system_proxy_is_used_by_default_and_none_ignores_it(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch, no_env_proxy: None
) -> None:
    with HttpProxy(hosts={PROXIED_HOST}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        base_url = f"http://{PROXIED_HOST}:{server.port}/v1"
        assert chat(base_url).content == "echo[1]: Hello"  # "system" is the default
        assert [r["target"] for r in proxy.requests] == [f"{base_url}/chat/completions"]

        no_proxy = NetworkSettings(proxy="none")
        with pytest.raises(ConnectFailedError):  # the name means nothing without the proxy
            chat(base_url, no_proxy, timeouts=Timeouts(connect=3))
        assert chat(server.base_url, no_proxy).content == "echo[1]: Hello"
    assert len(proxy.requests) == 1


def test_servers_on_this_computer_bypass_the_system_proxy(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch, no_env_proxy: None
) -> None:
    with HttpProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("ALL_PROXY", proxy.url)
        assert chat(server.base_url).content == "echo[1]: Hello"
        localhost = server.base_url.replace("127.0.0.1", "localhost")
        assert models(localhost, NetworkSettings()) == ["test-model"]
        # …unless the user sets a proxy for the provider explicitly.
        assert chat(server.base_url, custom(proxy.url)).content == "echo[1]: Hello"
    assert [r["target"] for r in proxy.requests] == [f"{server.base_url}/chat/completions"]


# ---- certificates -------------------------------------------------------------------------


def test_an_unknown_certificate_authority_is_a_certificate_error(
    tls_server: TlsFront, server: OpenAIServer
) -> None:
    error = fails(CertificateError, f"{tls_server.url}/v1")
    assert "certificate" in error.detail.lower()
    assert server.requests == []


def test_a_ca_bundle_makes_the_server_trusted(
    tls_server: TlsFront, certs: Certificates, server: OpenAIServer
) -> None:
    network = NetworkSettings(ca_bundle=str(certs.ca_file))
    assert chat(f"{tls_server.url}/v1", network).content == "echo[1]: Hello"
    assert models(f"{tls_server.url}/v1", network) == ["test-model"]


def test_a_ca_bundle_edited_counts_for_the_next_request(
    tls_server: TlsFront, certs: Certificates, server: OpenAIServer, tmp_path: Path
) -> None:
    bundle = tmp_path / "company.pem"
    bundle.write_bytes(make_certificates(tmp_path / "other").ca_file.read_bytes())
    network = NetworkSettings(ca_bundle=str(bundle))
    fails(CertificateError, f"{tls_server.url}/v1", network)  # another company's authority
    bundle.write_bytes(certs.ca_file.read_bytes() + b"\n")
    assert chat(f"{tls_server.url}/v1", network).content == "echo[1]: Hello"


def test_without_verification_any_certificate_is_accepted(
    tls_server: TlsFront, server: OpenAIServer
) -> None:
    network = NetworkSettings(verify_tls=False)
    assert chat(f"{tls_server.url}/v1", network).content == "echo[1]: Hello"


def test_a_ca_bundle_that_is_gone_is_a_certificate_error(
    tls_server: TlsFront, tmp_path: Path
) -> None:
    network = NetworkSettings(ca_bundle=str(tmp_path / "deleted.pem"))
    error = fails(CertificateError, f"{tls_server.url}/v1", network)
    assert "deleted.pem" in error.detail


# ---- timeouts -----------------------------------------------------------------------------


def test_a_connection_that_never_opens_is_a_connect_timeout() -> None:
    # A listener whose backlog is full: the kernel drops further connection attempts.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        error = fails(
            RequestTimeoutError,
            f"http://127.0.0.1:{port}/v1",
            timeouts=Timeouts(connect=0.5, first_byte=30),
        )
    finally:
        for sock in [*fillers, listener]:
            sock.close()
    assert isinstance(error, RequestTimeoutError)
    assert (error.kind, error.seconds) == ("connect", 0.5)


def test_a_model_that_thinks_before_its_first_token_is_waited_for(server: OpenAIServer) -> None:
    # The role chunk and keep-alive comments come at once, then nothing for a while: that is
    # the first-byte wait, not silence.
    server.enqueue(Reply(text="late answer", comments=True, stall_after=0, stall=1.0))
    result = chat(server.base_url, timeouts=Timeouts(first_byte=10, silence=0.3))
    assert result.content == "late answer"


def test_a_model_that_thinks_too_long_is_a_first_byte_timeout(server: OpenAIServer) -> None:
    # Held until the server stops: only the first-byte timeout can end this reply.
    server.enqueue(Reply(text="too late", comments=True, stall_after=0, gate=threading.Event()))
    error = fails(
        RequestTimeoutError, server.base_url, timeouts=Timeouts(first_byte=0.5, silence=30)
    )
    assert isinstance(error, RequestTimeoutError) and error.kind == "first_byte"


def test_silence_is_the_gap_between_chunks_not_the_whole_reply(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="x" * 12, chunk_size=1, delay=0.1))  # ~1.4 s in all
    result = chat(server.base_url, timeouts=Timeouts(first_byte=5, silence=0.6))
    assert result.content == "x" * 12


def test_after_a_timeout_the_client_works_and_nothing_is_left_behind(
    server: OpenAIServer,
) -> None:
    server.enqueue(
        Reply(text="abcdefgh", chunk_size=4, stall_after=1, stall=10),
        Reply(text="second try"),
    )

    async def go() -> tuple[str, str, int]:
        client = ChatClient(server.base_url, timeouts=Timeouts(first_byte=5, silence=0.3))
        got: list[str] = []
        try:
            with pytest.raises(RequestTimeoutError) as info:
                await client.stream_chat(
                    ChatRequest("test-model", HELLO), lambda k, t: got.append(t)
                )
            second = await client.stream_chat(ChatRequest("test-model", HELLO), lambda k, t: None)
        finally:
            await client.aclose()
        leftover = [
            t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()
        ]
        return info.value.kind + ":" + "".join(got), second.content, len(leftover)

    assert run(go()) == ("silence:abcd", "second try", 0)
