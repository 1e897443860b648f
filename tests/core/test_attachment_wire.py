"""Attachments on the wire: a question with an image and a PDF reaches the loopback server
(which checks requests as OpenAI does) as content parts in the OpenAI shape, the image scaled
as the provider documents and encoded once, excluded attachments left out, text-only messages
plain strings; the meter counts them; a server that refuses images says the model cannot take
them; and the official SDK takes the very same parts."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path
from typing import Any

import openai
import pydantic
import pytest
from openai.types.chat import ChatCompletionMessageParam
from PIL import Image

from desktop.core.attachments import AttachmentStore, estimate_attachment_tokens
from desktop.core.attachments import store as store_module
from desktop.core.attachments.parts import with_attachments
from desktop.core.errors import ImagesRejectedError
from desktop.core.models import Attachment
from desktop.core.openai_wire import encode_message
from desktop.core.wire import WireMessage
from tests.core.test_chat_service import Harness, run_with
from tests.core.test_openai_server_sdk import _materialised
from tests.support import attachment_files as files
from tests.support.openai_server import OpenAIServer

_MESSAGES = pydantic.TypeAdapter(ChatCompletionMessageParam)


def _run(server: OpenAIServer, folder: Path, body: Any) -> Any:
    def make() -> Harness:
        harness = Harness(server, folder / "data")
        harness.service.attachments = AttachmentStore(folder / "data")
        return harness

    return run_with(make)(body)


class _Notify:
    """The harness's events, and ``changed`` set when the context changed."""

    def __init__(self, events: Any, changed: asyncio.Event) -> None:
        self._events = events
        self._changed = changed

    def __getattr__(self, name: str) -> Any:
        heard = getattr(self._events, name)
        if name != "context_changed":
            return heard

        def context_changed(conversation_id: str) -> None:
            heard(conversation_id)
            self._changed.set()

        return context_changed


def _image_of(url: str) -> Image.Image:
    head, _, data = url.partition(",")
    assert head in ("data:image/jpeg;base64", "data:image/png;base64")
    return Image.open(io.BytesIO(base64.b64decode(data)))


