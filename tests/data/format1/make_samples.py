"""Writes sample data files with the code of commit 56d2fa8 (run with PYTHONPATH at its checkout).

Every field that version writes, through its own code: the stores, Budget.store, set_flag,
mark_interrupted, the copy adoption of load_all, and reply errors made exactly as
controllers/chat.py made them (``redact(f"{type(exc).__name__}: {exc.detail}".rstrip(": "))``)
from the errors desktop/core/client.py raises.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from desktop.core import client
from desktop.core import errors as e
from desktop.core.context import Budget, set_flag
from desktop.core.logs import redact
from desktop.core.models import STREAMING, Conversation, Message, Params, Usage, format_time
from desktop.core.network import PROXY_CUSTOM, NetworkSettings, Timeouts
from desktop.core.personas import Persona
from desktop.core.settings import Provider, Settings, SettingsStore
from desktop.core.storage import ConversationStore

OUT = Path(sys.argv[1])
T0 = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
_n = 0


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def mid() -> str:
    global _n
    _n += 1
    return f"{_n:032x}"


def saved_error(exc: BaseException) -> str:
    """As controllers/chat.py (56d2fa8) stored a failure."""
    if isinstance(exc, e.ConfabError):
        return redact(f"{type(exc).__name__}: {exc.detail}".rstrip(": "))
    return redact(f"{type(exc).__name__}: {exc}")


def msg(parent: str | None, role: str, content: str, t: float, **kw: object) -> Message:
    return Message(id=mid(), parent=parent, role=role, content=content, created_at=at(t), **kw)  # type: ignore[arg-type]


def everything() -> Conversation:
    c = Conversation(
        id="0123456789abcdef0123456789abcdef",
        title="北国春光",
        created_at=T0,
        updated_at=at(300),
        provider="deepseek",
        model="deepseek-reasoner",
        system_prompt="你是一位南宋词人。",
        params=Params(temperature=0.7, top_p=0.9, max_tokens=2048),
        pinned=True,
        tags=["poetry", "词"],
    )
    q1 = c.append(msg(None, "user", "写一首关于北国春光的词。", 0))
    r1 = c.append(
        msg(
            q1.id,
            "assistant",
            "北国风光，千里",
            1,
            model="deepseek-reasoner",
            provider="deepseek",
            error="stopped",
        )
    )
    c.head = q1.id
    r2 = c.append(
        msg(
            q1.id,
            "assistant",
            "北国风光，千里冰封，万里雪飘……",
            40,
            model="deepseek-reasoner",
            provider="deepseek",
            finish_reason="stop",
            usage=Usage(31, 402, 433, cached_tokens=24),
            reasoning="用户想要一首词，先选词牌……",
        )
    )
    q2 = c.append(msg(r2.id, "user", "Now in English, please.", 60))
    r3 = c.append(
        msg(
            q2.id,
            "assistant",
            "The northern land in spring…",
            61,
            model="deepseek-chat",
            provider="deepseek",
            finish_reason="length",
            usage=Usage(500, 100, 600, estimated=True),
        )
    )
    # An edit of the second question: a sibling of q2, on screen.
    q2b = c.append(msg(r2.id, "user", "Now in French, please.", 120))
    r4 = c.append(
        msg(
            q2b.id,
            "assistant",
            "Le pays du nord au printemps…",
            121,
            model="deepseek-chat",
            finish_reason="stop",
            usage=Usage(40, 20, 60),
        )
    )
    c.append(msg(r4.id, "system", "A system message another tool put here.", 122))
    q3 = c.append(msg(c.head, "user", "Thanks!", 123))
    set_flag(q1, "pinned", True)
    set_flag(r1, "excluded", True)
    Budget(max_messages=20, max_tokens=None).store(c)
    c.extra["summary"] = {
        "text": "The user asked for a ci poem.",
        "through": r2.id,
        "created_at": format_time(at(200)),
    }
    c.extra["draft"] = "再写一首秋天的"
    c.extra["title_generated"] = True
    # Fields this version does not know, kept and written back.
    c.extra["sync"] = {"device": "laptop", "seq": [1, 2, 3]}
    q3.extra["rating"] = 5
    r3.extra["client"] = {"name": "other-tool"}
    return c


def failures() -> Conversation:
    """One question answered again and again, each reply failing its own way."""
    c = Conversation(
        id="fa11ed00fa11ed00fa11ed00fa11ed00",
        title="Failures",
        created_at=T0,
        updated_at=at(100),
        provider="openai",
        model="gpt-4o-mini",
    )
    c.extra["title_set_by_user"] = True
    q = c.append(msg(None, "user", "Hello?", 0))
    timeouts = Timeouts(connect=10, first_byte=120, silence=60)
    raised: list[BaseException] = [
        client.status_error(
            401, b'{"error": {"message": "Incorrect API key provided: sk-abc***"}}'
        ),
        client.status_error(403, b"forbidden"),
        client.status_error(404, b'{"error": {"message": "The model `nope` does not exist"}}'),
        client.status_error(
            429,
            b'{"error": {"message": "Rate limit reached"}}',
            httpx.Headers({"retry-after": "20"}),
        ),
        client.status_error(
            429,
            b'{"error": {"message": "You exceeded your current quota", '
            b'"code": "insufficient_quota"}}',
        ),
        client.status_error(402, b"Insufficient Balance"),
        client.status_error(500, b"Internal Server Error"),
        client.status_error(503, b""),
        client.status_error(
            400, b'{"error": {"message": "This model\'s maximum context length is 128000 tokens"}}'
        ),
        client.status_error(422, b'{"detail": "temperature must be at most 2"}'),
        client.status_error(407, b"Proxy Authentication Required"),
        client.status_error(302, b""),
        client._classify_transport_error(
            httpx.ConnectTimeout("timed out"), timeouts, custom_proxy=False
        ),
        client._classify_transport_error(
            httpx.ReadTimeout("timed out"), timeouts, custom_proxy=False
        ),
        e.RequestTimeoutError("first-byte timeout (120 s)", "first_byte", 120.0),
        e.RequestTimeoutError("silence timeout (60 s)", "silence", 60.0),
        e.RequestTimeoutError("silence timeout (2.5 s)", "silence", 2.5),
        client._classify_transport_error(
            httpx.ConnectError("[Errno 111] Connection refused"), timeouts, custom_proxy=False
        ),
        client._classify_transport_error(
            httpx.LocalProtocolError("Illegal header value"), timeouts, custom_proxy=False
        ),
        e.ProxyFailedError("http://proxy.example:3128: [Errno -2] Name or service not known"),
        e.CertificateError("certificate verify failed: self-signed certificate"),
        e.StreamInterruptedError("peer closed connection without sending complete message body"),
        e.EmptyReplyError("the server ended the reply without any text"),
        e.StreamReportedError("the server reported an error"),
        e.ResponseTooLargeError("more than 64 MiB"),
        e.WebPageReplyError("<html><title>Sign in to Wi-Fi</title>"),
        e.JsonReplyError('{"object": "list"}'),
        e.NotAStreamError("hello"),
        e.NoProviderError(),
        e.ConfabError("something else"),
        ValueError("an unexpected failure"),
    ]
    for i, exc in enumerate(raised):
        partial = "Partial text" if i % 3 == 0 else ""
        reply = c.append(
            msg(q.id, "assistant", partial, 1 + i, model="gpt-4o-mini", provider="openai")
        )
        reply.error = saved_error(exc)
    # A key the server echoed is masked in the error (redact knows the shape of sk- keys).
    key_echo = c.append(msg(q.id, "assistant", "", 50, model="gpt-4o-mini", provider="openai"))
    key_echo.error = saved_error(
        e.AuthenticationError(401, "bad key sk-proj-abcdefghijklmnopqrstuvwxyz012345")
    )
    return c


def streaming(store: ConversationStore) -> None:
    """A reply saved mid-stream (``streaming: true``) by a Confab that was then killed, and one
    such reply already marked interrupted at the next start."""
    c = Conversation(
        id="57ea1111057ea1111057ea1111057ea1",
        title="Cut short",
        created_at=T0,
        updated_at=at(5),
        provider="local",
        model="llama3.2",
    )
    q = c.append(msg(None, "user", "Tell me a long story.", 0))
    r = c.append(msg(q.id, "assistant", "Once upon a time", 1, model="llama3.2", provider="local"))
    r.extra[STREAMING] = True
    store.save(c)
    # The same file, read at the next start: the reply is marked interrupted.
    again = Conversation.from_dict(c.to_dict())
    assert again.mark_interrupted()
    again.id = "1e7e22220001e7e22220001e7e222200"
    store.save(again)


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    store = ConversationStore(OUT)
    store.save(everything())
    store.save(failures())
    streaming(store)
    # A conflict copy a sync tool made: opened under a new id, with copied_from.
    plain = Conversation(
        id="c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", title="", created_at=T0, updated_at=T0
    )
    plain.extra["draft"] = "only a draft"
    store.save(plain)
    source = store.path_of(plain.id)
    copy = source.with_name(f"{plain.id}.sync-conflict-20261124-081502-ABCDEFG.json")
    copy.write_bytes(source.read_bytes())
    store.load_all()
    store.close()
    adopted = [
        p
        for p in store.folder.glob("*.json")
        if json.loads(p.read_text("utf-8")).get("copied_from")
    ]
    assert len(adopted) == 1
    adopted[0].rename(adopted[0].with_name("c0b1ed00c0b1ed00c0b1ed00c0b1ed00.json"))
    data = json.loads(
        adopted[0].with_name("c0b1ed00c0b1ed00c0b1ed00c0b1ed00.json").read_text("utf-8")
    )
    data["id"] = "c0b1ed00c0b1ed00c0b1ed00c0b1ed00"
    # Rewritten through the store so the file is still exactly what it writes.
    store.save(Conversation.from_dict(data))
    store.close()
    shutil.rmtree(store.quarantine, ignore_errors=True)

    settings = Settings(
        providers=[
            Provider(
                "openai",
                "OpenAI",
                "https://api.openai.com/v1",
                "gpt-4o-mini",
                ["gpt-4o", "gpt-4o-mini"],
            ),
            Provider(
                "office",
                "Office gateway",
                "https://llm.example.internal/v1",
                "qwen-max",
                [],
                extra={"colour": "teal"},
                network=NetworkSettings(
                    proxy=PROXY_CUSTOM,
                    proxy_url="socks5://127.0.0.1:1080",
                    proxy_user="me",
                    ca_bundle="/etc/ssl/corp.pem",
                    verify_tls=False,
                    timeouts=Timeouts(connect=5, first_byte=300, silence=90),
                    extra={"future_option": 1},
                ),
            ),
            Provider("ollama", "Ollama", "http://localhost:11434/v1", "llama3.2", []),
        ],
        default_provider="openai",
        window={"geometry": "AdnQywADAAAAAAAAAAAAAAAABEsAAALP", "splitter": [260, 840]},
        extra={
            "auto_title": False,
            "prices": {
                "qwen-max": {
                    "input": 1.6,
                    "cached_input": 1.6,
                    "output": 6.4,
                    "checked": "2026-11-30",
                    "context": 32768,
                },
                "my-model": {
                    "input": 0.5,
                    "cached_input": 0.25,
                    "output": 1.0,
                    "checked": "2026-11-29",
                },
            },
            "personas": [
                Persona("tutor", "Tutor", "You are a patient tutor…").to_dict(),
                Persona("poet", "诗人", "你是一位诗人。").to_dict(),
            ],
            "theme_of_a_newer_confab": {"accent": "teal"},
        },
    )
    SettingsStore(OUT).save(settings)


main()
