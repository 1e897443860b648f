"""Offline token counts and the price table."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from desktop.core.models import Usage
from desktop.core.pricing import Price, PriceTable
from desktop.core.tokens import Count, TokenCounter, encoding_for

PRICES = Path(__file__).resolve().parents[2] / "resources" / "pricing" / "prices.json"


def test_openai_models_count_exactly_offline() -> None:
    counter = TokenCounter("gpt-4o-mini")
    assert counter.exact and counter.encoding == "o200k_base"
    assert counter.text("Hello, world!") == 4  # [13225, 11, 2375, 0] in o200k_base
    # OpenAI's chat format: 3 per message and 3 to prime the reply.
    assert counter.messages([{"role": "user", "content": "Hello, world!"}]).tokens == 10
    assert encoding_for("gpt-3.5-turbo") == ("cl100k_base", True)
    assert encoding_for("openai/gpt-4o") == ("o200k_base", True)


def test_other_models_are_estimates() -> None:
    count = TokenCounter("deepseek-chat").messages([{"role": "user", "content": "你好，世界"}])
    assert not count.exact and count.tokens > 6


def test_prices_by_exact_id_dated_id_and_router_prefix() -> None:
    table = PriceTable.load(PRICES)
    mini = table.price("gpt-4o-mini")
    assert mini is not None and mini.input == 0.15 and mini.output == 0.6 and mini.checked
    assert table.price("gpt-4o-mini-2024-07-18") == mini
    assert table.price("openai/gpt-4o-mini") == mini
    assert table.price("gpt-4o") is not None and table.price("gpt-4o") != mini
    assert table.price("llama3.2") is None  # unknown: no invented cost
    assert table.context_window("deepseek-chat") == 65536


def test_cost_counts_cached_input_at_its_price_and_overrides_win() -> None:
    table = PriceTable.load(
        PRICES,
        {"gpt-4o-mini": Price(1.0, 2.0, 0.5), "my-local": Price(0, 0, 0)},
    )
    price = table.price("gpt-4o-mini")
    assert price is not None
    usage = Usage(
        prompt_tokens=1_000_000,
        completion_tokens=500_000,
        total_tokens=1_500_000,
        cached_tokens=400_000,
    )
    assert price.cost(usage) == 0.6 * 1.0 + 0.4 * 0.5 + 0.5 * 2.0
    assert table.price("my-local") is not None


def test_usage_reads_cached_tokens_from_openai_and_deepseek_shapes() -> None:
    openai = Usage.from_dict(
        {
            "prompt_tokens": 100,
            "completion_tokens": 5,
            "prompt_tokens_details": {"cached_tokens": 64},
        }
    )
    deepseek = Usage.from_dict(
        {"prompt_tokens": 100, "completion_tokens": 5, "prompt_cache_hit_tokens": 32}
    )
    assert (openai.cached_tokens, deepseek.cached_tokens) == (64, 32)
    assert Usage.from_dict(openai.to_dict()).cached_tokens == 64
    assert "cached_tokens" not in Usage(1, 1, 2).to_dict()


def test_a_run_without_spaces_is_counted_in_slices_and_marked_as_an_estimate() -> None:
    """Byte-pair encoding is quadratic in a run's length: 20,000 letters in a row froze the
    window for seconds. Long runs are sliced, so the count is close, and marked "≈"."""
    from desktop.core.tokens import MAX_RUN, _encoding

    counter = TokenCounter("gpt-4o")
    run = "ab" * (MAX_RUN * 4)
    exact = len(_encoding("o200k_base").encode(run, disallowed_special=()))
    counted = counter.count(run)
    assert not counted.exact
    assert abs(counted.tokens - exact) <= max(2, exact // 20)
    for text in ("😀" * 8000, "北国风光千里冰封万里雪飘" * 3000, "x" * 300_000):
        assert not counter.count(text).exact
    # Ordinary prose, Chinese with its punctuation, and a URL are still exact.
    for text in (
        "hello world " * 2000,
        "北国风光，千里冰封，万里雪飘。" * 500,
        "see https://example.org/path/to/some/resource?query=1&b=2",
    ):
        assert counter.count(text).exact
    assert counter.messages([{"role": "user", "content": "😀" * 8000}]).exact is False


def test_a_huge_text_is_estimated_from_its_size() -> None:
    from desktop.core.tokens import MAX_EXACT_CHARS, estimate

    text = "word " * (MAX_EXACT_CHARS // 4)
    counted = TokenCounter("gpt-4o").count(text)
    assert not counted.exact and counted.tokens == estimate(text)
    assert 0.5 < counted.tokens / len(text.split()) < 2  # about a token a word


def test_a_long_thread_is_counted_once_not_at_every_update(monkeypatch: object) -> None:
    """The meter counts the thread at every change: a cache smaller than the thread (4,096
    entries) evicted its own counts, and a 5,000-message thread was counted whole each time."""
    from desktop.core import tokens

    tokens._COUNTS.clear()
    counter = TokenCounter("gpt-4o")
    messages = [{"role": "user", "content": f"message number {i}"} for i in range(5_000)]
    first = counter.messages(messages)
    encoder = tokens._encoding("o200k_base")
    calls: list[str] = []
    real = encoder.encode

    def spy(text: str, **kwargs: object) -> object:
        calls.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(encoder, "encode", spy)  # type: ignore[attr-defined]
    assert counter.messages(messages) == first
    assert calls == []


def test_a_count_that_may_not_wait_estimates_while_the_table_loads_in_another_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.core import tokens

    release = threading.Event()
    loaders: list[threading.Thread] = []

    def held(name: str, future: Future[Any]) -> None:
        loaders.append(threading.current_thread())
        assert release.wait(30)
        tokens._load(name, future)

    monkeypatch.setattr(tokens, "_TABLES", tokens._Tables(held))

    monkeypatch.setattr(tokens, "_COUNTS", tokens._Counts(1024))  # none counted yet
    meter = TokenCounter("gpt-4o", wait=False)
    first = meter.count("Hello, world!")
    assert first == Count(tokens.estimate("Hello, world!"), exact=False, pending=True)
    assert meter.pending and not tokens.loaded("gpt-4o")
    assert meter.messages([{"role": "user", "content": "Hello, world!"}]).pending
    release.set()
    # Waiting for the table takes the one the other thread is loading (it is loaded once).
    table = tokens._encoding("o200k_base")
    assert len(table.encode("Hello, world!")) == 4
    assert tokens.loaded("gpt-4o")
    assert len(loaders) == 1 and loaders[0] is not threading.current_thread()
    assert TokenCounter("gpt-4o", wait=False).count("Hello, world!") == Count(4, exact=True)


def test_a_table_that_cannot_be_loaded_leaves_estimates_not_errors(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from desktop.core import tokens

    def broken(name: str, future: Future[Any]) -> None:
        future.set_exception(OSError("o200k_base.tiktoken.gz: no such file"))

    monkeypatch.setattr(tokens, "_TABLES", tokens._Tables(broken))

    monkeypatch.setattr(tokens, "_COUNTS", tokens._Counts(1024))  # none counted yet
    monkeypatch.setattr(tokens, "_FAILED", set())
    text = "A text never counted before: table-less."
    for wait in (True, False, False):
        assert TokenCounter("gpt-4o", wait=wait).count(text) == Count(
            tokens.estimate(text), exact=False
        )
    assert caplog.text.count("cannot be loaded") == 1


def test_a_wait_free_count_leaves_what_it_cannot_afford_to_the_counting_thread() -> None:
    """Opening a long conversation counted its whole thread on the UI thread (5,000 messages:
    ~2 s). A wait-free counter counts ``INLINE_CHARS`` itself and estimates the rest, which the
    counting thread counts; once ``counted`` is done the same count is exact."""
    from desktop.core import tokens

    tokens._encoding("o200k_base")  # the table is there; only counting is left
    tokens._COUNTS.clear()
    messages = [
        {"role": "user", "content": f"message {i}: " + "a few words of prose " * 50}
        for i in range(60)
    ]  # ~1,000 characters each: several fit the inline budget
    exact = TokenCounter("gpt-4o").messages(messages)
    tokens._COUNTS.clear()
    meter = TokenCounter("gpt-4o", wait=False)
    counts = [meter.count(m["content"]) for m in messages]
    # The first ones that fit INLINE_CHARS counted here, the others estimated and left to the
    # counting thread.
    budget, fit = tokens.INLINE_CHARS, 0
    while budget >= len(messages[fit]["content"]):
        budget -= len(messages[fit]["content"])
        fit += 1
    assert 3 < fit < 30
    assert [c.pending for c in counts] == [False] * fit + [True] * (60 - fit)
    assert meter.pending
    tokens.counted("gpt-4o").result(timeout=60)  # the counting thread has done them
    again = TokenCounter("gpt-4o", wait=False).messages(messages)
    assert again == exact and not again.pending
