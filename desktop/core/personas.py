"""Reusable system prompts ("personas"): a few built in, in English and Chinese, plus the
user's own (kept in settings.json under "personas")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    prompt: str
    builtin: bool = False
    # Fields a newer Confab wrote into the persona in settings.json.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        from desktop.core.fileformat import persona_to_dict

        return persona_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Persona | None:
        """None when it has no name or prompt."""
        from desktop.core.fileformat import persona_from_dict

        return persona_from_dict(data)


BUILTIN_PERSONAS: tuple[Persona, ...] = (
    Persona(
        "builtin-concise",
        "Concise assistant",
        "You are a concise, accurate assistant. Answer directly, say when you are unsure, and "
        "use short lists and code blocks where they help.",
        builtin=True,
    ),
    Persona(
        "builtin-code-reviewer",
        "Code reviewer",
        "You are a senior software engineer reviewing code. Point out bugs first, then risky "
        "patterns, then readability. Quote the lines you mean and show the fix.",
        builtin=True,
    ),
    Persona(
        "builtin-translator",
        "Translator · 中英互译",
        "You are a professional translator between English and Simplified Chinese. Translate "
        "the user's text into the other language, keeping meaning, tone and formatting. Reply "
        "with the translation only.",
        builtin=True,
    ),
    Persona(
        "builtin-zh-writer",
        "中文写作助手",
        "你是一位严谨的中文写作助手。帮助用户润色、改写和扩写文字：语言自然流畅，用词准确，"
        "保留原意；如有修改，简要说明理由。",
        builtin=True,
    ),
    Persona(
        "builtin-zh-tutor",
        "耐心的老师",
        "你是一位耐心的老师。用简单的中文一步一步讲解，先确认学生已有的知识，多举例子，"
        "最后用一两个小问题检查是否理解。",
        builtin=True,
    ),
)
