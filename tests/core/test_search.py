"""Full-text search (desktop/core/search.py) through the index and Library, as the app and
``confab search`` use them: what a person types finds the messages (every branch) and titles
they mean, in English, Chinese and short terms; filters; the index follows saves, removals,
files changed elsewhere, an older index and a damaged one."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core import search as search_module
from desktop.core.index import INDEX_NAME, SCHEMA_VERSION, Library, Record
from desktop.core.models import Conversation, Message
from desktop.core.search import SearchFilters, search
from desktop.core.storage import ConversationStore
from tests.support.old_index import downgrade_to_version_2

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def make(
    title: str,
    texts: list[tuple[str, str]],
    *,
    start: datetime = T0,
    provider: str | None = "openai",
    model: str | None = "gpt-4o",
    folder: str | None = None,
    tags: list[str] | None = None,
    archived: bool = False,
) -> Conversation:
    """A conversation of (role, text) messages in one thread, a minute apart."""
    conversation = Conversation.new(provider=provider, model=model, clock=lambda: start)
    conversation.title = title
    parent: str | None = None
    for i, (role, text) in enumerate(texts):
        message = Message(f"m{i}", parent, role, text, start + timedelta(minutes=i))
        conversation.append(message)
        parent = message.id
    conversation.updated_at = start + timedelta(minutes=len(texts))
    conversation.folder = folder
    conversation.archived = archived
    conversation.tags = tags or []
    return conversation


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(ConversationStore(tmp_path))
    lib.open().result()
    yield lib
    lib.close()


def indexed(library: Library, *conversations: Conversation) -> None:
    """Saved to their files and read by a reconcile, as a sync tool's files would be."""
    for conversation in conversations:
        library.store.save(conversation)
    library.reconcile().result()
    library.wait_for_usage()


def found(library: Library, query: str, **filters: object) -> list[tuple[str, str | None]]:
    hits = library.search(query, SearchFilters(**filters)).result()  # type: ignore[arg-type]
    return [(hit.conversation_id, hit.message_id) for hit in hits]


def test_chinese_of_one_two_and_more_characters(library: Library) -> None:
    poem = make(
        "词",
        [("user", "写一首关于北国春光的词。"), ("assistant", "北国风光，千里冰封，万里雪飘。")],
    )
    other = make("Other", [("user", "春天来了，光很亮。")], start=T0 - timedelta(days=1))
    indexed(library, poem, other)
    # One character: wherever it is.
    assert set(found(library, "光")) == {(poem.id, "m0"), (poem.id, "m1"), (other.id, "m0")}
    # Two: those two side by side ("春" and "光" apart in the other do not count).
    assert found(library, "春光") == [(poem.id, "m0")]
    assert found(library, "北国") == [(poem.id, "m1"), (poem.id, "m0")]
    # Three and more: as written.
    assert found(library, "北国春") == [(poem.id, "m0")]
    assert found(library, "千里冰封") == [(poem.id, "m1")]
    assert found(library, "冰封千里") == []
    # The title's one character too.
    assert (poem.id, None) in found(library, "词")


def test_japanese_and_korean_short_words(library: Library) -> None:
    conversation = make("Mixed", [("user", "東京へ行きます"), ("assistant", "사랑해요 and 안녕")])
    indexed(library, conversation)
    assert found(library, "東京") == [(conversation.id, "m0")]
    assert found(library, "사랑") == [(conversation.id, "m1")]
    assert found(library, "안녕") == [(conversation.id, "m1")]


def test_english_words_in_any_order_and_phrases_as_written(library: Library) -> None:
    conversation = make(
        "Notes",
        [
            ("user", "The Quick brown fox jumps over the lazy dog."),
            ("assistant", "A lazy afternoon; the fox was quick to leave."),
            ("user", "Nothing about animals here."),
        ],
    )
    indexed(library, conversation)
    assert found(library, "fox lazy") == [(conversation.id, "m1"), (conversation.id, "m0")]
    assert found(library, "QUICK FOX") == [(conversation.id, "m1"), (conversation.id, "m0")]
    assert found(library, '"quick brown fox"') == [(conversation.id, "m0")]
    assert found(library, '"fox quick"') == []
    assert found(library, "fox animals") == []  # every word must match
    # Part of a word matches (results as you type).
    assert found(library, "anim") == [(conversation.id, "m2")]


