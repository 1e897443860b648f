"""Generated titles are shown as plain text everywhere: the model's Markdown comes off."""

from __future__ import annotations

import pytest

from desktop.core.titles import MAX_TITLE, clean_title


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Title: Spring in the North", "Spring in the North"),
        ('"Quoted title".', "Quoted title"),
        ("**北国春光**", "北国春光"),
        ("标题：北国春光。", "北国春光"),
        ("# Title: *Nice* day", "Nice day"),
        ("> **Bold** quote", "Bold quote"),
        ("Using `asyncio` with [Qt](https://qt.io)", "Using asyncio with Qt"),
        ("snake_case_names stay", "snake_case_names stay"),
        ("2 * 3 = 6", "2 * 3 = 6"),
        ("\n\n  First line\nSecond line", "First line"),
    ],
)
def test_clean_title(raw: str, title: str) -> None:
    assert clean_title(raw) == title


def test_a_long_title_is_shortened_with_an_ellipsis() -> None:
    title = clean_title("word " * 40)
    assert len(title) == MAX_TITLE and title.endswith("…")
