"""Deterministic benchmark data: mixed Markdown replies and data folders in Confab's formats.

Written against the data contracts in DESIGN.md (settings.json and conversations/<id>.json,
version 1), not against desktop's classes, so a folder built here is what a user's would be.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_VOCABULARY = """
the a model reply token stream buffer window widget thread layout render paragraph list table
cache value function request server client answer question latency memory paint event loop timer
signal slot block inline code fence parser Qt Python async await task queue index branch message
history context cost price limit key provider setting
"""
_WORDS = tuple(_VOCABULARY.split())

_NAMES = ["load", "parse", "render", "fetch", "merge", "split", "flush", "emit", "scan", "sort"]
_VARS = ["items", "result", "data", "rows", "chunk", "text", "total", "cache", "node", "queue"]

_CODE: dict[str, list[str]] = {
    "python": [
        "def {n}_{v}({v}, limit={k}):",
        "    {v} = [x for x in {v} if x is not None]",
        "    for index, item in enumerate({v}):",
        "        if item.{v} > {k}:",
        "            yield index, item",
        "    return {n}({v}[:{k}])",
        "class {N}{V}:",
        '    """{s}"""',
        "    async def {n}(self, {v}: list[int]) -> dict[str, int]:",
        "        await asyncio.sleep({k} / 1000)",
        "# {s}",
        "{v} = {{'{v}': {k}, 'name': '{n}'}}",
        "print(f'{{len({v})}} {v} {n}ed')",
    ],
    "js": [
        "function {n}{V}({v}, limit = {k}) {{",
        "  const {v}2 = {v}.filter((x) => x != null);",
        "  for (const [i, item] of {v}2.entries()) {{",
        "    if (item.{v} > {k}) return i;",
        "  }}",
        "  return {v}2.slice(0, {k});",
        "}}",
        "export const {n} = async ({v}) => await fetch(`/api/{v}/${{{v}.id}}`);",
        "// {s}",
        "let {v} = {{ {v}: {k}, name: '{n}' }};",
        "console.log(`${{{v}.length}} {v} done`);",
    ],
    "bash": [
        "for f in ./{v}/*.json; do",
        '  {n} --limit {k} "$f" | sort -u > "out/$(basename "$f")"',
        "done",
        "if [ -z \"${{{V}:-}}\" ]; then echo '{s}'; exit {k}; fi",
        'export {V}_DIR="$HOME/.cache/{v}"',
        "# {s}",
        "{n} -q --{v}={k} && echo ok || echo failed >&2",
        "grep -rn '{v}' src/ | wc -l",
    ],
}


def _sentence(rng: random.Random, low: int = 6, high: int = 18) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    for i in range(len(words)):
        roll = rng.random()
        if roll < 0.05:
            words[i] = f"`{rng.choice(_NAMES)}_{rng.choice(_VARS)}()`"
        elif roll < 0.08:
            words[i] = f"**{words[i]}**"
        elif roll < 0.10:
            words[i] = f"*{words[i]}*"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.1:
        text += f" See [the docs](https://example.com/{rng.choice(_VARS)}) for more."
    return text


def _bullets(rng: random.Random) -> str:
    ordered = rng.random() < 0.4
    lines = []
    for i in range(rng.randint(2, 7)):
        marker = f"{i + 1}." if ordered else "-"
        lines.append(f"{marker} {_sentence(rng, 3, 12)}")
        if rng.random() < 0.15:
            lines.append(f"   - {_sentence(rng, 2, 8)}")
    return "\n".join(lines)


def _table(rng: random.Random) -> str:
    columns = rng.randint(2, 5)
    header = [rng.choice(_WORDS).title() for _ in range(columns)]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * columns]
    for _ in range(rng.randint(2, 8)):
        cells = [
            str(rng.randint(0, 9999)) if rng.random() < 0.4 else " ".join(rng.sample(_WORDS, 2))
            for _ in range(columns)
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _code(rng: random.Random) -> str:
    language = rng.choice(sorted(_CODE))
    lines = []
    for _ in range(rng.randint(5, 30)):
        template = rng.choice(_CODE[language])
        lines.append(
            template.format(
                n=rng.choice(_NAMES),
                N=rng.choice(_NAMES).title(),
                v=rng.choice(_VARS),
                V=rng.choice(_VARS).upper(),
                k=rng.randint(1, 500),
                s=_sentence(rng, 3, 8),
            )
        )
    return f"```{language}\n" + "\n".join(lines) + "\n```"


def _block(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return _paragraph(rng)
    if roll < 0.65:
        return _bullets(rng)
    if roll < 0.90:
        return _code(rng)
    if roll < 0.96:
        return _table(rng)
    return f"## {_sentence(rng, 2, 6).rstrip('.')}"


def assistant_reply(rng: random.Random) -> str:
    """A mixed Markdown reply; about one in ten is long (15–40 blocks)."""
    count = rng.randint(15, 40) if rng.random() < 0.1 else rng.randint(1, 6)
    blocks = [_paragraph(rng)] + [_block(rng) for _ in range(count)]
    return "\n\n".join(blocks)


def user_question(rng: random.Random) -> str:
    text = _sentence(rng, 4, 25).rstrip(".") + "?"
    if rng.random() < 0.1:
        text += "\n\n" + _code(rng)
    return text


def long_reply(rng: random.Random, chars: int) -> str:
    """A Markdown document of at least ``chars`` characters, every block complete, with a code
    block every few blocks."""
    blocks: list[str] = []
    size = 0
    while size < chars:
        block = _code(rng) if len(blocks) % 3 == 2 else _block(rng)
        blocks.append(block)
        size += len(block) + 2
    return "\n\n".join(blocks)


# LaTeX as models write it: {a} {b} letters, {n} {m} numbers (every formula made distinct).
_INLINE_MATH = [
    "{a}^{n}",
    "\\frac{{{a}}}{{{b}}}",
    "{a}_{{{n}}} + {b}_{{{m}}}",
    "\\sqrt{{{a}^2 + {b}^{n}}}",
    "e^{{-{a}t}}",
    "\\alpha_{n} + \\beta_{m}",
    "O({a} \\log {b})",
    "f({a}) = {a}^{n} - {m}",
    "\\sum_{{i=1}}^{{{n}}} {a}_i",
    "\\mathbb{{R}}^{{{n}}}",
    "{a} \\in [0, {n}]",
    "\\lim_{{{a} \\to {n}}} {b}",
]
_DISPLAY_MATH = [
    "\\int_0^{{{n}}} {a}^{m} \\, d{a} = \\frac{{{n}^{{{m}+1}}}}{{{m}+1}}",
    "\\sum_{{k=0}}^{{{n}}} \\binom{{{n}}}{{k}} {a}^k {b}^{{{n}-k}} = ({a}+{b})^{{{n}}}",
    "\\begin{{pmatrix}} {a} & {n} \\\\ {m} & {b} \\end{{pmatrix}}",
    "{a}(t) = \\frac{{1}}{{\\sqrt{{2\\pi}}}} e^{{-t^2/{n}}}",
    "\\nabla \\cdot \\mathbf{{{a}}} = \\frac{{\\rho_{n}}}{{\\varepsilon_0}}",
]
_LETTERS = "abcdfghkmnpqrsuvwxyz"


def _formula(rng: random.Random, templates: list[str], serial: int) -> str:
    a, b = rng.sample(_LETTERS, 2)
    return rng.choice(templates).format(a=a, b=b, n=serial, m=rng.randint(2, 9))


def math_reply(rng: random.Random, formulas: int) -> str:
    """A Markdown reply with ``formulas`` distinct LaTeX formulas: paragraphs with a few inline
    ones (``$…$``, some ``\\(…\\)``), a display one (``$$…$$`` or ``\\[…\\]``) every few blocks,
    and prices in dollars that stay text. No code blocks: the first block of each language
    compiles its lexer on the UI thread (~40-80 ms, as in any reply), and in a reply of ~45
    flushes three of those are the 95th percentile."""
    blocks: list[str] = []
    made = 0
    while made < formulas:
        if len(blocks) % 4 == 3:
            latex = _formula(rng, _DISPLAY_MATH, made)
            blocks.append(f"$$\n{latex}\n$$" if made % 2 else f"\\[\n{latex}\n\\]")
            made += 1
        else:
            parts = [_sentence(rng)]
            for _ in range(min(rng.randint(2, 4), formulas - made)):
                latex = _formula(rng, _INLINE_MATH, made)
                math = f"\\({latex}\\)" if made % 5 == 4 else f"${latex}$"
                parts.append(f"Here {math} holds, for ${rng.randint(2, 90)} or less.")
                parts.append(_sentence(rng))
                made += 1
            blocks.append(" ".join(parts))
    return "\n\n".join(blocks)


# ---- data folders ----------------------------------------------------------------------------


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def conversation(
    conversation_id: str,
    title: str,
    messages: int,
    rng: random.Random,
    *,
    provider: str = "local",
    model: str = "m",
    start: datetime | None = None,
) -> dict[str, Any]:
    """A linear conversation of ``messages`` messages alternating user/assistant."""
    moment = start or datetime(2025, 1, 1, tzinfo=UTC)
    items: list[dict[str, Any]] = []
    parent: str | None = None
    for i in range(messages):
        role = "user" if i % 2 == 0 else "assistant"
        message_id = f"{conversation_id}-m{i:05d}"
        item: dict[str, Any] = {
            "id": message_id,
            "parent": parent,
            "role": role,
            "content": user_question(rng) if role == "user" else assistant_reply(rng),
            "created_at": _time(moment + timedelta(seconds=30 * i)),
        }
        if role == "assistant":
            item.update(
                {
                    "model": model,
                    "finish_reason": "stop",
                    "usage": {
                        "prompt_tokens": 100 + i,
                        "completion_tokens": len(item["content"]) // 4,
                        "total_tokens": 100 + i + len(item["content"]) // 4,
                        "estimated": False,
                    },
                    "error": None,
                }
            )
        items.append(item)
        parent = message_id
    return {
        "format": "confab.conversation",
        "version": 1,
        "id": conversation_id,
        "title": title,
        "created_at": _time(moment),
        "updated_at": _time(moment + timedelta(seconds=30 * messages)),
        "provider": provider,
        "model": model,
        "system_prompt": "",
        "params": {"temperature": None, "top_p": None, "max_tokens": None},
        "pinned": False,
        "tags": [],
        "head": parent,
        "messages": items,
    }


def provider(base_url: str, *, models: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "local",
        "name": "Local",
        "base_url": base_url,
        "default_model": "m",
    }
    if models is not None:
        data["models"] = models
    return data


def write_settings(data_dir: Path, providers: list[dict[str, Any]], **extra: Any) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "format": "confab.settings",
        "version": 1,
        "providers": providers,
        "default_provider": providers[0]["id"] if providers else None,
        **extra,
    }
    (data_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")


def write_conversation(data_dir: Path, data: dict[str, Any]) -> Path:
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def startup_folder(data_dir: Path, conversations: int = 5, messages: int = 12) -> None:
    """The folder for start-up runs: one provider (nothing listens on port 9), so the first-start
    provider dialog stays closed, and a few saved conversations."""
    write_settings(data_dir, [provider("http://127.0.0.1:9/v1")])
    rng = random.Random(1)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(conversations):
        write_conversation(
            data_dir,
            conversation(
                f"saved{i:02d}",
                f"Saved conversation {i}",
                messages,
                rng,
                start=start + timedelta(days=i),
            ),
        )


BIG_ID = "big2000"
SMALL_ID = "small"


def open_folder(data_dir: Path, messages: int = 2000) -> dict[str, Any]:
    """One conversation of ``messages`` messages and a small one to switch to in between."""
    write_settings(data_dir, [provider("http://127.0.0.1:9/v1", models=["m"])], auto_title=False)
    rng = random.Random(2)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    big = conversation(BIG_ID, "Two thousand messages", messages, rng, start=start)
    write_conversation(data_dir, big)
    small = conversation(SMALL_ID, "A short one", 4, rng, start=start + timedelta(days=1))
    write_conversation(data_dir, small)
    return {
        "big_id": BIG_ID,
        "small_id": SMALL_ID,
        "messages": messages,
        "chars": sum(len(m["content"]) for m in big["messages"]),
        "code_blocks": sum(m["content"].count("```") // 2 for m in big["messages"]),
        "file_bytes": (data_dir / "conversations" / f"{BIG_ID}.json").stat().st_size,
    }


def many_folder(data_dir: Path, conversations: int, seed: int = 4) -> dict[str, Any]:
    """``conversations`` saved conversations of 2 to 8 messages, one every few hours back
    from 2025-06-01 (the sidebar's load), and one provider where nothing listens."""
    write_settings(data_dir, [provider("http://127.0.0.1:9/v1", models=["m"])], auto_title=False)
    rng = random.Random(seed)
    newest = datetime(2025, 6, 1, tzinfo=UTC)
    total = 0
    for i in range(conversations):
        data = conversation(
            f"many{i:05d}",
            user_question(rng).rstrip("?")[:60],
            rng.randint(2, 8),
            rng,
            start=newest - timedelta(hours=3 * i, minutes=rng.randint(0, 120)),
        )
        total += write_conversation(data_dir, data).stat().st_size
    return {"conversations": conversations, "folder_bytes": total}


# Bumped whenever library_folder makes something else: the cached folders are keyed by it.
LIBRARY_VERSION = 1
_CJK_TITLES = [
    "北国春光",
    "周报草稿",
    "旅行计划",
    "代码审查",
    "读书笔记",
    "面试准备",
    "菜谱",
    "税务问题",
]
_TAGS = ["work", "code", "travel", "writing", "research", "家庭"]


def library_folder(conversations: int, cache_root: Path | None = None) -> Path:
    """A data folder of ``conversations`` conversations of a realistic mix, made once and kept
    (generating 100,000 files takes minutes) under the temporary folder, keyed by
    LIBRARY_VERSION and the count. Most are short (2 to 8 messages), some longer (10 to 40),
    a few long (60 to 200); titles in English and Chinese, a few pinned, some tagged; one
    every few hours back from 2025-06-01. Made in a sibling folder and renamed into place, so
    an interrupted run leaves no half-made cache. The index is not part of it."""

    def fill(folder: Path) -> None:
        rng = random.Random(12)
        newest = datetime(2025, 6, 1, tzinfo=UTC)
        for i in range(conversations):
            messages = _library_length(rng)
            title = (
                rng.choice(_CJK_TITLES) + f" {i}"
                if rng.random() < 0.3
                else user_question(rng).rstrip("?")[:60]
            )
            data = conversation(
                f"lib{i:06d}",
                title,
                messages,
                rng,
                start=newest - timedelta(hours=3 * i, minutes=rng.randint(0, 120)),
            )
            data["pinned"] = rng.random() < 0.02
            if rng.random() < 0.1:
                data["tags"] = rng.sample(_TAGS, rng.randint(1, 2))
            _write_json(folder, data)

    return _cached_folder(
        f"confab-bench-library-v{LIBRARY_VERSION}-{conversations}", fill, cache_root
    )


def _library_length(rng: random.Random) -> int:
    """How many messages a conversation of the library's mix has."""
    kind = rng.random()
    if kind < 0.85:
        return rng.randint(2, 8)
    return rng.randint(10, 40) if kind < 0.98 else rng.randint(60, 200)


def _write_json(folder: Path, data: dict[str, Any]) -> None:
    (folder / f"{data['id']}.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def _cached_folder(name: str, fill: Any, cache_root: Path | None) -> Path:
    """The data folder ``name`` under the temporary folder, made by ``fill(conversations
    folder)`` the first time, in a sibling folder renamed into place (an interrupted run
    leaves no half-made cache)."""
    import os
    import shutil
    import tempfile

    root = cache_root or Path(tempfile.gettempdir())
    final = root / name
    if (final / "conversations").is_dir():
        return final
    making = Path(tempfile.mkdtemp(prefix=f"{final.name}.making-", dir=root))
    try:
        write_settings(making, [provider("http://127.0.0.1:9/v1", models=["m"])], auto_title=False)
        folder = making / "conversations"
        folder.mkdir(parents=True)
        fill(folder)
        os.replace(making, final)
    except BaseException:
        shutil.rmtree(making, ignore_errors=True)
        raise
    return final


# ---- the search benchmark's library ------------------------------------------------------

# Bumped whenever search_library_folder makes something else (its cache is keyed by it).
SEARCH_LIBRARY_VERSION = 1
_ZH_VOCABULARY = (
    "模型 回复 缓存 窗口 线程 请求 服务器 客户端 问题 延迟 内存 事件 循环 定时器 信号 代码 "
    "索引 分支 消息 历史 上下文 成本 价格 限制 密钥 设置 春光 周报 旅行 计划 读书 笔记 "
    "面试 准备 菜谱 税务 北国 风光 千里 冰封 万里 雪飘 长城 内外 大河 上下 江山 英雄 "
    "数据 文件 搜索 导入 导出 文档 测试 性能 我们 你们 他们 今天 明天 已经 可以 需要 "
    "如果 因为 所以 但是 然后 这个 那个 什么 怎么 为什么"
)
_ZH_WORDS = tuple(_ZH_VOCABULARY.split())
# Words that occur rarely (about one message in RARE_EVERY), and the one word that is in one
# conversation only (``case<number>`` in its first question).
RARE_WORDS = ("walrus", "quokka", "narwhal", "axolotl", "pangolin", "鸭嘴兽", "熊猫")
RARE_EVERY = 2000
SEARCH_FOLDERS = ("Work", "Work/Clients", "Work/Clients/Acme", "Personal", "Research/ML")
SEARCH_MODELS = (("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("deepseek", "deepseek-chat"))


def chinese_text(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        out.append("".join(rng.choice(_ZH_WORDS) for _ in range(rng.randint(4, 14))) + "。")
    return "".join(out)


def search_library_folder(conversations: int, cache_root: Path | None = None) -> Path:
    """A library for the search benchmark, made once and kept as library_folder's is: the same
    mix of lengths (10 messages a conversation on average: 100,000 conversations hold about
    1,000,000 messages), a fifth of the conversations in Chinese, rare words
    (RARE_WORDS), one word found in one conversation only (``case<i>``), folders
    (SEARCH_FOLDERS), tags, archived conversations and three models."""

    def fill(folder: Path) -> None:
        rng = random.Random(13)
        newest = datetime(2025, 6, 1, tzinfo=UTC)
        for i in range(conversations):
            messages = _library_length(rng)
            chinese = rng.random() < 0.2
            title = (
                rng.choice(_CJK_TITLES) + f" {i}"
                if chinese or rng.random() < 0.1
                else user_question(rng).rstrip("?")[:60]
            )
            provider_id, model = rng.choice(SEARCH_MODELS)
            data = conversation(
                f"srch{i:06d}",
                title,
                messages,
                rng,
                provider=provider_id,
                model=model,
                start=newest - timedelta(hours=3 * i, minutes=rng.randint(0, 120)),
            )
            for number, item in enumerate(data["messages"]):
                if chinese:
                    item["content"] = chinese_text(rng, rng.randint(1, 12))
                if rng.randrange(RARE_EVERY) == 0:
                    item["content"] += f" {rng.choice(RARE_WORDS)}"
                if number == 0:
                    item["content"] += f" case{i:06d}"
            data["pinned"] = rng.random() < 0.02
            if rng.random() < 0.1:
                data["tags"] = rng.sample(_TAGS, rng.randint(1, 2))
            if rng.random() < 0.3:
                data["folder"] = rng.choice(SEARCH_FOLDERS)
            if rng.random() < 0.05:
                data["archived"] = True
            _write_json(folder, data)

    name = f"confab-bench-search-v{SEARCH_LIBRARY_VERSION}-{conversations}"
    return _cached_folder(name, fill, cache_root)