def test_a_short_latin_term_matches_that_word_not_longer_ones(library: Library) -> None:
    conversation = make(
        "Short",
        [("user", "Is AI useful?"), ("assistant", "The air is fresh, she said."), ("user", "C#")],
    )
    indexed(library, conversation)
    assert found(library, "ai") == [(conversation.id, "m0")]
    assert found(library, "is") == [(conversation.id, "m1"), (conversation.id, "m0")]
    assert found(library, "c") == [(conversation.id, "m2")]
    assert found(library, "AI useful") == [(conversation.id, "m0")]


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(", "-", ":", "a:b", '"unclosed phrase', "AND", "OR NOT", "(", ")", "^x", "'"],
)
def test_what_a_person_types_is_never_query_syntax(library: Library, query: str) -> None:
    hostile = make(
        "Syntax",
        [
            ("user", 'NEAR(a b) AND "quoted" -minus col:value a:b OR NOT ^x * (paren)'),
            ("assistant", "an unclosed phrase here"),
        ],
    )
    indexed(library, hostile)
    hits = library.search(query, SearchFilters()).result()
    assert isinstance(hits, list)
    # What can be looked for is found as the text it is.
    literal = query.strip('"')
    if len(literal) >= 3:
        assert hits and all(literal.lower() in h.snippet.lower() for h in hits)


def test_hostile_text_is_found_literally(library: Library) -> None:
    conversation = make("Syntax", [("user", "call NEAR(x, y) with *args and col:val")])
    indexed(library, conversation)
    assert found(library, "NEAR(x") == [(conversation.id, "m0")]
    assert found(library, "*args") == [(conversation.id, "m0")]
    assert found(library, "col:val") == [(conversation.id, "m0")]
    assert found(library, '"with *args"') == [(conversation.id, "m0")]


def test_a_message_on_a_branch_not_on_screen_is_found(library: Library) -> None:
    conversation = make("Branches", [("user", "question"), ("assistant", "first answer")])
    conversation.messages.append(
        Message("alt", "m0", "assistant", "the regenerated zebra answer", T0 + timedelta(hours=1))
    )
    conversation.head = "m1"  # the first answer on screen
    indexed(library, conversation)
    assert found(library, "zebra") == [(conversation.id, "alt")]


def test_titles_match_with_no_message(library: Library) -> None:
    conversation = make("Trip to Kyoto", [("user", "plans")])
    indexed(library, conversation)
    hits = library.search("kyoto", SearchFilters()).result()
    assert [(h.conversation_id, h.message_id, h.role) for h in hits] == [
        (conversation.id, None, None)
    ]
    assert hits[0].when_us == int(conversation.updated_at.timestamp() * 1_000_000)


def test_snippets_mark_each_match(library: Library) -> None:
    long = "filler words " * 40 + "the Needle is here, and another needle. " + "tail " * 40
    conversation = make("Snip", [("user", long)])
    indexed(library, conversation)
    (hit,) = library.search("needle", SearchFilters()).result()
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) <= search_module.SNIPPET_CHARS + 2
    assert [hit.snippet[s:e] for s, e in hit.marks] == ["Needle", "needle"]
    assert "\n" not in hit.snippet


def test_newest_first(library: Library) -> None:
    old = make("a", [("user", "common word")], start=T0 - timedelta(days=30))
    new = make("b", [("user", "common word")], start=T0)
    middle = make("c", [("user", "common word")], start=T0 - timedelta(days=3))
    indexed(library, old, new, middle)
    assert found(library, "common") == [(new.id, "m0"), (middle.id, "m0"), (old.id, "m0")]
    assert len(library.search("common", SearchFilters(), limit=2).result()) == 2


