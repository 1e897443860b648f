"""Redaction: a registered secret is masked in every encoding a server may echo it in, whole,
cut short or split over lines; nothing else is masked."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import urllib.parse
from pathlib import Path

import pytest

from desktop.core.client import status_error
from desktop.core.logs import RUN, redact, register_login, register_secret, setup_logging
from tests.support.secret_forms import forms_of, leaks


def new_key(middle: str = "") -> str:
    key = f"sk-proj-{middle}{secrets.token_urlsafe(24)}"
    register_secret(key)
    return key


# Keys an earlier Confab (or another tool) stored as typed: Cyrillic, accented, CJK, an emoji.
ODD_MIDDLES = ["ключ-", "clé-", "密钥-", "\U0001f511-", ""]


@pytest.mark.parametrize("middle", ODD_MIDDLES)
def test_every_form_of_a_key_is_masked(middle: str) -> None:
    key = new_key(middle)
    for name, form in forms_of(key).items():
        for text in (form, f"Incorrect API key provided: {form}.", f'{{"token":"{form}"}}'):
            masked = redact(text)
            assert leaks(masked, key) == [], (name, text, masked)
            assert "***" in masked, (name, text)


@pytest.mark.parametrize("middle", ODD_MIDDLES)
def test_the_header_as_servers_echo_it(middle: str) -> None:
    key = new_key(middle)
    header = f"Bearer {key}".encode()
    latin1 = header.decode("latin-1")  # how Python's http.server, Starlette, Go read it
    echoes = {
        "latin-1": latin1,
        "latin-1 in JSON": json.dumps({"auth": latin1}),
        "utf-8": header.decode(),
        "utf-8 in JSON": json.dumps({"auth": header.decode()}),
        "percent": urllib.parse.quote(header),
        "percent of latin-1": urllib.parse.quote(latin1),
        "base64": base64.b64encode(header).decode(),
        "base64, wrapped at 16": "\n".join(
            base64.b64encode(header).decode()[i : i + 16] for i in range(0, 80, 16)
        ),
        "python bytes": repr(header),
        "split over lines": "\r\n\t".join(latin1[i : i + 10] for i in range(0, len(latin1), 10)),
        "JSON with escaped line breaks": json.dumps("\n".join(latin1[i : i + 9] for i in (0, 9))),
        "html entities": "".join(f"&#{ord(ch)};" for ch in header.decode()),
        "mixed": urllib.parse.quote(key[:12]) + json.dumps(key[12:])[1:-1],
    }
    for name, echo in echoes.items():
        masked = redact(f"401 Unauthorized: you sent {echo}")
        assert leaks(masked, key) == [], (name, echo, masked)
        assert masked.startswith("401 Unauthorized: you sent "), (name, masked)


def test_a_key_cut_short_is_masked_from_eight_characters() -> None:
    key = new_key()
    for cut in range(RUN, len(key)):
        masked = redact(f"invalid key {key[:cut]}")
        assert key[:RUN] not in masked, cut
        masked = redact(f"…{key[-cut:]} is not valid")  # the end of it
        assert key[-RUN:] not in masked, cut
    # Fewer than RUN characters say nothing of the key: providers show the last four.
    assert redact(f"Incorrect API key provided: sk-proj-****{key[-4:]}").endswith(key[-4:])


def test_a_cut_echo_in_an_error_detail() -> None:
    key = new_key("ключ-")
    body = json.dumps({"error": {"message": "x" * 480 + " Bearer " + key}})
    error = status_error(401, body)
    assert leaks(error.detail, key) == []
    escaped = "token=" + json.dumps(key.encode().decode("latin-1"))  # not JSON: kept as text
    error = status_error(401, "y" * 470 + escaped)
    assert leaks(error.detail, key) == []


def test_a_proxy_login_in_basic_auth_is_masked_however_short() -> None:
    register_login("alice", "pw4u")
    encoded = base64.b64encode(b"alice:pw4u").decode()
    for text in (encoded, encoded.rstrip("="), f"Proxy-Authorization: Basic {encoded}"):
        assert encoded.rstrip("=") not in redact(text), text

    password = "proxy-planted 4b8e2f0a"
    register_login("bob", password)
    login = base64.b64encode(f"bob:{password}".encode()).decode()
    masked = redact(f'{{"seen": "{login}"}}')
    assert leaks(masked, password, also=(login,)) == []


def test_a_secret_registered_alone_is_found_inside_any_base64() -> None:
    password = "a-long-proxy-password-6c1d"
    register_secret(password)
    for user in ("u", "us", "use", "carol"):  # each alignment
        login = base64.b64encode(f"{user}:{password}".encode()).decode()
        assert leaks(redact(f"auth={login};"), password) == [], user


def test_basic_credentials_are_masked_but_not_the_word_after_basic() -> None:
    assert redact("Proxy-Authorization: Basic ZGF2ZTpzM2NyM3Q=") == (
        "Proxy-Authorization: Basic ***"
    )
    text = "407 Proxy Authentication Required: Basic authentication needed"
    assert redact(text) == text
    assert redact("Authorization: Bearer sk-unknown-1234567890") == "Authorization: Bearer ***"


def test_ordinary_text_is_left_alone() -> None:
    new_key("ключ-")
    texts = [
        "The server had an error while processing your request",
        "Ошибка: неверный ключ API",
        "密钥无效，请检查后重试",
        "Ã© is what é looks like when UTF-8 is read as Latin-1",
        "%D0%BA%D0%BB and \\u043a\\u043b are escapes, \\n is a newline",
        "multi\nline\r\ntext",
        "",
    ]
    for text in texts:
        assert redact(text) == text


def test_redaction_in_the_log_file(tmp_path: Path) -> None:
    key = new_key("ключ-")
    path = setup_logging(tmp_path)
    log = logging.getLogger("confab.test")
    try:
        log.warning("server said %s", json.dumps(key.encode().decode("latin-1")))
        log.warning("server said %s", urllib.parse.quote(key))
    finally:
        for handler in list(logging.getLogger("confab").handlers):
            logging.getLogger("confab").removeHandler(handler)
            handler.close()
    text = path.read_text(encoding="utf-8")
    assert text.count("server said") == 2
    assert leaks(text, key) == []
