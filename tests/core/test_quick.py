"""Quick ask's rules: the clipboard's text sent with the question, its chip's preview, a
notification's text, and what one Confab asks another."""

from __future__ import annotations

from desktop.core import quick


def test_the_clipboard_goes_after_the_question_in_a_fence() -> None:
    sent = quick.with_context("What does this do?", "print('hi')\n")
    assert sent == "What does this do?\n\n```\nprint('hi')\n```"


def test_backticks_in_the_clipboard_cannot_close_the_fence_early() -> None:
    context = "Some notes\n```python\nx = 1\n```\nand ```` four"
    sent = quick.with_context("Explain", context)
    fence = "`````"  # one longer than the longest run in the text
    assert sent.startswith(f"Explain\n\n{fence}\n") and sent.endswith(f"\n{fence}")
    assert context in sent


def test_no_context_leaves_the_question_alone() -> None:
    assert quick.with_context("Hello", "") == "Hello"
    assert quick.with_context("Hello", " \n\t\n") == "Hello"


def test_a_huge_clipboard_is_cut() -> None:
    assert len(quick.clip_context("x" * 1_000_000)) == quick.MAX_CONTEXT_CHARS


def test_the_chip_shows_one_line_cut_with_an_ellipsis() -> None:
    assert quick.clip_preview("line one\n\n  line two") == "line one line two"
    preview = quick.clip_preview("word " * 100, limit=20)
    assert len(preview) <= 20 and preview.endswith("…")


def test_a_notification_shows_words_not_markdown() -> None:
    body = quick.notice_body("# Title\n\n**Bold** and `code` and a [link](https://x.test).")
    assert body == "Title Bold and code and a link."
    assert len(quick.notice_body("long " * 200)) <= quick.NOTICE_CHARS


def test_what_a_second_confab_asks() -> None:
    assert quick.local_request(b"quick\n") == quick.QUICK
    assert quick.local_request(b"activate\n") == quick.ACTIVATE
    # An older Confab, or a line that is not ours: the window to the front.
    assert quick.local_request(b"") == quick.ACTIVATE
    assert quick.local_request(b"\xff\xfe junk") == quick.ACTIVATE
