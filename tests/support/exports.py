"""Realistic exports of ChatGPT and Claude, built from their published structure, for the
import tests and the import benchmark.

ChatGPT (Settings → Data controls → Export): a .zip with ``conversations.json`` (newer
exports: ``conversations-000.json``, ``conversations-001.json`` …), ``chat.html``,
``user.json``, ``message_feedback.json`` and the images (``file-<id>-<name>.png``,
``dalle-generations/file-<id>….webp``). A conversation's ``mapping`` is its message tree:
a root without a message, a hidden system message, then the questions and replies, with a
sibling for every edit or regeneration; ``current_node`` is the end of the branch on screen.

Claude (Settings → Privacy → Export data): a .zip with ``conversations.json`` (a list of
``{uuid, name, created_at, updated_at, account, chat_messages}``), ``users.json`` and
``projects.json``.

``ChatGPTConversation`` builds one conversation node by node (``text``, ``image``, ``code``
and ``output``, ``thoughts``, ``quote``…, each under a given parent, so branches are made by
giving two nodes the same parent); ``generate_chatgpt`` makes N conversations of M messages
fast (the benchmark's), ``write_chatgpt_zip`` / ``write_json`` write them.
"""

from __future__ import annotations

import io
import json
import random
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

T0 = 1_700_000_000.0
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\xa5\xf7"
    b"\xa1\xc4\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _uid(rng: random.Random | None = None) -> str:
    if rng is None:
        return str(uuid.uuid4())
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