def filtered_library(library: Library) -> dict[str, Conversation]:
    c = {
        "work": make("w", [("user", "report alpha"), ("assistant", "report beta")], folder="Work"),
        "acme": make(
            "a",
            [("user", "report gamma")],
            folder="Work/Clients/Acme",
            tags=["client", "家庭"],
            start=T0 - timedelta(days=10),
        ),
        "workshop": make("s", [("user", "report delta")], folder="Workshop", provider="deepseek"),
        "none": make(
            "n",
            [("user", "report eps"), ("assistant", "report zeta")],
            model="deepseek-chat",
            start=T0 - timedelta(days=40),
        ),
        "archived": make("x", [("user", "report eta")], archived=True),
    }
    c["none"].messages[1].model = "gpt-4o"  # a reply by another model than the conversation's
    indexed(library, *c.values())
    return c


def ids(library: Library, query: str, **filters: object) -> set[tuple[str, str | None]]:
    return set(found(library, query, **filters))


def test_every_filter(library: Library) -> None:
    c = filtered_library(library)
    work, acme, shop, none, arch = (
        c[k].id for k in ("work", "acme", "workshop", "none", "archived")
    )
    everything = ids(library, "report")
    assert len(everything) == 7
    assert ids(library, "report", folder="Work") == {(work, "m0"), (work, "m1"), (acme, "m0")}
    assert ids(library, "report", folder="Work/Clients") == {(acme, "m0")}
    assert ids(library, "report", tag="家庭") == {(acme, "m0")}
    assert ids(library, "report", provider="deepseek") == {(shop, "m0")}
    # A reply's own model, else the conversation's.
    assert ids(library, "report", model="deepseek-chat") == {(none, "m0")}
    assert (none, "m1") in ids(library, "report", model="gpt-4o")
    assert ids(library, "report", role="assistant") == {(work, "m1"), (none, "m1")}
    assert ids(library, "report", archived=True) == {(arch, "m0")}
    assert (arch, "m0") not in ids(library, "report", archived=False)
    assert len(ids(library, "report", archived=False)) == 6
    since = T0 - timedelta(days=20)
    assert (none, "m0") not in ids(library, "report", since=since)
    assert (acme, "m0") in ids(library, "report", since=since)
    assert ids(library, "report", since=since, until=T0 - timedelta(days=5)) == {(acme, "m0")}
    assert ids(library, "report", until=T0 - timedelta(days=30)) == {(none, "m0"), (none, "m1")}
    assert ids(library, "report", folder="Work", role="assistant") == {(work, "m1")}


def test_filters_answered_by_scanning_give_the_same_hits(library: Library, tmp_path: Path) -> None:
    filtered_library(library)
    path = tmp_path / INDEX_NAME
    for filters in (
        SearchFilters(folder="Work"),
        SearchFilters(tag="client"),
        SearchFilters(folder="Work", role="assistant", since=T0 - timedelta(days=1)),
        SearchFilters(tag="家庭", folder="Work/Clients", archived=False),
    ):
        walked = search(path, "report", filters, scan_messages=0)
        scanned = search(path, "report", filters, scan_messages=10**9)
        assert walked == scanned and walked


