"""``confab search``: alone on the data folder it brings the index up to date first (progress on
stderr), then prints the hits (or one JSON array of them); beside a running Confab it reads the
index as that one keeps it."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop import cli
from desktop.core.index import INDEX_NAME
from desktop.core.instance import DataFolderLock
from desktop.core.models import Conversation, Message
from desktop.core.storage import ConversationStore


def folder(tmp_path: Path) -> Conversation:
    store = ConversationStore(tmp_path)
    conversation = Conversation.new(provider="openai", model="gpt-4o")
    conversation.title = "Spring poems"
    when = datetime(2026, 4, 2, 8, 30, tzinfo=UTC)
    conversation.append(Message("q", None, "user", "写一首关于北国春光的词", when))
    conversation.append(Message("a", "q", "assistant", "北国风光，千里冰封 — a poem", when))
    store.save(conversation)
    store.close()
    return conversation


def run(tmp_path: Path, *words: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["--data-dir", str(tmp_path), "search", *words], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_search_indexes_the_folder_first_and_prints_hits(tmp_path: Path) -> None:
    conversation = folder(tmp_path)
    assert not (tmp_path / INDEX_NAME).exists()
    status, out, err = run(tmp_path, "北国")
    assert status == cli.EXIT_OK, err
    assert "Spring poems" in out and "北国风光" in out and "北国春光" in out
    assert conversation.id in out
    assert "Traceback" not in err


def test_search_json_is_one_array_of_hits(tmp_path: Path) -> None:
    conversation = folder(tmp_path)
    status, out, _err = run(tmp_path, "poem", "--json")
    assert status == cli.EXIT_OK
    hits = json.loads(out)
    # Newest first: the title (the conversation changed today), then the reply.
    assert [(h["conversation_id"], h["message_id"]) for h in hits] == [
        (conversation.id, None),
        (conversation.id, "a"),
    ]
    first = hits[1]
    assert first["role"] == "assistant" and first["when"].startswith("2026-04-02T08:30")
    start, end = first["marks"][0]
    assert first["snippet"][start:end] == "poem"


def test_no_match_says_so_and_succeeds(tmp_path: Path) -> None:
    folder(tmp_path)
    status, out, err = run(tmp_path, "zebra")
    assert status == cli.EXIT_OK and out == "" and "No matches" in err


def test_beside_a_running_confab_the_index_is_only_read(tmp_path: Path) -> None:
    folder(tmp_path)
    assert run(tmp_path, "poem")[0] == cli.EXIT_OK  # the index, as the app would have made it
    later = Conversation.new()
    later.title = "Later walrus"
    ConversationStore(tmp_path).save(later)
    running = DataFolderLock(tmp_path)
    assert running.acquire()
    try:
        before = (tmp_path / INDEX_NAME).stat().st_mtime_ns
        status, out, _err = run(tmp_path, "walrus")
        assert status == cli.EXIT_OK and out == ""  # the app has not indexed it yet
        status, out, _err = run(tmp_path, "poem")
        assert status == cli.EXIT_OK and "Spring poems" in out
        assert (tmp_path / INDEX_NAME).stat().st_mtime_ns == before
    finally:
        running.release()


def test_beside_a_running_confab_still_building_its_index_it_says_so(tmp_path: Path) -> None:
    # The app has not made its index yet (a first start, a rebuild): "No matches" would be a
    # wrong answer.
    folder(tmp_path)
    running = DataFolderLock(tmp_path)
    assert running.acquire()
    try:
        status, out, err = run(tmp_path, "poem")
    finally:
        running.release()
    assert status == cli.EXIT_FAILED and out == ""
    assert "still building its index" in err
    assert "No matches" not in err


def test_search_filters_narrow_the_hits(tmp_path: Path, capsys: Any) -> None:
    conversation = folder(tmp_path)
    store = ConversationStore(tmp_path)
    other = Conversation.new(provider="deepseek", model="deepseek-chat")
    other.title, other.folder, other.tags = "Work notes", "Work/Clients", ["acme"]
    other.archived = True
    when = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    other.append(Message("q", None, "user", "a poem for the client", when))
    other.append(Message("a", "q", "assistant", "Roses are red: a poem", when))
    store.save(other)
    store.close()

    def found(*options: str) -> set[tuple[str, str | None]]:
        status, out, err = run(tmp_path, "poem", "--json", "--limit", "50", *options)
        assert status == cli.EXIT_OK, err
        return {(h["conversation_id"], h["message_id"]) for h in json.loads(out)}

    everything = found()
    assert {(other.id, "q"), (other.id, "a"), (conversation.id, "a")} <= everything
    assert found("--folder", "Work") == {(other.id, "q"), (other.id, "a")}
    assert found("--tag", "acme", "--role", "user") == {(other.id, "q")}
    assert found("--model", "gpt-4o", "--role", "assistant") == {(conversation.id, "a")}
    assert found("--provider", "deepseek", "--role", "assistant") == {(other.id, "a")}
    assert found("--until", "2026-05-01", "--role", "assistant") == {(conversation.id, "a")}
    assert found("--since", "2026-05-01", "--role", "assistant") == {(other.id, "a")}
    assert {c for c, _m in found("--not-archived")} == {conversation.id}
    assert {c for c, _m in found("--archived")} == {other.id}
    # A day that is no day is a usage error, said plainly.
    status, _out, err = run(tmp_path, "poem", "--since", "yesterday")
    err += capsys.readouterr().err  # (argparse's own message)
    assert status == cli.EXIT_USAGE and "YYYY-MM-DD" in err and "Traceback" not in err
