"""Tool calls in the real window, against the loopback OpenAI server and the real
mcp-server-time over stdio: the conversation's tools chosen in the picker; each call a card
that asks first (Allow Once, Always Allow This Tool, Deny; Deny the default, the keyboard's
too), shows the arguments in full, then the result and how long it took, collapsed once
done; "always" listed in File → Tools… and revoked there; Stop while a call waits; and the
whole exchange as it was after a restart."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.core.models import ToolSelection
from desktop.ui import tool_card
from desktop.ui.tools_picker import ToolRole
from tests.support.openai_server import Reply, ToolCallReply

CLOCK = {
    "id": "clock",
    "name": "Clock",
    "transport": "stdio",
    "command": sys.executable,
    "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"],
}
TOKYO = '{"timezone": "Asia/Tokyo"}'
SERVER_START_MS = 30_000


def _start(start_chat_app: Any, **settings: Any) -> Any:
    app = start_chat_app(mcp_servers=[CLOCK], **settings)
    conversation = app.conversations.current
    app.chat.set_tools(conversation, (ToolSelection("clock"),))
    return app


def _ask(
    app: Any, openai_server: Any, call_id: str = "call_tokyo", answer: str = "It is late."
) -> None:
    openai_server.enqueue(
        Reply(
            text="Let me look.",
            tool_calls=[ToolCallReply("get_current_time", TOKYO, id=call_id)],
        ),
        Reply(text=answer),
    )
    app.type_and_send("What time is it in Tokyo?")


def _card(app: Any, qtbot: Any, call_id: str, state: str, timeout: int = SERVER_START_MS) -> Any:
    found: list[Any] = []

    def shown() -> bool:
        card = app.window.chat_view.card(call_id)
        found[:] = [card]
        return card is not None and card.state == state

    qtbot.waitUntil(shown, timeout=timeout)
    return found[0]


def test_tools_are_chosen_per_conversation_in_the_picker(start_chat_app: Any, qtbot: Any) -> None:
    notes = {
        "id": "notes",
        "name": "Notes",
        "transport": "stdio",
        "command": sys.executable,
        "args": ["-c", "import sys; sys.stderr.write('notes: no such file\\n'); sys.exit(2)"],
    }
    app = start_chat_app(mcp_servers=[CLOCK, notes])
    window = app.window
    assert window.tools_button.isVisible() and window.tools_button.text() == "Tools"
    picker = window.open_tools_picker()
    qtbot.waitUntil(lambda: not picker.waiting, timeout=SERVER_START_MS)
    item = picker.server_item("clock")
    assert item is not None and item.text(0) == "Clock"
    tools = [item.child(i).data(0, ToolRole) for i in range(item.childCount())]
    assert "get_current_time" in tools and "convert_time" in tools
    # The server's box ticks all its tools, and shows what its tools' boxes say.
    item.setCheckState(0, Qt.CheckState.Checked)
    assert all(item.child(i).checkState(0) == Qt.CheckState.Checked for i in range(2))
    assert picker.selections() == (ToolSelection("clock"),)
    item.child(tools.index("convert_time")).setCheckState(0, Qt.CheckState.Unchecked)
    assert item.checkState(0) == Qt.CheckState.PartiallyChecked
    # A server that cannot start says why, in its own words.
    broken = picker.server_item("notes")
    assert broken is not None and broken.childCount() == 1
    assert broken.child(0).text(0) == "It could not start: notes: no such file"
    qtbot.mouseClick(picker.ok_button, Qt.MouseButton.LeftButton)
    conversation = app.conversations.current
    assert conversation.tools == (ToolSelection("clock", ("get_current_time",)),)
    assert window.tools_button.text() == "Tools: 1"
    # Another conversation starts with none.
    window.new_conversation()
    assert app.conversations.current.tools == ()
    assert window.tools_button.text() == "Tools"


def test_a_call_asks_first_then_shows_its_result_and_the_answer(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _start(start_chat_app)
    _ask(app, openai_server, answer="It is 21:00 in Tokyo.")
    card = _card(app, qtbot, "call_tokyo", tool_card.APPROVAL)
    assert card.expanded and card.approval.isVisible()
    assert card.toggle.text() == "get_current_time · Clock"
    assert card.status.text() == "Waiting for your approval"
    # The arguments in full, as JSON pretty-printed.
    assert card.arguments.full_text == json.dumps({"timezone": "Asia/Tokyo"}, indent=2)
    # The default is not to run it.
    assert card.deny_button.isDefault()
    assert QApplication.focusWidget() is card.deny_button
    assert len(openai_server.chat_requests()) == 1

    qtbot.mouseClick(card.allow_once_button, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is app.window.composer.edit
    app.wait_idle(timeout=SERVER_START_MS)
    card = _card(app, qtbot, "call_tokyo", tool_card.DONE)
    assert not card.expanded  # collapsed once done
    assert card.status.text().startswith("Done in ")
    assert "Asia/Tokyo" in card.result_box.full_text
    assert not card.approval.isVisible()
    # The result is in the card, not a message of its own; the answer follows.
    assert app.bubbles() == [
        ("user", "What time is it in Tokyo?"),
        ("assistant", "Let me look."),
        ("assistant", "It is 21:00 in Tokyo."),
    ]
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert sent[-1]["role"] == "tool" and sent[-1]["tool_call_id"] == "call_tokyo"
    assert "Asia/Tokyo" in sent[-1]["content"]
    card.set_expanded(True)
    assert card.result_box.isVisible() and card.arguments.isVisible()


def test_always_allow_runs_it_without_asking_until_revoked(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _start(start_chat_app)
    _ask(app, openai_server, call_id="call_a")
    card = _card(app, qtbot, "call_a", tool_card.APPROVAL)
    qtbot.mouseClick(card.always_button, Qt.MouseButton.LeftButton)
    app.wait_idle(timeout=SERVER_START_MS)
    _card(app, qtbot, "call_a", tool_card.DONE)

    dialog = app.window.open_tools()
    dialog.tabs.setCurrentWidget(dialog.allowed_page)
    rows = [
        (dialog.allowed_tree.topLevelItem(i).text(0), dialog.allowed_tree.topLevelItem(i).text(1))
        for i in range(dialog.allowed_tree.topLevelItemCount())
    ]
    assert rows == [("get_current_time", "Clock")]
    dialog.close()

    # Asked again: it runs at once.
    _ask(app, openai_server, call_id="call_b")
    app.wait_idle(timeout=SERVER_START_MS)
    card = _card(app, qtbot, "call_b", tool_card.DONE)
    assert "Asia/Tokyo" in card.result_box.full_text

    dialog = app.window.open_tools()
    dialog.allowed_tree.setCurrentItem(dialog.allowed_tree.topLevelItem(0))
    qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    assert dialog.allowed_tree.topLevelItemCount() == 0
    assert app.parts.tools.always_allowed() == []
    dialog.close()

    _ask(app, openai_server, call_id="call_c")
    card = _card(app, qtbot, "call_c", tool_card.APPROVAL)
    qtbot.mouseClick(card.deny_button, Qt.MouseButton.LeftButton)
    app.wait_idle(timeout=SERVER_START_MS)


def test_deny_by_keyboard_tells_the_model_and_the_card_says_so(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _start(start_chat_app)
    _ask(app, openai_server, answer="Then I cannot tell.")
    card = _card(app, qtbot, "call_tokyo", tool_card.APPROVAL)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # the default: Deny
    app.wait_idle(timeout=SERVER_START_MS)
    card = _card(app, qtbot, "call_tokyo", tool_card.DENIED)
    assert card.status.text() == "Denied"
    assert card.problem.isVisible() and "You denied this call" in card.problem.text()
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert sent[-1]["role"] == "tool" and "denied" in sent[-1]["content"]
    assert app.bubbles()[-1] == ("assistant", "Then I cannot tell.")


def test_stop_while_a_call_waits_ends_the_turn_and_the_card_says_so(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _start(start_chat_app)
    _ask(app, openai_server)
    card = _card(app, qtbot, "call_tokyo", tool_card.APPROVAL)
    assert app.window.composer.send_button.text() == "Stop"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    app.wait_idle()
    card = _card(app, qtbot, "call_tokyo", tool_card.STOPPED)
    assert card.status.text() == "Stopped"
    assert "Stopped" in card.problem.text()
    assert not card.approval.isVisible()
    assert len(openai_server.chat_requests()) == 1  # nothing more was asked
    assert app.window.composer.send_button.text() == "Send"
    assert QApplication.focusWidget() is app.window.composer.edit


def test_the_cards_are_there_after_a_restart(
    start_chat_app: Any, start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    app = _start(start_chat_app)
    _ask(app, openai_server, answer="It is 21:00 in Tokyo.")
    card = _card(app, qtbot, "call_tokyo", tool_card.APPROVAL)
    qtbot.mouseClick(card.allow_once_button, Qt.MouseButton.LeftButton)
    app.wait_idle(timeout=SERVER_START_MS)
    shown = _card(app, qtbot, "call_tokyo", tool_card.DONE)
    result, status = shown.result_box.full_text, shown.status.text()
    conversation_id = app.conversations.current.id
    app.quit()

    again = start_app(tmp_path / "data")
    again.open(conversation_id)
    card = _card(again, qtbot, "call_tokyo", tool_card.DONE, timeout=5_000)
    assert card.toggle.text() == "get_current_time · Clock"
    assert card.result_box.full_text == result and card.status.text() == status
    assert not card.expanded
    assert again.bubbles() == [
        ("user", "What time is it in Tokyo?"),
        ("assistant", "Let me look."),
        ("assistant", "It is 21:00 in Tokyo."),
    ]
    assert again.window.tools_button.text() == "Tools: 1"


TEST_SERVER = str(Path(__file__).resolve().parent.parent / "support" / "mcp_servers.py")


# The project's own test server (tests/support/mcp_servers.py) as settings.json has it.
OWN = {
    "id": "own",
    "name": "Own",
    "transport": "stdio",
    "command": sys.executable,
    "args": [TEST_SERVER, "tools"],
}


def _own_server(start_chat_app: Any) -> Any:
    """The window with the project's test server, its tools always allowed: they run at once."""
    approvals = [{"server": "own", "tool": name} for name in ("slow", "fail")]
    app = start_chat_app(mcp_servers=[OWN], tool_approvals=approvals)
    app.chat.set_tools(app.conversations.current, (ToolSelection("own"),))
    return app


