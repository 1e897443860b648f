"""What Confab sees of tools: a server's tools, its state, a run as saved, an approval asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.core.models import Message, ToolCall

# A server's states (``ServerState.state``).
STOPPED = "stopped"  # not started yet, or stopped (Confab quitting, disabled, removed)
STARTING = "starting"  # its process is starting / the connection is being made, then initialize
READY = "ready"  # initialized: its tools can be listed and called
FAILED = "failed"  # could not start or died: ``detail`` says why (the last lines of its stderr)
STATES = (STOPPED, STARTING, READY, FAILED)

# What kind of failure a tool call's was (``ToolRun.failure``, a "tool" message's
# ``tool_failure``); its detail, in the server's or the system's words, is ``error``.
FAIL_TOOL = "tool"  # the tool answered with an error result (MCP ``isError``)
FAIL_TIMEOUT = "timeout"  # no result within the server's timeout: the call was cancelled
FAIL_SERVER = "server"  # the server could not start, is off, or died during the call
FAIL_ARGUMENTS = "arguments"  # the model's arguments are not a JSON object
FAIL_UNKNOWN_TOOL = "unknown_tool"  # the model named a tool no server offers
FAIL_STOPPED = "stopped"  # the user stopped the turn while it ran or waited for approval
FAILURES = (FAIL_TOOL, FAIL_TIMEOUT, FAIL_SERVER, FAIL_ARGUMENTS, FAIL_UNKNOWN_TOOL, FAIL_STOPPED)

# What the user decides about a tool call (``ChatController.decide``).
ONCE = "once"  # run it this time
ALWAYS = "always"  # run it, and every later call of this server's tool without asking
DENY = "deny"  # do not run it: the model is told the user denied it
DECISIONS = (ONCE, ALWAYS, DENY)


@dataclass(frozen=True, slots=True)
class ServerState:
    state: str = STOPPED
    # For "failed": why, in the server's or the system's words (one line or a few).
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """A tool a server offers (MCP ``tools/list``): ``input_schema`` is the JSON Schema of
    its arguments, as the server gave it."""

    server_id: str
    name: str
    description: str = ""
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    # The server's title for it (MCP ``title``), "" when none.
    title: str = ""


@dataclass(frozen=True, slots=True)
class ToolRun:
    """A tool call Confab ran (or did not): what a message of role "tool" of its own holds.
    ``output`` is what the model was sent (the text of the result, cut at the manager's
    cap); ``error`` the reason it failed ("" when it did not) and ``failure`` its kind (one of
    FAILURES, "" when it did not fail), ``denied`` the user said no."""

    call_id: str
    server_id: str
    tool: str
    output: str
    duration_ms: int | None = None
    error: str = ""
    denied: bool = False
    failure: str = ""

    @classmethod
    def of(cls, message: Message) -> ToolRun | None:
        """The run a message records; None for any other message (an imported tool's
        output has no server)."""
        if message.role != "tool" or message.tool_server is None:
            return None
        return cls(
            call_id=message.tool_call_id or "",
            server_id=message.tool_server,
            tool=message.tool_name or "",
            output=message.content,
            duration_ms=message.duration_ms,
            error=message.tool_error or "",
            denied=message.denied,
            failure=message.tool_failure or "",
        )

    def fill(self, message: Message) -> Message:
        """Write this run into ``message`` (of role "tool")."""
        message.content = self.output
        message.tool_call_id = self.call_id
        message.tool_name = self.tool
        message.tool_server = self.server_id
        message.duration_ms = self.duration_ms
        message.tool_error = self.error or None
        message.tool_failure = self.failure or None
        message.denied = self.denied
        return message


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """A tool call waiting for the user's decision (``ChatController.approval_needed``):
    in conversation ``conversation_id``, asked by the reply ``message_id``; ``call`` is the
    model's call as it came (``call.arguments`` the full text), ``server_id`` and ``tool`` what
    it runs (the MCP server's id and its own tool name)."""

    conversation_id: str
    message_id: str
    call: ToolCall
    server_id: str
    tool: str


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """What one call of a tool gave: ``output`` the text for the model (content blocks
    joined, cut at the cap), ``error`` why it failed ("" when it did not: an ``isError``
    result, a timeout, a server that died) and ``failure`` its kind (FAILURES; "" when it did
    not fail), ``duration_ms`` how long it took."""

    output: str
    error: str = ""
    duration_ms: int = 0
    failure: str = ""
