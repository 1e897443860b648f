"""Conversations for the export tests, written to a data folder as Confab writes them: two
branches (the one on screen and another), reasoning, code with a language, a fence a stopped
reply left open, hostile text (HTML, a javascript: link, a link whose text names another
host) and Chinese."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.core.atomic import write_json_atomic
from desktop.core.models import Conversation, Message, ReplyError

START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script> <img src=x onerror=alert(1)> [evil](javascript:alert(1))"
OTHER_BRANCH = "THE OTHER BRANCH, NOT ON SCREEN"
CODE = "def hello():\n    print('你好')"
CHINESE = "北国风光，千里冰封，万里雪飘。"


def sample_conversation(conversation_id: str = "c0ffee01", title: str = "北国春光") -> Conversation:
    t = START
    question = Message("q1", None, "user", f"写一首词，再写一段 Python。\n\n{HOSTILE}", t)
    stopped = Message(
        "a1",
        "q1",
        "assistant",
        OTHER_BRANCH,
        t + timedelta(seconds=1),
        model="deepseek-reasoner",
        error=ReplyError.stopped(),
    )
    reply = Message(
        "a2",
        "q1",
        "assistant",
        f"{CHINESE}\n\n```python\n{CODE}\n```\n\n"
        "See [the docs](https://example.com/docs) and [https://good.example](https://evil.example).",
        t + timedelta(seconds=41),
        model="deepseek-reasoner",
        reasoning="用户想要一首词，先选词牌……\n\n```text\nreasoning's own fence\n```",
    )
    follow = Message("q2", "a2", "user", "And JavaScript?", t + timedelta(minutes=2))
    cut = Message(
        "a3",
        "q2",
        "assistant",
        "Here:\n\n```js\nconsole.log(1)",
        t + timedelta(minutes=2, seconds=1),
        model="deepseek-reasoner",
        error=ReplyError.interrupted(),
    )
    conversation = Conversation(
        id=conversation_id,
        title=title,
        created_at=t,
        updated_at=cut.created_at,
        provider="deepseek",
        model="deepseek-reasoner",
        system_prompt="你是一位南宋词人。",
        tags=["poems"],
    )
    conversation.messages = [question, stopped, reply, follow, cut]
    conversation.head = "a3"
    return conversation


def plain_conversation(conversation_id: str, title: str, text: str = "hello") -> Conversation:
    conversation = Conversation(id=conversation_id, title=title, created_at=START, updated_at=START)
    conversation.append(Message(f"{conversation_id}-q", None, "user", text, START))
    conversation.append(
        Message(f"{conversation_id}-a", f"{conversation_id}-q", "assistant", f"re: {text}", START)
    )
    return conversation


def write(data_dir: Path, *conversations: Conversation) -> None:
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    for conversation in conversations:
        write_json_atomic(folder / f"{conversation.id}.json", conversation.to_dict())
