"""An MCP server's settings (settings.json ``mcp_servers``) and the ``{"mcpServers": {...}}``
config other desktop apps write (Claude Desktop, Cursor, Cherry Studio, Windsurf, VS Code's
``"servers"``), read for import.

A server's secrets (API keys in its environment, an ``Authorization`` header) are never in
settings.json: ``secret_env`` / ``secret_headers`` name them, and their values are in the
keyring, service ``Confab``, user name ``mcp:<server id>:<name>`` (``secret_name``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from desktop.core.providers import slugify
from desktop.core.tools import reasons
from desktop.core.tools.reasons import ConfigProblem

STDIO = "stdio"
HTTP = "http"
TRANSPORTS = (STDIO, HTTP)

# Per-call timeout when the server sets none (``McpServer.call_timeout``).
DEFAULT_CALL_TIMEOUT_S = 60.0

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class McpServer:
    """One MCP server: ``transport`` "stdio" (``command`` run with ``args`` and ``env`` on top
    of a small inherited environment, the SDK's) or "http" (Streamable HTTP at ``url``, with
    ``headers``). ``env`` and ``headers`` hold what is not secret; ``secret_env`` and
    ``secret_headers`` name those whose values are in the keyring. ``enabled`` False: never
    started, offered to no conversation. ``call_timeout``: seconds a tool call may take
    (None: DEFAULT_CALL_TIMEOUT_S)."""

    id: str
    name: str
    transport: str = STDIO
    command: str = ""
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    secret_env: tuple[str, ...] = ()
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    secret_headers: tuple[str, ...] = ()
    enabled: bool = True
    call_timeout: float | None = None
    # Fields of a newer Confab's, kept and written back.
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False)

    def __post_init__(self) -> None:
        # Read-only views: a frozen server whose env could change in place is not frozen.
        object.__setattr__(self, "env", MappingProxyType(dict(self.env)))
        object.__setattr__(self, "headers", MappingProxyType(dict(self.headers)))
        object.__setattr__(self, "args", tuple(self.args))
        object.__setattr__(self, "secret_env", tuple(self.secret_env))
        object.__setattr__(self, "secret_headers", tuple(self.secret_headers))

    def __hash__(self) -> int:
        return hash((self.id, self.transport, self.command, self.args, self.url))

    @property
    def timeout(self) -> float:
        return self.call_timeout if self.call_timeout else DEFAULT_CALL_TIMEOUT_S

    def secret_names(self) -> tuple[str, ...]:
        """The names whose values are in the keyring: ``secret_env`` for stdio,
        ``secret_headers`` for http."""
        return self.secret_env if self.transport == STDIO else self.secret_headers

    def launch_text(self) -> str:
        """What it runs, for the user to recognise: the command line, or the URL."""
        if self.transport == HTTP:
            return self.url
        return " ".join([self.command, *self.args])


def secret_name(server_id: str, name: str) -> str:
    """The keyring user name of one of a server's secrets (an env variable or a header)."""
    return f"mcp:{server_id}:{name}"


# Env variables and headers whose values are secrets.
_SECRET_WORDS = re.compile(
    r"(?i)(key|token|secret|passw|pwd|credential|auth|bearer|cookie|session|private|sig)"
)
# Values that look like keys whatever their name: sk-…, ghp_…, xoxb-…, a long random word.
_SECRET_VALUE = re.compile(
    r"^(sk-|sk_|pk_|rk_|ghp_|gho_|ghs_|github_pat_|xox[abpr]-|glpat-|AKIA|AIza|eyJ|Bearer\s)"
)


def looks_secret(name: str, value: str) -> bool:
    """Whether an env variable or header should go to the keyring rather than settings."""
    if _SECRET_WORDS.search(name):
        return True
    value = value.strip()
    return bool(_SECRET_VALUE.match(value)) or (
        len(value) >= 32 and " " not in value and "/" not in value and "\\" not in value
    )


@dataclass
class ParsedConfig:
    """What an ``mcpServers`` config held: the servers (ids made from their names, unique
    among themselves), the values of their secrets by (server id, env or header name), and
    what could not be read (desktop/core/tools/reasons.py)."""

    servers: list[McpServer] = field(default_factory=list)
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)


_HTTP_TYPES = frozenset({"http", "streamable-http", "streamable_http", "streamablehttp"})
_SSE_TYPES = frozenset({"sse"})
_STDIO_TYPES = frozenset({"stdio", "local", "command"})


