"""Provider data types and the presets offered when adding one."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from desktop.core.network import NetworkSettings


@dataclass
class Provider:
    id: str
    name: str
    base_url: str
    default_model: str = ""
    models: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Proxy, CA bundle, TLS verification and timeouts; the proxy password is in the keyring.
    network: NetworkSettings = field(default_factory=NetworkSettings)

    def to_dict(self) -> dict[str, Any]:
        from desktop.core.fileformat import provider_to_dict

        return provider_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provider:
        from desktop.core.fileformat import provider_from_dict

        return provider_from_dict(data)


@dataclass(frozen=True)
class Preset:
    name: str
    base_url: str
    default_model: str
    needs_key: bool


PRESETS: tuple[Preset, ...] = (
    Preset("OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", True),
    Preset("DeepSeek", "https://api.deepseek.com/v1", "deepseek-chat", True),
    Preset("OpenRouter", "https://openrouter.ai/api/v1", "openai/gpt-4o-mini", True),
    Preset("Ollama", "http://localhost:11434/v1", "llama3.2", False),
    Preset("LM Studio", "http://localhost:1234/v1", "", False),
)


def slugify(name: str, taken: set[str]) -> str:
    """A stable provider id from its name: lower-case ASCII, unique among ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "provider"
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def normalize_base_url(url: str) -> str:
    return url.strip().rstrip("/")


# ---- what the user types as a key ----------------------------------------------------------

# Quotes a key is pasted in: from a document (typographic), a shell or .env file (ASCII), a
# Chinese or Japanese text (corner brackets), French or Russian (guillemets).
_KEY_QUOTES = "\"'`“”„‟‘’‚‛«»‹›「」『』〝〞〟"
_BEARER_PREFIX = re.compile(r"(?i)^(?:(?:proxy-)?authorization\s*:\s*)?bearer(?:\s+|$)")
# An input method left in full-width mode types ｓｋ－ａｂｃ: the same key in wider glyphs.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _invisible(ch: str) -> bool:
    """Zero-width and other format characters (U+200B, U+200D, U+2060, U+FEFF, U+00AD, the
    direction marks): invisible in the field, never part of a key."""
    return unicodedata.category(ch) == "Cf"


def normalize_key(text: str) -> str:
    """A key as pasted → the key: no quotes, white space (Unicode spaces too), zero-width
    characters or "Bearer " around it, no line breaks or spaces inside it (a key wrapped in a
    terminal). Keys never hold any of these, so nothing of a real key is lost. What is left
    may still be unsendable: see ``key_problem``."""
    text = text.translate(_FULL_WIDTH)
    text = "".join(" " if ch.isspace() else ch for ch in text if not _invisible(ch))
    previous = None
    while text != previous:  # “Bearer ‘sk-…’ ” peels in several rounds
        previous = text
        text = _BEARER_PREFIX.sub("", text.strip().strip(_KEY_QUOTES))
    return text.replace(" ", "")


@dataclass(frozen=True)
class KeyProblem:
    """The first character of a (normalised) key that an HTTP header cannot carry."""

    char: str
    position: int  # 1-based

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def visible(self) -> bool:
        return self.char.isprintable()


def key_problem(key: str) -> KeyProblem | None:
    """None if ``key`` can be sent as ``Authorization: Bearer <key>``, else its first bad
    character. Header values are bytes, and servers read them as ASCII or Latin-1: a
    non-ASCII character sent as UTF-8 arrives as two or three other characters (the key is
    then wrong, and its mojibake is what a server echoes back); a control character is
    refused by the HTTP library. So a key is printable ASCII, which every real key is."""
    for index, ch in enumerate(key):
        if not "\x21" <= ch <= "\x7e":
            return KeyProblem(ch, index + 1)
    return None
