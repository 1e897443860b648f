"""A key as pasted becomes the key: quotes, spaces (Unicode ones too), zero-width characters
and "Bearer " go; what still cannot be sent in a header is named."""

from __future__ import annotations

import pytest

from desktop.core.providers import KeyProblem, key_problem, normalize_key
from desktop.core.secrets import KeyStore, clean_key
from tests.support.keys import MemoryBackend

KEY = "sk-proj-Ab3_x-9Zq"


@pytest.mark.parametrize(
    "pasted",
    [
        KEY,
        f"“{KEY}”",
        f"‘{KEY}’",
        f"«{KEY}»",
        f"‹ {KEY} ›",
        f"„{KEY}“",
        f"「{KEY}」",
        f'"{KEY}"',
        f"'{KEY}'\n",
        f"`{KEY}`",
        f"  {KEY}  ",
        f"\u00a0{KEY}\u00a0",  # non-breaking spaces
        f"\u3000{KEY}\u2003\u202f",  # ideographic, em and narrow spaces
        f"\u200b{KEY}\u200d",  # zero-width space and joiner
        f"\ufeff{KEY}\u2060",  # BOM, word joiner
        f"{KEY[:6]}\u200b{KEY[6:]}",  # zero-width inside
        f"{KEY[:6]}\u00ad{KEY[6:]}",  # a soft hyphen from a web page
        f"\u200e{KEY}\u200f",  # direction marks
        f"{KEY[:8]}\n{KEY[8:]}",  # wrapped in a terminal
        f"{KEY[:8]}\r\n  {KEY[8:]}",
        f"Bearer {KEY}",
        f"bearer\u00a0{KEY}",
        f"BEARER  {KEY}",
        f"Authorization: Bearer {KEY}",
        f"“Bearer {KEY}”",
        f"Bearer “{KEY}”",
        f" “ Bearer ‘{KEY}’ ” ",
        "ｓｋ－ｐｒｏｊ－Ａｂ３＿ｘ－９Ｚｑ",  # typed with a full-width input method
    ],
)
def test_pasted_forms_become_the_key(pasted: str) -> None:
    assert normalize_key(pasted) == KEY
    assert key_problem(normalize_key(pasted)) is None
    assert clean_key(pasted) == KEY


def test_a_key_that_is_all_wrapping_is_empty() -> None:
    for pasted in ("", "  ", "“”", "\u200b", "Bearer ", "«  »"):
        assert normalize_key(pasted) == ""
        assert clean_key(pasted) is None


def test_characters_inside_a_key_are_kept() -> None:
    # Quotes and the word Bearer inside a key are not wrapping (no real key has them, but
    # only what surrounds it is removed).
    assert normalize_key("sk-a'b") == "sk-a'b"
    assert normalize_key("sk-Bearer-x") == "sk-Bearer-x"
    assert normalize_key("Bearerish") == "Bearerish"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("sk-clé-123", KeyProblem("é", 6)),
        ("sk-ключ", KeyProblem("к", 4)),
        ("“sk-密钥”", KeyProblem("密", 4)),
        ("sk-\U0001f511", KeyProblem("\U0001f511", 4)),
        ("sk-a\x1bb", KeyProblem("\x1b", 5)),
        ("sk-a\x00b", KeyProblem("\x00", 5)),
        ("sk-a\x7fb", KeyProblem("\x7f", 5)),
        ("sk-a–b", KeyProblem("–", 5)),  # an en dash a word processor put for "-"
    ],
)
def test_what_cannot_be_a_header_is_named(typed: str, problem: KeyProblem) -> None:
    found = key_problem(normalize_key(typed))
    assert found == problem
    assert found.code == f"U+{ord(problem.char):04X}"
    assert found.visible == problem.char.isprintable()


def test_the_key_store_stores_the_normalised_key() -> None:
    backend = MemoryBackend()
    store = KeyStore(backend)
    store.set("openai", f" “Bearer {KEY}”\u200b ")
    assert backend.get_password("Confab", "openai") == KEY
    assert store.get("openai") == KEY


def test_a_proxy_password_is_kept_as_typed() -> None:
    # It goes base64-encoded (Basic) or as SOCKS5 bytes: any character can be sent, and a
    # password may begin with a space or a quote.
    backend = MemoryBackend()
    store = KeyStore(backend)
    password = " “pässwörd” "
    store.set_secret("openai:proxy", password)
    assert backend.get_password("Confab", "openai:proxy") == password
