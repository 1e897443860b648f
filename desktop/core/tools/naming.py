"""The functions a request offers the model, named as OpenAI requires
(``^[a-zA-Z0-9_-]{1,64}$``) and unique, and mapped back to the server and tool they run.

A tool keeps its own name when that is valid and no other tool on offer has it (models call
``get_current_time`` more readily than ``time__get_current_time``); otherwise it becomes
``<server>__<tool>``, its invalid characters replaced by ``_``, cut to 64 with a short hash
of the full pair so that two long names stay apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop.core.tools.types import ToolInfo
from desktop.core.wire import ToolSpec

_VALID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_INVALID_CHARS = re.compile(r"[^a-zA-Z0-9_-]+")


def valid_name(name: str) -> bool:
    return bool(_VALID.match(name))


def _qualified(server_id: str, tool: str) -> str:
    name = _INVALID_CHARS.sub("_", f"{server_id}__{tool}").strip("_") or "tool"
    if len(name) <= 64:
        return name
    digest = hashlib.sha1(f"{server_id}\0{tool}".encode()).hexdigest()[:8]
    return f"{name[:55]}_{digest}"


@dataclass
class ToolBox:
    """The tools on offer in one request: ``specs`` to send, ``target`` of each name."""

    tools: dict[str, ToolInfo] = field(default_factory=dict)

    @classmethod
    def of(cls, tools: Iterable[ToolInfo]) -> ToolBox:
        listed = list(tools)
        counts: dict[str, int] = {}
        for tool in listed:
            counts[tool.name] = counts.get(tool.name, 0) + 1
        box = cls()
        for tool in listed:
            name = tool.name
            if counts[name] > 1 or not valid_name(name) or name in box.tools:
                name = _qualified(tool.server_id, tool.name)
            suffix = 2
            base = name
            while name in box.tools:
                name = f"{base[:60]}_{suffix}"
                suffix += 1
            box.tools[name] = tool
        return box

    def __bool__(self) -> bool:
        return bool(self.tools)

    def specs(self) -> list[ToolSpec]:
        return [
            ToolSpec(name, tool.description or tool.title, _parameters(tool.input_schema))
            for name, tool in self.tools.items()
        ]

    def target(self, function_name: str) -> ToolInfo | None:
        return self.tools.get(function_name)


def _parameters(schema: dict[str, object]) -> dict[str, object]:
    """An MCP input schema as OpenAI takes it: an object schema (some servers omit
    ``type`` or ``properties``, which several providers then reject)."""
    parameters = dict(schema) if isinstance(schema, dict) else {}
    parameters.setdefault("type", "object")
    if parameters.get("type") == "object":
        parameters.setdefault("properties", {})
    return parameters
