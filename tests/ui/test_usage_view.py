"""The usage view: totals per provider and model per day and month, exported as CSV."""

from __future__ import annotations

import csv
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.core.index import INDEX_NAME
from desktop.core.models import Conversation, Message, Usage
from desktop.core.storage import ConversationStore
from tests.conftest import write_settings
from tests.core.test_usage_index import built, usage_from_files, varied_library
from tests.support.old_index import downgrade_to_version_1


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


def cells(dialog: Any) -> list[list[str]]:
    model = dialog.model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def figures_shown(dialog: Any, qtbot: Any) -> list[list[str]]:
    """The table once the index's figures are in and final."""
    qtbot.waitUntil(lambda: not dialog.counting, timeout=10_000)
    assert not dialog.progress.isVisible() and dialog.export_button.isEnabled()
    return cells(dialog)


def test_usage_by_day_and_month_and_csv_export(
    start_app: Any, openai_server: Any, tmp_path: Path, qtbot: Any, run_async: Any
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
    million = "1,000,000"  # grouped, under the C locale too (tests/ui/conftest.py)
    assert figures_shown(dialog, qtbot) == [
        ["2026-11-02", "OpenAI", "gpt-4o-mini", "1", "0", million, "$0.60"],
        ["2026-11-02", "ollama", "llama3.2", "1", "≈10", "≈20", "—"],
        ["2026-11-01", "OpenAI", "gpt-4o-mini", "1", million, "0", "$0.15"],
    ]
    dialog.period.setCurrentIndex(1)  # by month
    qtbot.waitUntil(lambda: cells(dialog)[0][0] == "2026-11")
    assert [row[:4] + row[-1:] for row in figures_shown(dialog, qtbot)] == [
        ["2026-11", "OpenAI", "gpt-4o-mini", "2", "$0.75"],
        ["2026-11", "ollama", "llama3.2", "1", "—"],
    ]
    target = tmp_path / "usage.csv"
    assert run_async(dialog.export_to(target))
    assert dialog.status.text() == "Saved usage.csv."
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
    start_app: Any, tmp_path: Path, qtbot: Any, run_async: Any
) -> None:
    data = tmp_path / "data"
    write_settings(data, [])
    _seed(data)
    app = start_app(data)
    dialog = app.window.open_usage()
    figures_shown(dialog, qtbot)
    (tmp_path / "a file").write_text("not a folder", encoding="utf-8")
    assert run_async(dialog.export_to(tmp_path / "a file" / "u.csv")) is False
    status = dialog.status.text()
    assert status == "The usage could not be exported: u.csv: File exists", status
    dialog.close()


def _figures(rows: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r.period,
            r.provider,
            r.model,
            r.replies,
            r.prompt_tokens,
            r.completion_tokens,
            r.estimated,
            None if r.cost is None else round(r.cost, 9),
        )
        for r in rows
    ]


def _file_reads(monkeypatch: Any) -> list[str]:
    """The thread of every conversation file read from now on."""
    from desktop.core import storage

    threads: list[str] = []
    real = storage.read_regular_file

    def recorded(path: Path, *args: Any) -> bytes:
        threads.append(threading.current_thread().name)
        return real(path, *args)

    monkeypatch.setattr(storage, "read_regular_file", recorded)
    return threads


def test_usage_comes_from_the_index_and_follows_replies_and_other_programs(
    start_app: Any, server_provider: dict[str, Any], tmp_path: Path, qtbot: Any, monkeypatch: Any
) -> None:
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    store = varied_library(data, 300)
    store.close()
    expected = _figures(usage_from_files(data, "day"))  # read by the test, before Confab
    app = start_app(data)
    app.conversations.rescan_delay_ms = 0  # the folder watcher's event, at once
    # The cold start's background text pass (search) reads the files again: not for this.
    app.conversations.wait_for_usage()
    reads = _file_reads(monkeypatch)
    dialog = app.window.open_usage()
    figures_shown(dialog, qtbot)
    assert reads == []  # not one of the 300 files read for it, on any thread
    assert dialog.shown is not None and dialog.shown.figures.counted == 300
    assert _figures(dialog.shown.rows) == expected
    assert dialog.model.rowCount() == len(expected) > 20

    # A reply saved while the dialog is open shows in it.
    app.window.new_conversation()
    app.type_and_send("hello")
    app.wait_idle()
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    qtbot.waitUntil(
        lambda: [today, "Loopback", "test-model", "1"] in [row[:4] for row in cells(dialog)],
        timeout=10_000,
    )
    assert "MainThread" not in reads

    # Another program removes a file: its replies leave the figures.
    gone = next(
        p for p in sorted(store.folder.glob("*.json")) if '"usage": {' in p.read_text("utf-8")
    )
    gone.unlink()
    expected = _figures(usage_from_files(data, "day"))  # the reply's conversation included
    reads.clear()  # the test's own reading
    qtbot.waitUntil(
        lambda: (
            dialog.shown is not None
            and dialog.shown.figures.complete
            and _figures(dialog.shown.rows) == expected
        ),
        timeout=10_000,
    )
    assert dialog.shown.figures.counted == 300  # 300 - 1 + the new one
    assert "MainThread" not in reads
    dialog.close()