def test_stop_while_a_tool_runs_cancels_it_and_the_card_says_so(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _own_server(start_chat_app)
    openai_server.enqueue(
        Reply(text="", tool_calls=[ToolCallReply("slow", '{"seconds": 600}', id="call_slow")]),
        Reply(text="never asked"),
    )
    app.type_and_send("Take your time.")
    card = _card(app, qtbot, "call_slow", tool_card.RUNNING)
    assert card.status.text() == "Running…" and card.expanded
    assert not card.approval.isVisible()  # always allowed: it did not ask
    qtbot.mouseClick(app.window.composer.send_button, Qt.MouseButton.LeftButton)  # Stop
    app.wait_idle()
    card = _card(app, qtbot, "call_slow", tool_card.STOPPED, timeout=5_000)
    assert "Stopped" in card.problem.text()
    # The cancelled call's result comes as the task unwinds: the card shows it, the file too.
    qtbot.waitUntil(lambda: app.window.chat_view.card("call_slow").result is not None)
    assert app.window.chat_view.card("call_slow").state == tool_card.STOPPED
    assert len(openai_server.chat_requests()) == 1
    (saved,) = app.conversation_files()
    last = saved["messages"][-1]
    assert last["role"] == "tool" and last["tool_error"] == "stopped"


def test_a_tool_that_fails_says_so_in_words_and_the_model_is_told(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _own_server(start_chat_app)
    openai_server.enqueue(
        Reply(
            text="",
            tool_calls=[ToolCallReply("fail", '{"message": "disk is full"}', id="call_fail")],
        ),
        Reply(text="The tool failed: the disk is full."),
    )
    app.type_and_send("Try it.")
    app.wait_idle(timeout=SERVER_START_MS)
    card = _card(app, qtbot, "call_fail", tool_card.FAILED)
    assert card.status.text().startswith("Failed after ")
    assert card.problem.isVisible()
    assert card.problem.text() == "The tool reported an error; the model was told."
    assert "disk is full" in card.result_box.full_text
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert sent[-1]["role"] == "tool" and "disk is full" in sent[-1]["content"]
    assert app.bubbles()[-1] == ("assistant", "The tool failed: the disk is full.")


def test_a_server_that_cannot_start_is_said_and_the_others_tools_still_go(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    broken = {**OWN, "id": "notes", "name": "Notes", "args": [TEST_SERVER, "exit"]}
    app = start_chat_app(mcp_servers=[CLOCK, broken])
    app.chat.set_tools(app.conversations.current, (ToolSelection("clock"), ToolSelection("notes")))
    openai_server.enqueue(Reply(text="Noted."))
    app.type_and_send("Hello")
    app.wait_idle(timeout=SERVER_START_MS)
    banner = app.window.banner
    assert banner.isVisible()
    assert banner.text.text() == (
        "The tool server “Notes” could not start, so its tools are not offered in this reply."
    )
    assert banner.detail.text()  # the server's own words
    assert banner.action_button.text() == "Open Tools"
    offered = [t["function"]["name"] for t in openai_server.chat_requests()[-1]["json"]["tools"]]
    assert "get_current_time" in offered
    # Asked again: the failed server is not started again, and the banner says so again.
    banner.hide()
    openai_server.enqueue(Reply(text="Noted again."))
    app.type_and_send("Hello again")
    app.wait_idle(timeout=SERVER_START_MS)
    assert banner.isVisible() and "“Notes” could not start" in banner.text.text()
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    assert app.window.tools_dialog is not None and app.window.tools_dialog.isVisible()


def test_a_model_without_tools_is_said_so_and_asked_again_without_them(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _start(start_chat_app)
    refusal = {
        "error": {
            "message": "This model does not support tools.",
            "type": "invalid_request_error",
            "param": "tools",
            "code": None,
        }
    }
    openai_server.enqueue(Reply(status=400, body=json.dumps(refusal)), Reply(text="Hello!"))
    app.type_and_send("Hi")
    app.wait_idle(timeout=SERVER_START_MS)
    banner = app.window.banner
    assert banner.isVisible()
    assert banner.text.text().startswith("This model (or its server) does not take tools.")
    assert banner.action_button.text() == "Send Without Tools"
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    app.wait_idle(timeout=SERVER_START_MS)
    assert "tools" not in openai_server.chat_requests()[-1]["json"]
    assert app.bubbles()[-1] == ("assistant", "Hello!")
    assert app.conversations.current.tools == (ToolSelection("clock"),)  # kept


def test_a_call_waiting_in_another_conversation_is_said_and_asks_there(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = _start(start_chat_app)
    asking = app.conversations.current
    _ask(app, openai_server, answer="It is late in Tokyo.")
    _card(app, qtbot, "call_tokyo", tool_card.APPROVAL)
    app.window.new_conversation()  # the user moves on while the call waits
    assert app.window.chat_view.card("call_tokyo") is None
    banner = app.window.banner
    assert banner.isVisible() and "waits for your approval" in banner.text.text()
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)  # Show It
    card = _card(app, qtbot, "call_tokyo", tool_card.APPROVAL, timeout=5_000)
    assert app.conversations.current is asking
    qtbot.mouseClick(card.allow_once_button, Qt.MouseButton.LeftButton)
    app.wait_idle(timeout=SERVER_START_MS)
    _card(app, qtbot, "call_tokyo", tool_card.DONE)


def test_a_tool_the_server_adds_while_it_runs_is_offered_to_the_model_next(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = start_chat_app(mcp_servers=[OWN], tool_approvals=[{"server": "own", "tool": "grow"}])
    app.chat.set_tools(app.conversations.current, (ToolSelection("own"),))
    openai_server.enqueue(
        Reply(text="", tool_calls=[ToolCallReply("grow", '{"name": "weather_now"}', id="g")]),
        Reply(text="Added."),
        Reply(text="Now I can."),
    )
    app.type_and_send("Add a weather tool.")
    app.wait_idle(timeout=SERVER_START_MS)
    offered = [t["function"]["name"] for t in openai_server.chat_requests()[0]["json"]["tools"]]
    assert not any("weather_now" in name for name in offered)
    # The server said its tools changed: Confab listed them again.
    tools = app.parts.tools
    qtbot.waitUntil(
        lambda: "weather_now" in {t.name for t in tools.known_tools("own") or []},
        timeout=SERVER_START_MS,
    )
    app.type_and_send("What is the weather?")
    app.wait_idle(timeout=SERVER_START_MS)
    offered = [t["function"]["name"] for t in openai_server.chat_requests()[-1]["json"]["tools"]]
    assert any("weather_now" in name for name in offered)
