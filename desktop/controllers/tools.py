"""MCP servers adapted to Qt: their settings (settings.json ``mcp_servers``, secrets in the
keyring), their states as a signal, their tools, and the tools the user always allows.

The servers themselves are core's ``ToolManager`` (desktop/core/tools/manager.py), which runs
them on a loop in a thread of its own; this controller tells it the servers as saved and
relays its state changes (on the UI thread, held weakly). It is also the chat service's
``ToolSource``: the tools of a conversation's selection, a call, and the always-allowed pairs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from desktop.controllers.settings import SettingsController
from desktop.core.errors import ToolError
from desktop.core.models import ToolSelection
from desktop.core.providers import slugify
from desktop.core.tasks import TaskSet
from desktop.core.tools import (
    FAILED,
    McpServer,
    ParsedConfig,
    ToolInfo,
    ToolOutcome,
    parse_mcp_config,
    secret_name,
)
from desktop.core.tools.manager import ToolManager

log = logging.getLogger("confab.tools")

__all__ = ["ToolsController"]


class ToolsController(QObject):
    # A server's state changed: ``state(server_id)`` has the new one.
    state_changed = Signal(str)
    # (server id, list[ToolInfo]): its tools, listed when it started (``list_tools``).
    tools_listed = Signal(str, object)
    # Servers added, changed or removed (``servers()``).
    servers_changed = Signal()
    # The always-allowed (server, tool) pairs changed (``always_allowed()``).
    approvals_changed = Signal()

    def __init__(
        self,
        settings: SettingsController,
        manager: ToolManager | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.manager = manager if manager is not None else ToolManager()
        if self.manager.secrets is None:
            self.manager.secrets = self._secrets_of
        # The tools last emitted per server (``tools_listed``).
        self._told: dict[str, list[ToolInfo]] = {}
        self.manager.add_listener(self._on_manager_state)
        self.manager.configure(self._settings.settings.mcp_servers)
        self._tasks = TaskSet()

    # ---- servers ------------------------------------------------------------------

    def servers(self) -> list[McpServer]:
        return list(self._settings.settings.mcp_servers)

    def server(self, server_id: str) -> McpServer | None:
        return self._settings.settings.mcp_server(server_id)

    def new_server_id(self, name: str) -> str:
        return slugify(name, {s.id for s in self._settings.settings.mcp_servers})

    def save_server(self, server: McpServer, secrets: Mapping[str, str | None]) -> None:
        """Add or replace ``server`` (by id). ``secrets``: values of its secret env variables
        or headers by name, to the keyring only; None leaves a stored one alone, "" removes
        it. A name in ``secrets`` is added to the server's secret names; secrets of names it
        no longer has are removed from the keyring."""
        names = list(server.secret_names())
        for name, value in secrets.items():
            if value and name not in names:
                names.append(name)
        if server.transport == "http":
            server = replace(
                server,
                secret_headers=tuple(names),
                headers={k: v for k, v in server.headers.items() if k not in names},
            )
        else:
            server = replace(
                server,
                secret_env=tuple(names),
                env={k: v for k, v in server.env.items() if k not in names},
            )
        servers = self._settings.settings.mcp_servers
        old = self.server(server.id)
        if old is None:
            servers.append(server)
        else:
            servers[servers.index(old)] = server
            for name in old.secret_names():
                if name not in server.secret_names():
                    self._settings.store_secret(secret_name(server.id, name), None)
        for name, value in secrets.items():
            if value is not None:
                self._settings.store_secret(secret_name(server.id, name), value)
        self._changed()

    def remove_server(self, server_id: str) -> None:
        server = self.server(server_id)
        if server is None:
            return
        self._settings.settings.mcp_servers.remove(server)
        for name in server.secret_names():
            self._settings.store_secret(secret_name(server_id, name), None)
        approvals = self._settings.settings.tool_approvals
        kept = [pair for pair in approvals if pair[0] != server_id]
        if kept != approvals:
            self._settings.settings.tool_approvals = kept
            self.approvals_changed.emit()
        self._changed()

    def parse_config(self, text: str) -> ParsedConfig:
        """What importing ``text`` would add (ids unique among the servers there are); nothing
        is saved."""
        return parse_mcp_config(text, {s.id for s in self._settings.settings.mcp_servers})

    def import_config(self, text: str) -> ParsedConfig:
        """Add every server ``text`` holds (an ``{"mcpServers": …}`` config), their secrets
        to the keyring; returns what was read (``problems``: what was not)."""
        parsed = self.parse_config(text)
        for server in parsed.servers:
            secrets = {
                name: value for (sid, name), value in parsed.secrets.items() if sid == server.id
            }
            self._settings.settings.mcp_servers.append(server)
            for name, value in secrets.items():
                self._settings.store_secret(secret_name(server.id, name), value)
        if parsed.servers:
            self._changed()
        return parsed

    def _changed(self) -> None:
        self.manager.configure(self._settings.settings.mcp_servers)
        self._settings.save()
        self.servers_changed.emit()

    async def _secrets_of(self, server: McpServer) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in server.secret_names():
            value = await self._settings.secret(secret_name(server.id, name))
            if value is not None:
                values[name] = value
        return values

    # ---- states and tools -----------------------------------------------------------

    def state(self, server_id: str) -> tuple[str, str]:
        state = self.manager.state(server_id)
        return state.state, state.detail

    def _on_manager_state(self, server_id: str) -> None:
        self.state_changed.emit(server_id)
        tools = self.manager.known_tools(server_id)
        if tools is not None and tools != self._told.get(server_id):
            # A running server changed its tools (it said so): the picker and meters follow.
            self._listed(server_id, tools)

    def restart(self, server_id: str) -> None:
        """Stop the server and start it again; the outcome comes as ``state_changed``."""
        self._tasks.spawn(self._restart(server_id))

    async def _restart(self, server_id: str) -> None:
        try:
            await self.manager.restart(server_id)
        except ToolError:
            return  # its state says why
        self._listed(server_id, self.manager.known_tools(server_id) or [])

    async def tools(self, server_id: str) -> list[ToolInfo]:
        """The server's tools, starting it if needed; ToolError when it cannot start (its
        state then says why). ``tools_listed`` is emitted too."""
        tools = await self.manager.tools(server_id)
        self._listed(server_id, tools)
        return tools

    def _listed(self, server_id: str, tools: list[ToolInfo]) -> None:
        self._told[server_id] = list(tools)
        self.tools_listed.emit(server_id, tools)

    def list_tools(self, server_id: str) -> None:
        """Start the server if needed and emit ``tools_listed`` (or ``state_changed`` to
        "failed")."""
        self._tasks.spawn(self._list_quietly(server_id))

    async def _list_quietly(self, server_id: str) -> None:
        try:
            await self.tools(server_id)
        except ToolError:
            return

    def known_tools(self, server_id: str) -> list[ToolInfo] | None:
        """The tools the server listed when it last started (None: not started yet)."""
        return self.manager.known_tools(server_id)

    async def shutdown(self) -> None:
        """Stop every server (bounded; what does not exit is killed)."""
        self._tasks.cancel()
        await self.manager.shutdown()

    # ---- approvals ------------------------------------------------------------------

    def always_allowed(self) -> list[tuple[str, str]]:
        return list(self._settings.settings.tool_approvals)

    def is_always_allowed(self, server_id: str, tool: str) -> bool:
        return (server_id, tool) in self._settings.settings.tool_approvals

    def allow_always(self, server_id: str, tool: str) -> None:
        if not self.is_always_allowed(server_id, tool):
            self._settings.settings.tool_approvals.append((server_id, tool))
            self._settings.save()
            self.approvals_changed.emit()

    def revoke(self, server_id: str, tool: str) -> None:
        approvals = self._settings.settings.tool_approvals
        if (server_id, tool) in approvals:
            approvals.remove((server_id, tool))
            self._settings.save()
            self.approvals_changed.emit()

    # ---- the chat service's ToolSource --------------------------------------------------

    async def offered(self, selections: Iterable[ToolSelection]) -> list[ToolInfo]:
        """The tools a conversation's selection offers: each enabled server's (started if
        needed), those named, or all. A server that cannot start offers none (its state says
        why; the request goes without them), and one that has failed is not started again
        for each request (a hang in initialize would hold every turn for the start timeout):
        it offers none until restarted (``restart``, Settings → Tools)."""
        offered: list[ToolInfo] = []
        for selection in selections:
            server = self.server(selection.server)
            if server is None or not server.enabled:
                continue
            if self.manager.state(server.id).state == FAILED:
                log.info("tools of %s not offered: it failed", server.id)
                continue
            try:
                tools = await self.tools(server.id)
            except ToolError as exc:
                log.info("tools of %s not offered: %s", server.id, exc.detail)
                continue
            wanted = set(selection.tools) if selection.tools is not None else None
            offered += [t for t in tools if wanted is None or t.name in wanted]
        return offered

    async def call(self, server_id: str, tool: str, arguments: dict[str, object]) -> ToolOutcome:
        return await self.manager.call(server_id, tool, dict(arguments))
