"""The usage view: totals per provider and model per day and month, exported as CSV."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.core.models import Conversation, Message, Usage
from desktop.core.storage import ConversationStore
from tests.conftest import write_settings


def _reply(
    mid: str,
    parent: str,
    when: datetime,
    model: str,
    prompt: int,
    out: int,
    estimated: bool = False,
    provider: str | None = None,
) -> Message:
    return Message(
        id=mid,
        parent=parent,
        role="assistant",
        content="ok",
        created_at=when,
        model=model,
        usage=Usage(prompt, out, prompt + out, estimated),
        provider=provider,
    )


def _seed(data: Path) -> None:
    store = ConversationStore(data)
    c = Conversation.new(provider="openai", model="gpt-4o-mini")
    c.title = "usage"
    day1 = datetime(2026, 11, 1, 9, tzinfo=UTC)
    day2 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    c.append(Message(id="q1", parent=None, role="user", content="q", created_at=day1))
    c.append(_reply("a1", "q1", day1, "gpt-4o-mini", 1_000_000, 0))
    c.append(Message(id="q2", parent="a1", role="user", content="q", created_at=day2))
    c.append(_reply("a2", "q2", day2, "gpt-4o-mini", 0, 1_000_000))
    # A regeneration by another provider, since removed: counted under the one that wrote it.
    c.append(_reply("a3", "q2", day2, "llama3.2", 10, 20, estimated=True, provider="ollama"))
    store.save(c)


def test_usage_by_day_and_month_and_csv_export(
    start_app: Any, openai_server: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(
        data,
        [
            {
                "id": "openai",
                "name": "OpenAI",
                "base_url": openai_server.base_url,
                "default_model": "gpt-4o-mini",
            }
        ],
    )
    _seed(data)
    app = start_app(data)
    dialog = app.window.open_usage()
    table = dialog.table

    def cells() -> list[list[str]]:
        return [
            [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        ]

    million = "1,000,000"  # grouped, under the C locale too (tests/ui/conftest.py)
    assert cells() == [
        ["2026-11-02", "OpenAI", "gpt-4o-mini", "1", "0", million, "$0.60"],
        ["2026-11-02", "ollama", "llama3.2", "1", "≈10", "≈20", "—"],
        ["2026-11-01", "OpenAI", "gpt-4o-mini", "1", million, "0", "$0.15"],
    ]
    dialog.period.setCurrentIndex(1)  # by month
    assert [row[:4] + row[-1:] for row in cells()] == [
        ["2026-11", "OpenAI", "gpt-4o-mini", "2", "$0.75"],
        ["2026-11", "ollama", "llama3.2", "1", "—"],
    ]
    target = tmp_path / "usage.csv"
    assert dialog.export_to(target)
    rows = list(csv.reader(target.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == [
        "period",
        "provider",
        "model",
        "replies",
        "prompt_tokens",
        "completion_tokens",
        "estimated",
        "cost_usd",
    ]
    assert rows[1:] == [
        ["2026-11", "openai", "gpt-4o-mini", "2", "1000000", "1000000", "no", "0.750000"],
        ["2026-11", "ollama", "llama3.2", "1", "10", "20", "yes", ""],
    ]
    dialog.close()


def test_export_to_an_unwritable_place_says_so(
    start_app: Any, openai_server: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from desktop.core.errors import WriteFailedError

    data = tmp_path / "data"
    write_settings(data, [])
    _seed(data)
    app = start_app(data)
    dialog = app.window.open_usage()

    def disk_full(path: Path, blob: bytes) -> None:
        raise WriteFailedError("No space left on device")

    monkeypatch.setattr("desktop.core.services.chat.write_bytes_atomic", disk_full)
    assert dialog.export_to(tmp_path / "u.csv") is False
    assert "could not save" in dialog.status.text() and "No space" in dialog.status.text()
    dialog.close()
