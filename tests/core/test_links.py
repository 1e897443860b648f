"""Links whose text pretends to be another address, or hides letters, are told apart."""

from __future__ import annotations

import pytest

from desktop.core.links import host_of, misleading, shown_address


@pytest.mark.parametrize(
    ("text", "href", "why"),
    [
        ("https://paypal.com", "https://evil.example/login", "other-host"),
        ("paypal.com", "https://evil.example", "other-host"),
        ("www.paypal.com/account", "https://paypal.com.evil.example/", "other-host"),
        ("https://pаypal.com", "https://xn--pypal-4ve.com", "look-alike"),  # Cyrillic а
        ("click here", "https://pаypal.com/", "look-alike"),
        ("https://example.org\u202e", "https://example.org", "hidden"),
        ("docs", "https://exa\u200bmple.org", "hidden"),
        # Not misleading: plain words, the same site, a subdomain of it.
        ("the documentation", "https://docs.python.org/3/", None),
        ("https://docs.python.org", "https://docs.python.org/3/library/", None),
        ("python.org", "https://www.python.org/", None),
        ("example.org", "https://mail.example.org/", None),
        ("version 3.11", "https://www.python.org/", None),
        ("北京.中国", "https://xn--1lq90i.xn--fiqs8s/", None),  # an IDN named as itself
    ],
)
def test_misleading(text: str, href: str, why: str | None) -> None:
    assert misleading(text, href) == why


def test_the_real_address_is_shown_plainly() -> None:
    assert host_of("https://pаypal.com/x") == "xn--pypal-4ve.com"
    assert shown_address("https://pаypal.com/x") == "https://xn--pypal-4ve.com/x"
    assert shown_address("https://a.org/\u202egnp.exe") == "https://a.org/\\u202egnp.exe"
    assert shown_address("https://example.org/") == "https://example.org/"


@pytest.mark.parametrize("href", ["http://[", "https://[::1", "", "mailto:", "https://"])
def test_broken_addresses_do_not_raise(href: str) -> None:
    assert misleading("http://[", href) in (None, "other-host", "hidden", "look-alike")
    assert isinstance(shown_address(href), str) and isinstance(host_of(href), str)