def test_an_old_index_shows_the_list_at_once_and_the_dialog_says_it_is_still_counting(
    start_app: Any, tmp_path: Path, qtbot: Any, monkeypatch: Any
) -> None:

    data = tmp_path / "data"
    gate = _old_index_held(data, monkeypatch)
    reads = _file_reads(monkeypatch)
    app = start_app(data)
    assert app.window.sidebar.model.rowCount() == 60  # from the old index's rows
    assert reads == []
    dialog = app.window.open_usage()
    qtbot.waitUntil(lambda: dialog.shown is not None)
    assert dialog.counting and dialog.progress.isVisible()
    assert dialog.progress.text() == "Counting usage: 0 of 60 conversations…"
    assert not dialog.export_button.isEnabled()
    gate.set()
    assert figures_shown(dialog, qtbot)
    assert len(reads) == 60 and "MainThread" not in reads  # each file once, in the background
    assert _figures(dialog.shown.rows) == _figures(usage_from_files(data, "day"))
    dialog.close()


def test_figures_that_move_faster_than_the_query_still_show_as_they_come(
    start_app: Any, tmp_path: Path, qtbot: Any, monkeypatch: Any
) -> None:
    """Counting a large old index moves the figures every few milliseconds, and a query of
    it takes longer than that: each answer was thrown away for the next, and the dialog
    stayed at its first count (or at no figures at all) until the counting had ended,
    half a minute for 60,000 conversations. Each answer shows, still as counting, and the
    next one is asked for; Export waits for an answer nothing has moved since."""
    data = tmp_path / "data"
    gate = _old_index_held(data, monkeypatch)
    app = start_app(data)
    answered: list[int] = []
    real_table = app.chat.usage_table
    moving = True

    async def moved_meanwhile(by: str = "day") -> Any:
        table = await real_table(by)
        answered.append(table.figures.counted)
        if moving:
            app.chat.usage_changed.emit()  # the figures moved while it ran
        return table

    monkeypatch.setattr(app.chat, "usage_table", moved_meanwhile)
    dialog = app.window.open_usage()
    qtbot.waitUntil(lambda: len(answered) >= 3)
    assert dialog.shown is not None  # the first answer shows
    assert dialog.progress.text() == "Counting usage: 0 of 60 conversations…"
    assert not dialog.export_button.isEnabled()
    moving = False
    gate.set()
    figures_shown(dialog, qtbot)
    assert dialog.shown.figures.counted == 60
    dialog.close()


def test_a_long_model_name_is_shown_in_full(
    start_app: Any, apply_app_theme: Any, tmp_path: Path, qtbot: Any
) -> None:
    """Seven columns of one width cut model names short ("deepseek-…") beside half-empty
    columns of figures: the model's column takes the room the others leave."""
    data = tmp_path / "data"
    write_settings(data, [])
    store = ConversationStore(data)
    c = Conversation.new(provider="openai", model="claude-3-5-sonnet-20241022")
    when = datetime(2026, 11, 1, 9, tzinfo=UTC)
    c.append(Message(id="q1", parent=None, role="user", content="q", created_at=when))
    c.append(_reply("a1", "q1", when, "claude-3-5-sonnet-20241022", 123_456, 7_654_321))
    store.save(c)
    store.close()
    apply_app_theme(False)
    app = start_app(data)
    dialog = app.window.open_usage()
    dialog.show()
    cells_now = figures_shown(dialog, qtbot)
    assert cells_now[0][2] == "claude-3-5-sonnet-20241022"
    table = dialog.table
    metrics = table.fontMetrics()
    for column, text in enumerate(cells_now[0]):
        assert table.columnWidth(column) > metrics.horizontalAdvance(text), (column, text)
    assert dialog.model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) == cells_now[0][2]
    dialog.close()


def test_a_query_that_fails_says_so_instead_of_counting_for_ever(
    start_app: Any, tmp_path: Path, qtbot: Any, monkeypatch: Any
) -> None:
    data = tmp_path / "data"
    write_settings(data, [])
    _seed(data)
    app = start_app(data)

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(app.chat, "usage_table", broken)
    dialog = app.window.open_usage()
    qtbot.waitUntil(lambda: "could not be read" in dialog.progress.text())
    assert dialog.progress.isVisible()
    assert not dialog.export_button.isEnabled()
    dialog.close()


def test_no_usage_yet_says_so_and_has_nothing_to_export(
    start_app: Any, tmp_path: Path, qtbot: Any
) -> None:
    data = tmp_path / "data"
    write_settings(data, [])
    app = start_app(data)
    dialog = app.window.open_usage()
    qtbot.waitUntil(lambda: dialog.shown is not None and dialog.shown.figures.complete)
    assert dialog.progress.isVisible()
    assert dialog.progress.text().startswith("No usage yet")
    assert not dialog.export_button.isEnabled()
    dialog.close()


def _old_index_held(data: Path, monkeypatch: Any) -> threading.Event:
    """60 conversations under an index of version 1, whose usage the background pass reads
    only once the returned event is set."""
    write_settings(data, [])
    varied_library(data, 60).close()
    built(data)
    downgrade_to_version_1(data / INDEX_NAME)
    gate = threading.Event()
    real_as_is = ConversationStore.read_as_is

    def held(self: ConversationStore, path: Path) -> Any:
        gate.wait(10)
        return real_as_is(self, path)

    monkeypatch.setattr(ConversationStore, "read_as_is", held)
    return gate
