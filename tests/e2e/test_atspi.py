"""Confab through the platform's accessibility API: the real app under Xvfb, its tree read and
driven over AT-SPI by a client process (pyatspi, as Orca reads it) in a D-Bus session of the
test's own (tests/support/atspi.py). The Qt-level checks are tests/ui/test_keyboard.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_settings
from tests.support.atspi import (
    PACKAGES_HINT,
    AtspiClient,
    Node,
    confab_under_atspi,
    missing_tools,
)
from tests.support.openai_server import Reply
from tests.support.xvfb import visible_windows, xdotool

# What a screen reader offers to press: every one of these must say what it does.
PRESSABLE = ("push button", "toggle button", "check box", "radio button", "menu item")


@pytest.fixture
def confab(
    tmp_path: Path, server_provider: dict[str, Any], xvfb_display: str
) -> Iterator[tuple[Any, AtspiClient]]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"{missing} is needed: {PACKAGES_HINT}")
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    with confab_under_atspi(data, tmp_path, xvfb_display) as running:
        yield running


def _window(client: AtspiClient) -> list[Node]:
    """What is on screen in Confab's windows."""
    return [node for node in client.tree() if node.showing]


def _one(nodes: list[Node], role: str, name: str) -> Node:
    found = [node for node in nodes if node.role == role and node.name == name]
    assert len(found) == 1, (role, name, [(n.role, n.name) for n in nodes if n.role == role])
    return found[0]


def _wait_for(client: AtspiClient, test: Any, what: str, tries: int = 100) -> list[Node]:
    """The tree once ``test(tree)`` holds (the app changes it in its own time)."""
    nodes: list[Node] = []
    for _ in range(tries):
        nodes = _window(client)
        if test(nodes):
            return nodes
        client.ask(op="pause", seconds=0.1)  # (polled: the tree changes in the app's time)
    raise AssertionError(f"never: {what}; {[(n.role, n.name) for n in nodes]}")


def _unnamed(nodes: list[Node]) -> list[tuple[str, list[int]]]:
    return [(n.role, n.path) for n in nodes if n.role in PRESSABLE and not n.name.strip()]


def test_every_control_has_a_name_and_the_right_role(confab: tuple[Any, AtspiClient]) -> None:
    _proc, client = confab
    nodes = _window(client)
    roles = {(node.role, node.name) for node in nodes}
    # The controls, by the role a screen reader announces and the name it says.
    for expected in [
        ("push button", "New conversation"),
        ("push button", "Send"),
        ("push button", "Attach files"),
        ("push button", "Conversation settings"),
        ("text", "Message"),
        ("tree", "Folders and tags"),
        ("menu bar", ""),
    ]:
        assert expected in roles, expected
    model = next(node for node in nodes if node.role == "combo box")
    assert model.name == "test-model" and model.description == "Model for this conversation"
    assert _unnamed(nodes) == []
    # A dialog's too, with its default and cancel buttons.
    client.press(_one(nodes, "push button", "Conversation settings"))
    dialog = _wait_for(
        client, lambda tree: any(n.role == "dialog" for n in tree), "the settings dialog"
    )
    assert _unnamed(dialog) == []
    (box,) = [n for n in dialog if n.role == "dialog"]
    assert box.name == "Conversation settings"
    buttons = {n.name: n for n in dialog if n.role == "push button" and n.path[0] == box.path[0]}
    # Enter presses OK (the default); Cancel is there to leave.
    assert "is default" in buttons["OK"].states and "Cancel" in buttons
    client.press(buttons["Cancel"])
    _wait_for(client, lambda tree: not any(n.role == "dialog" for n in tree), "dialog closed")


def test_a_message_sent_through_atspi_is_answered_read_and_announced(
    confab: tuple[Any, AtspiClient], openai_server: Any, xvfb_display: str
) -> None:
    _proc, client = confab
    openai_server.enqueue(
        Reply(text="The capital is **Paris**."), Reply(text="Paris, on the Seine.")
    )
    client.ask(op="listen", types=["object:announcement", "object:state-changed:focused"])
    nodes = _window(client)
    client.ask(op="set_text", path=_one(nodes, "text", "Message").path, text="Capital of France?")
    client.press(_one(nodes, "push button", "Send"))
    # A finished reply is announced: said without the focus moving.
    event = client.ask(op="events", type="object:announcement", contains="Paris", timeout=30)
    assert event["event"]["detail"] == "test-model replied: The capital is Paris."
    assert openai_server.chat_requests()[-1]["json"]["messages"][-1]["content"] == (
        "Capital of France?"
    )
    # The messages read as who wrote them and their words, Markdown's stars left out.
    nodes = _window(client)
    names = [n.name for n in nodes]
    assert "You: Capital of France?" in names
    assert "Assistant (test-model): The capital is Paris." in names
    assert _unnamed(nodes) == []  # the messages' buttons too
    everything = client.tree()  # (Qt gives a list no "showing" state)
    listed = _one(everything, "list", "Conversations")
    rows = [n.name for n in everything if n.path[:-1] == listed.path]
    assert rows == ["Capital of France?"]
    (reply,) = [n for n in nodes if n.name == "Assistant (test-model): The capital is Paris."]
    assert reply.role == "panel" and "focusable" in reply.states
    # From the real keyboard (xdotool): Ctrl+Up to the reply, Up to the question; the reader
    # hears each as the focus reaches it.
    proc, _client = confab
    (window,) = visible_windows(xvfb_display, proc.pid, "Confab")
    xdotool(xvfb_display, "windowfocus", "--sync", str(window))
    client.ask(op="clear")
    xdotool(xvfb_display, "key", "ctrl+Up")
    focused = client.ask(
        op="events", type="object:state-changed:focused", source="Assistant (", timeout=20
    )
    assert focused["event"]["source"] == "Assistant (test-model): The capital is Paris."
    client.ask(op="clear")
    xdotool(xvfb_display, "key", "Up")
    client.ask(op="events", type="object:state-changed:focused", source="You: Capital", timeout=20)
    # Driving a message's action: Regenerate makes a second version, and its switcher says so.
    inside = [n for n in nodes if n.path[: len(reply.path)] == reply.path]
    client.press(_one(inside, "push button", "Regenerate this reply"))
    client.ask(op="events", type="object:announcement", contains="Seine", timeout=30)
    nodes = _wait_for(
        client,
        lambda tree: any(n.name == "Previous version" for n in tree),
        "the branch switcher",
    )
    assert "Assistant (test-model): Paris, on the Seine." in [n.name for n in nodes]
    assert any(n.name == "Version 2 of 2" for n in nodes)
    client.press(_one(nodes, "push button", "Previous version"))
    _wait_for(
        client,
        lambda tree: "Assistant (test-model): The capital is Paris." in [n.name for n in tree],
        "the first version back",
    )
    # New conversation, pressed: an empty thread, the composer empty.
    client.press(_one(_window(client), "push button", "New conversation"))
    nodes = _wait_for(
        client,
        lambda tree: not any(n.name.startswith("You: ") for n in tree),
        "an empty conversation",
    )
    assert _one(nodes, "text", "Message").text == ""