def test_a_query_past_its_budget_answers_with_the_newest_hits_found(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [
        make(f"c{i}", [("user", f"common term {i}")] * 3, start=T0 - timedelta(hours=i))
        for i in range(40)
    ]
    indexed(library, *many)
    path = tmp_path / INDEX_NAME
    full = search(path, "common term", SearchFilters(), limit=200)
    assert len(full) == 120
    ticks = iter(range(100_000))
    # A clock that moves 100 ms at each look (every 1,000 steps of SQLite's): the budget is
    # gone after 3 looks.
    cut = search(path, "common term", SearchFilters(), limit=200, clock=lambda: next(ticks) / 10)
    assert 0 < len(cut) < len(full) and cut == full[: len(cut)]


def save(library: Library, conversation: Conversation) -> None:
    """Confab's own save, as the controller makes it: the record on the UI thread, the row
    in the index thread once written."""
    library.saving(Record.of(conversation), new_write=True)
    library.store.save(conversation)
    library.written(conversation.id, True)
    library.wait()


def test_saves_keep_the_text_current_and_a_growing_reply_is_all_that_is_indexed_again(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [("user" if i % 2 == 0 else "assistant", f"message number {i} end") for i in range(200)]
    conversation = make("Long one", texts)
    save(library, conversation)
    assert found(library, '"number 17 end"') == [(conversation.id, "m17")]
    reply = Message("r", conversation.head, "assistant", "partial ans", T0 + timedelta(hours=5))
    conversation.append(reply)
    save(library, conversation)
    assert found(library, "partial") == [(conversation.id, "r")]
    documents: list[str] = []
    real = search_module.document

    def counted(text: str) -> str:
        documents.append(text)
        return real(text)

    monkeypatch.setattr(search_module, "document", counted)
    reply.content = "partial answer, now with a walrus"
    conversation.updated_at += timedelta(seconds=1)
    save(library, conversation)
    # The reply out and in again (and the title's row, whose time moved): not 200 messages.
    assert documents.count("partial ans") == 1 and "partial answer, now with a walrus" in documents
    assert len(documents) <= 4
    assert found(library, "walrus") == [(conversation.id, "r")]
    # Renamed, a branch removed.
    conversation.title = "Renamed walrus notes"
    conversation.remove_branch("m150")
    save(library, conversation)
    assert set(found(library, "walrus")) == {(conversation.id, None)}
    assert found(library, '"number 151 end"') == []
    assert found(library, '"number 149 end"') == [(conversation.id, "m149")]


def test_removal_trash_and_changes_elsewhere(library: Library, tmp_path: Path) -> None:
    kept = make("kept", [("user", "shared word kept")])
    trashed = make("trashed", [("user", "shared word trashed")])
    elsewhere = make("synced", [("user", "shared word synced")])
    indexed(library, kept, trashed, elsewhere)
    library.store.delete(trashed.id)
    library.dropped(trashed.id).result()
    assert {cid for cid, _ in found(library, "shared")} == {kept.id, elsewhere.id}
    # Removed by a sync tool: the reconcile drops its text.
    (tmp_path / "conversations" / f"{kept.id}.json").unlink()
    library.reconcile().result()
    assert {cid for cid, _ in found(library, "shared")} == {elsewhere.id}
    # Changed by another machine: read again.
    elsewhere.messages[0].content = "rewritten elsewhere entirely"
    ConversationStore(tmp_path).save(elsewhere)
    library.reconcile().result()
    assert found(library, "shared") == []
    assert found(library, "entirely") == [(elsewhere.id, "m0")]
    # Back from the trash: a reconcile finds its file again.
    library.store.restore(trashed.id)
    library.reconcile().result()
    assert found(library, "trashed") == [(trashed.id, None), (trashed.id, "m0")]


def test_an_index_of_version_2_lists_at_once_and_its_text_is_read_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(tmp_path)
    conversations = [
        make(f"c{i}", [("user", f"needle {i}")], start=T0 - timedelta(hours=i)) for i in range(30)
    ]
    for conversation in conversations:
        store.save(conversation)
    first = Library(store)
    first.open().result()
    first.reconcile().result()
    first.close()
    downgrade_to_version_2(tmp_path / INDEX_NAME)
    gate = threading.Event()
    reading = threading.Event()
    real = store.read_as_is

    def held(path: Path) -> Conversation | None:
        reading.set()
        gate.wait(10)
        return real(path)

    monkeypatch.setattr(store, "read_as_is", held)
    monkeypatch.setattr("desktop.core.index.TEXT_FILL_BATCH", 10)
    library = Library(store)
    try:
        listing = library.open().result()
        assert len(listing.order) == 30 and library.index.migrated
        library.reconcile().result()  # nothing changed: the text pass starts behind it
        assert library.search("needle", SearchFilters()).result() == []
        assert reading.wait(10)  # the pass has begun reading, in the index thread
        assert library.text_progress == (0, 30)
        gate.set()
        library.wait_for_usage()
        assert library.text_progress is None
        hits = library.search("needle", SearchFilters(), limit=100).result()
        assert len(hits) == 30
        # Newest first, as the pass read them.
        assert hits[0].conversation_id == conversations[0].id
    finally:
        library.close()
    db = sqlite3.connect(tmp_path / INDEX_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_a_cold_start_lists_every_row_first_and_reads_the_text_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(tmp_path)
    for i in range(12):
        store.save(make(f"c{i}", [("user", f"needle {i}")], start=T0 - timedelta(hours=i)))
    monkeypatch.setattr("desktop.core.index.TEXT_INLINE_FILES", 5)
    gate = threading.Event()
    reading = threading.Event()
    real = store.read_as_is

    def held(path: Path) -> Conversation | None:
        reading.set()
        gate.wait(10)
        return real(path)

    monkeypatch.setattr(store, "read_as_is", held)
    library = Library(store)
    try:
        library.open().result()
        report = library.reconcile().result()
        assert len(report.changed) == 12  # every row, before any text
        assert reading.wait(10)
        assert library.text_progress == (0, 12)
        assert library.search("needle", SearchFilters()).result() == []
        gate.set()
        library.wait_for_usage()
        assert len(library.search("needle", SearchFilters()).result()) == 12
    finally:
        gate.set()
        library.close()


@pytest.mark.parametrize("damage", ["deleted", "garbage", "truncated"])
def test_a_deleted_or_damaged_index_is_rebuilt_with_its_text(tmp_path: Path, damage: str) -> None:
    store = ConversationStore(tmp_path)
    conversation = make("Rebuilt", [("user", "survives the rebuild 北国")])
    store.save(conversation)
    library = Library(store)
    library.open().result()
    library.reconcile().result()
    library.close()
    path = tmp_path / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if damage == "deleted":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    else:
        path.write_bytes(path.read_bytes()[:2048])
    library = Library(store)
    try:
        library.open().result()
        assert library.index.rebuilt is not None
        library.reconcile().result()
        library.wait_for_usage()
        assert found(library, "rebuild") == [(conversation.id, "m0")]
        assert found(library, "北国") == [(conversation.id, "m0")]
    finally:
        library.close()


def test_no_index_yet_answers_nothing(tmp_path: Path) -> None:
    assert search(tmp_path / INDEX_NAME, "anything", SearchFilters()) == []


def test_a_later_search_makes_a_waiting_one_answer_nothing(library: Library) -> None:
    indexed(library, make("x", [("user", "hello there")]))
    gate = threading.Event()
    blocker = library._searcher.submit(gate.wait, 10)
    older = library.search("hello", SearchFilters())
    newer = library.search("hello", SearchFilters())
    gate.set()
    blocker.result()
    assert older.result() == [] and len(newer.result()) == 1


def test_the_models_the_library_names_come_from_the_index(library: Library) -> None:
    assert library.search_models().result() == []
    indexed(
        library,
        make("One", [("user", "which model")], model="qwen-max"),
        make("Two", [("user", "and this one")], model="Llama3"),
        make("Three", [("user", "none at all")], model=None),
        make("Four", [("user", "again")], model="qwen-max"),
    )
    assert library.search_models().result() == ["Llama3", "qwen-max"]


def test_messages_sharing_one_second_keep_their_date_in_the_hits(library: Library) -> None:
    # Imported messages without a time of their own take their parent's: 300 in one second
    # (more than a second's keys). Their hits keep about that date, not the newest of all.
    many = make("Same second", [("user", f"walrus number {i}") for i in range(300)])
    for message in many.messages:
        message.created_at = T0
    later = make("A year later", [("user", "something else")], start=T0 + timedelta(days=365))
    indexed(library, many, later)
    hits = library.search("walrus", SearchFilters(), limit=500).result()
    assert len(hits) == 300
    t0_us = int(T0.timestamp() * 1_000_000)
    assert all(abs(hit.when_us - t0_us) <= 120 * 1_000_000 for hit in hits)