class ChatGPTConversation:
    """One conversation of a ChatGPT export, as its conversations.json holds it."""

    def __init__(
        self,
        title: str | None = "A conversation",
        *,
        conversation_id: str | None = None,
        create_time: float | None = T0,
        model: str = "gpt-4o",
        system_hidden: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        self._rng = rng
        self.id = conversation_id or _uid(rng)
        self.title = title
        self.create_time = create_time
        self.model = model
        self.mapping: dict[str, dict[str, Any]] = {}
        self.current_node: str | None = None
        # The conversation-level flags as ChatGPT writes them (null when never set).
        self.is_archived: bool | None = False
        self.is_starred: bool | None = None
        self._clock = create_time or T0
        self.root = self._node(None, None, node_id="client-created-root")
        self.top = self.root
        if system_hidden:
            self.top = self.add(
                "system",
                {"content_type": "text", "parts": [""]},
                self.root,
                metadata={"is_visually_hidden_from_conversation": True},
                create_time=None,
            )

    # ---- nodes ----------------------------------------------------------------------------

    def _node(self, message: dict[str, Any] | None, parent: str | None, node_id: str) -> str:
        self.mapping[node_id] = {
            "id": node_id,
            "message": message,
            "parent": parent,
            "children": [],
        }
        if parent is not None:
            self.mapping[parent]["children"].append(node_id)
        return node_id

    def add(
        self,
        role: str,
        content: dict[str, Any],
        parent: str | None = None,
        *,
        name: str | None = None,
        recipient: str = "all",
        metadata: dict[str, Any] | None = None,
        create_time: float | bool | None = True,
        node_id: str | None = None,
        current: bool = True,
    ) -> str:
        """A node under ``parent`` (None: under the last top node). ``create_time`` True: the
        next tick of the conversation's clock."""
        node_id = node_id or _uid(self._rng)
        if create_time is True:
            self._clock += 7.25
            create_time = self._clock
        meta = {"model_slug": self.model} if role == "assistant" else {}
        if role == "assistant":
            meta["finish_details"] = {"type": "stop", "stop_tokens": [200002]}
        meta.update(metadata or {})
        message = {
            "id": node_id,
            "author": {"role": role, "name": name, "metadata": {}},
            "create_time": create_time,
            "update_time": None,
            "content": content,
            "status": "finished_successfully",
            "end_turn": role == "assistant" or None,
            "weight": 1.0,
            "metadata": meta,
            "recipient": recipient,
            "channel": None,
        }
        self._node(message, parent if parent is not None else self.top, node_id)
        if current:
            self.current_node = node_id
        return node_id

    def text(self, role: str, text: str, parent: str | None = None, **kw: Any) -> str:
        return self.add(role, {"content_type": "text", "parts": [text]}, parent, **kw)

    def user(self, text: str, parent: str | None = None, **kw: Any) -> str:
        return self.text("user", text, parent, **kw)

    def assistant(self, text: str, parent: str, **kw: Any) -> str:
        return self.text("assistant", text, parent, **kw)

    def image(self, file_id: str, text: str, parent: str | None = None, **kw: Any) -> str:
        """A question with an image (``file_id`` as "file-AbC123")."""
        part = {
            "content_type": "image_asset_pointer",
            "asset_pointer": f"file-service://{file_id}",
            "size_bytes": len(PNG),
            "width": 1,
            "height": 1,
            "fovea": None,
            "metadata": {"dalle": None, "sanitize": True},
        }
        content = {"content_type": "multimodal_text", "parts": [part, text]}
        return self.add("user", content, parent, **kw)

    def code(self, code: str, parent: str, *, tool: str = "python", **kw: Any) -> str:
        content = {"content_type": "code", "language": "unknown", "text": code}
        return self.add("assistant", content, parent, recipient=tool, **kw)

    def output(self, text: str, parent: str, *, tool: str = "python", **kw: Any) -> str:
        content = {"content_type": "execution_output", "text": text}
        meta = {
            "aggregate_result": {"status": "success", "code": "", "messages": []},
            "is_complete": True,
        }
        return self.add("tool", content, parent, name=tool, metadata=meta, **kw)

    def thoughts(self, thoughts: list[tuple[str, str]], parent: str, **kw: Any) -> str:
        content = {
            "content_type": "thoughts",
            "thoughts": [{"summary": s, "content": c} for s, c in thoughts],
            "source_analysis_msg_id": _uid(self._rng),
        }
        return self.add("assistant", content, parent, **kw)

    def recap(self, text: str, parent: str, **kw: Any) -> str:
        content = {"content_type": "reasoning_recap", "content": text}
        return self.add("assistant", content, parent, **kw)

    def quote(self, text: str, title: str, url: str, parent: str, **kw: Any) -> str:
        content = {
            "content_type": "tether_quote",
            "url": url,
            "domain": url.split("/")[2] if "//" in url else url,
            "text": text,
            "title": title,
            "tether_id": None,
        }
        return self.add("tool", content, parent, name="myfiles_browser", **kw)

    def browsing(self, result: str, parent: str, **kw: Any) -> str:
        content = {
            "content_type": "tether_browsing_display",
            "result": result,
            "summary": "",
            "assets": None,
            "tether_id": None,
        }
        return self.add("tool", content, parent, name="browser", **kw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "create_time": self.create_time,
            "update_time": self._clock,
            "mapping": self.mapping,
            "moderation_results": [],
            "current_node": self.current_node,
            "plugin_ids": None,
            "conversation_id": self.id,
            "conversation_template_id": None,
            "gizmo_id": None,
            "gizmo_type": None,
            "is_archived": self.is_archived,
            "is_starred": self.is_starred,
            "safe_urls": [],
            "default_model_slug": self.model,
            "conversation_origin": None,
            "voice": None,
            "async_status": None,
            "disabled_tool_ids": [],
            "id": self.id,
        }


def showcase_chatgpt() -> tuple[ChatGPTConversation, dict[str, str]]:
    """A conversation with every kind of node: an edited question (two branches), a
    regenerated reply, an image, code run by the python tool with its output, a reasoning
    model's thoughts and recap, a quoted source, browsing, a node with a null time. Returns
    it and the names of its nodes (name -> node id)."""
    c = ChatGPTConversation("Showcase ✨", model="gpt-4o")
    n: dict[str, str] = {}
    n["q1"] = c.user("What is 2**100?")
    n["code"] = c.code("print(2**100)", n["q1"])
    n["out"] = c.output("1267650600228229401496703205376\n", n["code"])
    n["a1"] = c.assistant("It is 1267650600228229401496703205376.", n["out"])
    n["q2"] = c.image("file-AbC123", "What is in this picture?", n["a1"])
    n["a2"] = c.assistant("A single pixel.", n["q2"])
    n["a2b"] = c.assistant("One transparent pixel.", n["q2"], create_time=None)
    n["q3"] = c.user("Quote the spec on this.", n["a2b"])
    n["quote"] = c.quote("PNG is a lossless format.", "PNG spec", "https://w3.org/TR/png/", n["q3"])
    n["browse"] = c.browsing("Search results: PNG (Wikipedia)", n["quote"])
    n["a3"] = c.assistant("The spec says it is lossless.", n["browse"])
    # The first question edited: a second branch from the top.
    n["q1b"] = c.user("What is 2**10?", c.top)
    n["th"] = c.thoughts([("Computing", "2**10 is 1024.")], n["q1b"])
    n["recap"] = c.recap("Thought for 2 seconds", n["th"])
    n["a1b"] = c.assistant("1024.", n["recap"], metadata={"model_slug": "o3"})
    c.current_node = n["a3"]
    return c, n


WORDS = (
    "the a of to and in that it with as for was on are be this by from at or an model reply "
    "question 北国 春光 千里 冰封 function value branch tree export import"
)


def generate_chatgpt(
    conversations: int, messages: int, *, seed: int = 1, branch_every: int = 10
) -> Iterator[dict[str, Any]]:
    """``conversations`` conversations of about ``messages`` messages each (questions and
    replies), every ``branch_every``-th reply regenerated once (the current branch goes
    through the newer one): fast enough to make the benchmark's 5,000 × 20 in seconds."""
    rng = random.Random(seed)
    words = WORDS.split(" ")
    questions = [" ".join(rng.choices(words, k=12)) + "?" for _ in range(512)]
    replies = [" ".join(rng.choices(words, k=40)) for _ in range(512)]
    for number in range(conversations):
        c = ChatGPTConversation(f"Conversation {number}", rng=rng, create_time=T0 + number * 60)
        parent: str | None = None
        for turn in range(max(1, messages // 2)):
            question = c.user(rng.choice(questions), parent)
            text = rng.choice(replies)
            reply = c.assistant(text, question)
            if branch_every and turn % branch_every == branch_every - 1:
                reply = c.assistant(text + " (again)", question)
            parent = reply
        yield c.to_dict()


def _write_list(out: IO[str], conversations: Iterable[dict[str, Any]]) -> None:
    out.write("[")
    for index, conversation in enumerate(conversations):
        out.write(", " if index else "")
        out.write(json.dumps(conversation, ensure_ascii=False))
    out.write("]")


def write_json(path: Path, conversations: Iterable[dict[str, Any]]) -> Path:
    """A conversations.json, written one conversation at a time."""
    with open(path, "w", encoding="utf-8") as out:
        _write_list(out, conversations)
    return path


def write_chatgpt_zip(
    path: Path,
    conversations: Iterable[dict[str, Any]],
    *,
    split: int | None = None,
    images: Iterable[str] = (),
    folder: str = "",
) -> Path:
    """The export's .zip: conversations.json (or split files of ``split`` conversations each),
    the other files of a real export, and an image file per name in ``images``
    ("file-AbC123-photo.png"). Streamed into the zip, compressed fast (the benchmark's)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        if split:
            items = list(conversations)
            for number, start in enumerate(range(0, max(len(items), 1), split)):
                name = f"{folder}conversations-{number:03d}.json"
                with archive.open(name, "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
                    _write_list(out, items[start : start + split])
        else:
            name = f"{folder}conversations.json"
            with archive.open(name, "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
                _write_list(out, conversations)
        archive.writestr(f"{folder}chat.html", "<html><body>chats</body></html>")
        archive.writestr(f"{folder}user.json", json.dumps({"id": "user-1", "email": "a@b.c"}))
        archive.writestr(f"{folder}message_feedback.json", "[]")
        for name in images:
            archive.writestr(f"{folder}{name}", PNG)
    return path


# ---- Claude ------------------------------------------------------------------------------------


def claude_message(
    sender: str,
    text: str,
    *,
    uuid_: str | None = None,
    parent: str | None = None,
    at: str = "2026-03-01T10:00:00.000000Z",
    content: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "uuid": uuid_ or _uid(),
        "text": text,
        "content": content
        if content is not None
        else [
            {
                "start_timestamp": at,
                "stop_timestamp": at,
                "type": "text",
                "text": text,
                "citations": [],
            }
        ],
        "sender": sender,
        "created_at": at,
        "updated_at": at,
        "attachments": attachments or [],
        "files": files or [],
    }
    if parent is not None:
        message["parent_message_uuid"] = parent
    return message


def claude_conversation(
    name: str, messages: list[dict[str, Any]], *, uuid_: str | None = None
) -> dict[str, Any]:
    return {
        "uuid": uuid_ or _uid(),
        "name": name,
        "created_at": "2026-03-01T09:59:00.000000Z",
        "updated_at": "2026-03-01T10:05:00.000000Z",
        "account": {"uuid": "acct-1"},
        "chat_messages": messages,
    }


def showcase_claude() -> dict[str, Any]:
    """A Claude conversation with text, thinking, a tool use and its result, an attachment
    with extracted text, a file without content, and an edited question (a branch)."""
    root = "00000000-0000-4000-8000-000000000000"
    q1 = claude_message(
        "human",
        "Summarise the attached notes.",
        uuid_="11111111-1111-4111-8111-111111111111",
        parent=root,
        attachments=[
            {
                "file_name": "notes.txt",
                "file_size": 24,
                "file_type": "txt",
                "extracted_content": "Meeting at 10. Bring tea.",
            }
        ],
        files=[{"file_name": "diagram.png"}],
    )
    a1 = claude_message(
        "assistant",
        "",
        uuid_="22222222-2222-4222-8222-222222222222",
        parent=q1["uuid"],
        at="2026-03-01T10:00:05.000000Z",
        content=[
            {"type": "thinking", "thinking": "The notes are short.", "summaries": []},
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "web_search",
                "input": {"query": "tea etiquette"},
            },
            {
                "type": "tool_result",
                "tool_use_id": "toolu_01",
                "name": "web_search",
                "content": [{"type": "text", "text": "Tea is served at 10."}],
                "is_error": False,
            },
            {"type": "text", "text": "A meeting at ten, with tea.", "citations": []},
        ],
    )
    q1b = claude_message(
        "human",
        "Summarise them in French.",
        uuid_="33333333-3333-4333-8333-333333333333",
        parent=root,
        at="2026-03-01T10:01:00.000000Z",
    )
    a1b = claude_message(
        "assistant",
        "Une réunion à dix heures.",
        uuid_="44444444-4444-4444-8444-444444444444",
        parent=q1b["uuid"],
        at="2026-03-01T10:01:05.000000Z",
    )
    return claude_conversation(
        "Notes", [q1, a1, q1b, a1b], uuid_="55555555-5555-4555-8555-555555555555"
    )


def write_claude_zip(path: Path, conversations: Iterable[dict[str, Any]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("conversations.json", json.dumps(list(conversations)))
        archive.writestr("users.json", json.dumps([{"uuid": "acct-1", "full_name": "A"}]))
        archive.writestr("projects.json", "[]")
    return path