def parse_mcp_config(text: str, taken: set[str] | None = None) -> ParsedConfig:
    """Read a config as Claude Desktop, Cursor, Cherry Studio and others write it::

        {"mcpServers": {"time": {"command": "uvx", "args": ["mcp-server-time"],
                                 "env": {"TZ": "Asia/Tokyo"}},
                        "remote": {"type": "streamable-http", "url": "https://…/mcp",
                                   "headers": {"Authorization": "Bearer …"}}}}

    Also a bare ``{name: {...}}`` map, VS Code's ``{"servers": {...}}``, and a single server
    object. Values that look secret (see ``looks_secret``) become secrets. ``taken``: ids
    already in use, not to be given again. Never raises: what cannot be read is a problem."""
    result = ParsedConfig()
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        result.problems.append(ConfigProblem(reasons.NOT_JSON, detail=str(exc)))
        return result
    entries = _server_entries(data)
    if entries is None:
        result.problems.append(ConfigProblem(reasons.NO_SERVERS_OBJECT))
        return result
    used = set(taken or ())
    for name, entry in entries.items():
        name = str(name).strip() or "server"
        if not isinstance(entry, dict):
            result.problems.append(ConfigProblem(reasons.NOT_AN_OBJECT, name))
            continue
        server_id = slugify(name, used)
        used.add(server_id)
        server, secrets, problem = _server(server_id, name, entry)
        if problem is not None:
            result.problems.append(problem)
        if server is None:
            continue
        result.servers.append(server)
        result.secrets.update({(server_id, key): value for key, value in secrets.items()})
    if not result.servers and not result.problems:
        result.problems.append(ConfigProblem(reasons.NO_SERVERS))
    return result


def _server_entries(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    for key in ("mcpServers", "mcp_servers", "servers"):
        value = data.get(key)
        if isinstance(value, dict):
            return value
    mcp = data.get("mcp")
    if isinstance(mcp, dict) and isinstance(mcp.get("servers"), dict):
        return dict(mcp["servers"])
    if any(key in data for key in ("command", "url", "serverUrl")):
        name = data.get("name")
        return {str(name) if isinstance(name, str) and name else "server": data}
    if data and all(
        isinstance(v, dict) and any(k in v for k in ("command", "url", "serverUrl"))
        for v in data.values()
    ):
        return data
    return None


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {
        str(k): v if isinstance(v, str) else json.dumps(v)
        for k, v in value.items()
        if v is not None
    }


def _server(
    server_id: str, name: str, entry: dict[str, Any]
) -> tuple[McpServer | None, dict[str, str], ConfigProblem | None]:
    kind = str(entry.get("type") or entry.get("transport") or "").strip().lower()
    url = entry.get("url") or entry.get("serverUrl") or entry.get("baseUrl")
    command = entry.get("command")
    enabled = not (entry.get("disabled") is True or entry.get("isActive") is False)
    note = None
    if kind and kind not in _STDIO_TYPES | _HTTP_TYPES | _SSE_TYPES:
        return None, {}, ConfigProblem(reasons.UNKNOWN_TRANSPORT, name, kind)
    if kind in _SSE_TYPES:
        note = ConfigProblem(reasons.SSE_AS_HTTP, name)
    if isinstance(url, str) and url.strip() and (kind in _HTTP_TYPES | _SSE_TYPES or not command):
        headers = _strings(entry.get("headers"))
        secrets = {k: v for k, v in headers.items() if looks_secret(k, v)}
        return (
            McpServer(
                id=server_id,
                name=name,
                transport=HTTP,
                url=url.strip(),
                headers={k: v for k, v in headers.items() if k not in secrets},
                secret_headers=tuple(secrets),
                enabled=enabled,
            ),
            secrets,
            note,
        )
    if not isinstance(command, str) or not command.strip():
        return None, {}, ConfigProblem(reasons.NO_COMMAND_OR_URL, name)
    args = entry.get("args")
    if isinstance(args, str):
        args = args.split()
    args = [str(a) for a in args] if isinstance(args, list) else []
    env = _strings(entry.get("env"))
    secrets = {k: v for k, v in env.items() if looks_secret(k, v)}
    return (
        McpServer(
            id=server_id,
            name=name,
            transport=STDIO,
            command=command.strip(),
            args=tuple(args),
            env={k: v for k, v in env.items() if k not in secrets},
            secret_env=tuple(secrets),
            enabled=enabled,
        ),
        secrets,
        note,
    )
