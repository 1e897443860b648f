"""Find in conversation (Ctrl+F) counts and numbers its matches through the thread; a
search query's words are what a found message highlights."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.core.find import Matches, query_terms, shown_text
from desktop.core.models import Message


def _messages(*texts: str) -> list[Message]:
    return [
        Message(
            id=f"m{i}",
            parent=f"m{i - 1}" if i else None,
            role="user" if i % 2 == 0 else "assistant",
            content=text,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i, text in enumerate(texts)
    ]


def test_matches_are_counted_case_insensitively_and_numbered_through_the_thread() -> None:
    found = Matches(_messages("Rust or rust?", "nothing here", "RUST, rust, Rust"), "rust")
    assert found.total == 5
    assert [f.message_id for f in found.found] == ["m0", "m2"]
    assert found.locate(0) == ("m0", 0)
    assert found.locate(1) == ("m0", 1)
    assert found.locate(2) == ("m2", 0)
    assert found.locate(4) == ("m2", 2)
    assert found.count_in("m1") == 0 and found.count_in("m2") == 3


def test_chinese_text_is_found() -> None:
    found = Matches(_messages("北国风光，千里冰封", "春光明媚", "北国春光"), "春光")
    assert found.total == 2
    assert found.locate(1) == ("m2", 0)


def test_next_and_previous_go_round_at_the_ends() -> None:
    found = Matches(_messages("a b a", "a"), "a")
    assert found.total == 3
    assert found.step(2, forward=True) == 0
    assert found.step(0, forward=False) == 2
    assert Matches(_messages("x"), "a").step(0, forward=True) == -1


def test_the_first_match_from_where_the_view_is() -> None:
    messages = _messages("cat", "dog", "cat cat", "dog")
    found = Matches(messages, "cat")
    order = [m.id for m in messages]
    assert found.first_from(order, 1) == 1  # the first one in m2
    assert found.first_from(order, 3) == 2  # none below: the last one above


def test_an_empty_needle_finds_nothing() -> None:
    assert Matches(_messages("anything"), "").total == 0


def test_query_terms_are_the_search_terms_longest_first() -> None:
    assert query_terms('north "spring light" AND 北国') == ["spring light", "north", "AND", "北国"]
    assert query_terms("北国 春光 北国") == ["北国", "春光"]
    assert query_terms('  "" ') == []


def test_a_replys_fences_and_link_targets_are_not_counted_but_a_question_is_as_typed() -> None:
    reply = "```python\nprint('python')\n```\n[python docs](https://python.org \"python\")"
    assert shown_text(reply).split() == ["print('python')", "[python", "docs]"]
    question, answer = _messages("```python\n[a](python)", reply)
    found = Matches([question, answer], "python")
    assert (found.count_in("m0"), found.count_in("m1")) == (2, 2)


def test_a_correction_renumbers_the_matches_after_it() -> None:
    found = Matches(_messages("cat cat", "cat", "cat cat cat"), "cat")
    assert (found.total, found.first_of("m2")) == (6, 3)
    assert found.correct("m1", 1) == 0  # right already
    assert found.correct("m0", 1) == -1
    assert (found.total, found.first_of("m1"), found.first_of("m2")) == (5, 1, 2)
    assert found.correct("m1", 0) == -1  # drawn, it shows none: no longer a place to go
    assert found.first_of("m1") == -1 and found.locate(1) == ("m2", 0)
    assert [f.message_id for f in found.found] == ["m0", "m2"] and found.total == 4
    assert found.correct("nowhere", 3) == 0