def test_a_question_with_an_image_and_a_pdf_goes_as_content_parts(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> None:
        store = h.service.attachments
        assert store is not None
        photo = store.add_bytes(files.photo(3000, 2000), "beach.jpg")
        pdf = store.add_bytes(files.pdf(["Revenue was 42 million."]), "q3.pdf")
        skipped = store.add_bytes(files.png(), "skip.png")
        skipped = Attachment(**{**skipped.__dict__, "excluded": True})
        c = h.conversation()
        c.model = "gpt-4o"
        assert h.service.send(c, "What do these show?", [photo, pdf, skipped])
        await h.until_idle(c)
        assert c.messages[-1].error is None
        (request,) = openai_server.chat_requests()
        (message,) = request["json"]["messages"]
        text, image, document = message["content"]  # the attachments in their order
        assert text == {"type": "text", "text": "What do these show?"}
        assert document == {"type": "text", "text": "[File: q3.pdf]\nRevenue was 42 million."}
        assert image["type"] == "image_url" and image["image_url"]["detail"] == "high"
        # gpt-4o: within 2048 × 2048, then the shortest side 768.
        assert _image_of(image["image_url"]["url"]).size == (1152, 768)
        # The question was saved with its attachments, the excluded one too.
        saved = h.conversations.on_disk(c.id)["messages"][0]
        assert [a["name"] for a in saved["attachments"]] == ["beach.jpg", "q3.pdf", "skip.png"]
        assert saved["attachments"][2]["excluded"] is True

    _run(openai_server, tmp_path, body)


def test_images_are_encoded_once_over_a_conversation(
    openai_server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    prepare = store_module.prepare

    def counting(data: bytes, mime: str, target: Any) -> tuple[bytes, str]:
        made.append(target.tag)
        return prepare(data, mime, target)

    monkeypatch.setattr(store_module, "prepare", counting)

    async def body(h: Harness) -> None:
        store = h.service.attachments
        assert store is not None
        image = store.add_bytes(files.photo(2400, 1600), "big.jpg")
        c = h.conversation()  # test-model: the long side to 2048
        h.service.send(c, "first", [image])
        await h.until_idle(c)
        for turn in ("second", "third"):
            h.service.send(c, turn)
            await h.until_idle(c)
        requests = openai_server.chat_requests()
        assert len(requests) == 3
        last = requests[-1]["json"]["messages"]
        # Every turn sends the image again (it is in the thread), made once.
        assert made == ["long2048"]
        image_part = last[0]["content"][1]
        assert "detail" not in image_part["image_url"]  # not an OpenAI model
        assert _image_of(image_part["image_url"]["url"]).size == (2048, 1365)
        assert last[2]["content"] == "second"  # text only: a plain string
        # A restart (a new store) reads the prepared image from derived/, not from the photo.
        derived = list((store.data_dir / "derived").glob(f"{image.sha256}.long2048.*"))
        assert len(derived) == 1
        h.service.attachments = AttachmentStore(store.data_dir)
        h.service.send(c, "fourth")
        await h.until_idle(c)
        assert made == ["long2048"]

    _run(openai_server, tmp_path, body)


def test_a_small_png_screenshot_is_sent_as_it_is_stored(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    data = files.png(800, 600)
    shot = store.add_bytes(data, "shot.png")
    (message,) = with_attachments([{"role": "user", "content": ""}], {0: [shot]}, store, "gpt-4o")
    assert isinstance(message, WireMessage)
    (part,) = message.content  # no text typed: no empty text part
    assert part.url == "data:image/png;base64," + base64.b64encode(data).decode()  # type: ignore[union-attr]
    # Transparency and few colours keep PNG when it must be scaled; a photo becomes JPEG.
    big = store.add_bytes(files.png(4000, 3000, alpha=True), "diagram.png")
    (message,) = with_attachments([{"role": "user", "content": "x"}], {0: [big]}, store, "gpt-4o")
    assert message.content[1].url.startswith("data:image/png;")  # type: ignore[union-attr]
    photo = store.add_bytes(files.photo(3000, 2000, fmt="PNG"), "photo.png")
    (message,) = with_attachments([{"role": "user", "content": "x"}], {0: [photo]}, store, "gpt-4o")
    assert message.content[1].url.startswith("data:image/jpeg;")  # type: ignore[union-attr]


def test_the_meter_counts_attachments_and_reads_texts_it_lacks(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> None:
        store = h.service.attachments
        assert store is not None
        image = store.add_bytes(files.png(1024, 1024), "square.png")
        c = h.conversation()
        c.model = "gpt-4o"
        plain = h.service.next_send(c, "hello")
        with_image = h.service.next_send(c, "hello", [image])
        assert with_image.tokens - plain.tokens == 765  # the guide's 1024 × 1024 example
        excluded = Attachment(**{**image.__dict__, "excluded": True})
        assert h.service.next_send(c, "hello", [excluded]).tokens == plain.tokens
        # A document sent before a restart: its text is not in memory, read in a thread.
        words = store.add_bytes(("lorem ipsum " * 2000).encode(), "lorem.txt")
        h.service.send(c, "read this", [words])
        await h.until_idle(c)
        h.service.attachments = AttachmentStore(store.data_dir)
        changed = asyncio.Event()
        h.service._events = _Notify(h.events, changed)
        before = h.service.next_send(c, "")
        assert not before.exact  # counted from its size meanwhile
        await asyncio.wait_for(changed.wait(), 30)  # the event, not the clock: 30 s is a hang
        after = h.service.next_send(c, "")
        text = h.service.attachments.cached_text(words)
        expected = estimate_attachment_tokens(words, "gpt-4o", text).tokens
        assert after.tokens > expected > 3000

    _run(openai_server, tmp_path, body)


def test_a_server_that_refuses_images_says_the_model_cannot_take_them(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.strings_only = True

    async def body(h: Harness) -> None:
        store = h.service.attachments
        assert store is not None
        image = store.add_bytes(files.png(), "chart.png")
        c = h.conversation()
        h.service.send(c, "what is this", [image])
        await h.until_idle(c)
        reply = c.messages[-1]
        assert reply.error is not None and reply.error.kind == ImagesRejectedError.KIND
        (failed,) = [args for name, args in h.events.heard if name == "reply_failed"]
        assert isinstance(failed[2], ImagesRejectedError)
        # A document is text: its parts encode as one plain string, which the server takes.
        h.events.heard.clear()
        doc = store.add_bytes(b"plain notes", "notes.txt")
        c2 = h.conversation()
        h.service.send(c2, "summarise", [doc])
        await h.until_idle(c2)
        assert c2.messages[-1].error is None
        content = openai_server.chat_requests()[-1]["json"]["messages"][0]["content"]
        assert content == "summarise\n\n[File: notes.txt]\nplain notes"

    _run(openai_server, tmp_path, body)


def test_a_missing_attachment_file_fails_the_reply_with_its_name(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    async def body(h: Harness) -> None:
        store = h.service.attachments
        assert store is not None
        image = store.add_bytes(files.png(), "gone.png")
        store.path_of(image).unlink()
        c = h.conversation()
        h.service.send(c, "look", [image])
        await h.until_idle(c)
        reply = c.messages[-1]
        assert reply.error is not None and reply.error.kind == "attachment"
        assert "gone.png" in reply.error.detail
        assert openai_server.chat_requests() == []

    _run(openai_server, tmp_path, body)


def test_the_sdk_takes_the_same_parts(openai_server: OpenAIServer, tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    image = store.add_bytes(files.photo(900, 600), "p.jpg")
    doc = store.add_bytes(files.docx(["Minutes of the meeting."]), "m.docx")
    (message,) = with_attachments(
        [{"role": "user", "content": "Summarise"}], {0: [doc, image]}, store, "gpt-4.1"
    )
    assert isinstance(message, WireMessage)
    encoded = encode_message(message)
    # Nothing the SDK's type lacks (pydantic would drop it), nothing it wants missing.
    assert _materialised(_MESSAGES.validate_python(encoded)) == encoded
    with openai.OpenAI(base_url=openai_server.base_url, api_key="sk-test", max_retries=0) as sdk:
        completion = sdk.chat.completions.create(model="gpt-4.1", messages=[encoded])  # type: ignore[list-item]
    assert (
        completion.choices[0].message.content
        == "echo[1]: Summarise[File: m.docx]\nMinutes of the meeting."
    )
    assert openai_server.chat_requests()[-1]["json"]["messages"] == [encoded]
