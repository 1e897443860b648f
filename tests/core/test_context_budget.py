"""Which messages a request carries: budget, pins and exclusions."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.core.context import Budget, plan_context, set_flag
from desktop.core.models import Conversation, Message, Summary


def _conversation(turns: int, system: str = "Be brief.") -> Conversation:
    c = Conversation.new()
    c.system_prompt = system
    parent = None
    for i in range(turns * 2):
        role = "user" if i % 2 == 0 else "assistant"
        m = Message(
            id=f"m{i}",
            parent=parent,
            role=role,
            content=f"{role} {i} " * 5,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        c.append(m)
        parent = m.id
    return c


def ids(plan_messages: list[dict[str, str]]) -> list[str]:
    return [m["content"].split()[1] for m in plan_messages if m["role"] != "system"]


def test_without_a_budget_everything_goes_with_the_system_prompt_first() -> None:
    c = _conversation(3)
    plan = plan_context(c)
    assert plan.messages[0] == {"role": "system", "content": "Be brief."}
    assert ids(plan.messages) == ["0", "1", "2", "3", "4", "5"]
    assert plan.left_out == set()


def test_last_n_messages_keep_the_newest_and_pins_always_go() -> None:
    c = _conversation(4)
    assert ids(plan_context(c, Budget(max_messages=3)).messages) == ["5", "6", "7"]
    set_flag(c.message("m0"), "pinned", True)
    plan = plan_context(c, Budget(max_messages=3))
    assert ids(plan.messages) == ["0", "5", "6", "7"]
    assert plan.left_out == {"m1", "m2", "m3", "m4"}
    assert plan.messages[0]["role"] == "system"  # the system prompt is always sent


def test_a_token_budget_stops_at_the_first_message_that_does_not_fit() -> None:
    c = _conversation(4)
    count = len  # one "token" per character keeps the arithmetic visible
    per = len(c.message("m7").content)
    budget = Budget(max_tokens=len(c.system_prompt) + 3 * per)
    assert ids(plan_context(c, budget, count).messages) == ["5", "6", "7"]


def test_excluded_messages_never_go_but_the_newest_always_does() -> None:
    c = _conversation(2)
    set_flag(c.message("m1"), "excluded", True)
    set_flag(c.message("m3"), "excluded", True)  # the newest message: sent anyway
    assert ids(plan_context(c).messages) == ["0", "2", "3"]


def test_a_draft_counts_as_the_newest_message() -> None:
    c = _conversation(2)
    plan = plan_context(c, Budget(max_messages=1), draft="what next?")
    assert plan.messages[-1] == {"role": "user", "content": "what next?"}
    assert ids(plan.messages[:-1]) == ["3"]


def test_budget_round_trips_through_the_file_format() -> None:
    c = _conversation(1)
    Budget(max_messages=10).store(c)
    data = c.to_dict()
    assert data["context"] == {"max_messages": 10, "max_tokens": None}
    assert Budget.of(Conversation.from_dict(data)) == Budget(10, None)
    set_flag(c.message("m0"), "pinned", True)
    again = Conversation.from_dict(c.to_dict())
    assert again.message("m0").pinned is True
    assert again.message("m0").to_dict()["pinned"] is True
    Budget().store(c)
    assert "context" not in c.to_dict()


def test_a_summary_replaces_the_older_messages_it_covers() -> None:
    from desktop.core.context import KEEP_RECENT, SUMMARY_PREFIX, compaction_request

    c = _conversation(4)  # m0..m7
    request = compaction_request(c)
    assert request is not None
    messages, through = request
    assert through == f"m{7 - KEEP_RECENT}"
    assert "user 0" in messages[1]["content"] and "user 4" not in messages[1]["content"]
    c.summary = Summary("They counted to three.", through)
    plan = plan_context(c)
    assert plan.messages[0]["content"] == "Be brief."
    assert plan.messages[1] == {
        "role": "system",
        "content": SUMMARY_PREFIX + "They counted to three.",
    }
    assert ids(plan.messages) == ["4", "5", "6", "7"]
    assert plan.summarized == {"m0", "m1", "m2", "m3"}
    assert compaction_request(_conversation(2)) is None  # nothing old enough to compact
