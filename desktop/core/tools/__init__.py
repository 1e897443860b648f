"""Tools the model may call: MCP servers (the official ``mcp`` SDK), pure Python, no Qt.

- ``config``: a server's settings (``McpServer``, settings.json ``mcp_servers``) and the
  ``{"mcpServers": {...}}`` import (``parse_mcp_config``);
- ``types``: what the rest of Confab sees of tools (``ToolInfo``, ``ToolRun``, server states,
  ``ApprovalRequest``);
- ``naming``: the function names sent to the model, mapped back to server and tool;
- ``manager``: one SDK session per server, started when first needed, on an asyncio loop in a
  thread of its own (``ToolManager``);
- ``guard``: the launcher that makes a stdio server die with Confab (``python -m
  desktop.core.tools.guard -- command args…``).

Importing this package imports none of the SDK: it costs ~0.3 s, paid when a server first
starts.
"""

from desktop.core.tools.config import (
    HTTP,
    STDIO,
    McpServer,
    ParsedConfig,
    parse_mcp_config,
    secret_name,
)
from desktop.core.tools.types import (
    ALWAYS,
    DECISIONS,
    DENY,
    FAILED,
    ONCE,
    READY,
    STARTING,
    STATES,
    STOPPED,
    ApprovalRequest,
    ServerState,
    ToolInfo,
    ToolOutcome,
    ToolRun,
)

__all__ = [
    "ALWAYS",
    "DECISIONS",
    "DENY",
    "FAILED",
    "HTTP",
    "ONCE",
    "READY",
    "STARTING",
    "STATES",
    "STDIO",
    "STOPPED",
    "ApprovalRequest",
    "McpServer",
    "ParsedConfig",
    "ServerState",
    "ToolInfo",
    "ToolOutcome",
    "ToolRun",
    "parse_mcp_config",
    "secret_name",
]
