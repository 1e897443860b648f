"""What ``parse_mcp_config`` could not read in a pasted ``{"mcpServers": …}`` config: a
``ConfigProblem`` is a code of the catalogue below with the server's name (as the config has
it) and a detail (a parser's words, a value), shown as they are in every language. The window
says it in the user's (desktop/ui/tools_dialog.py holds the same texts through ``tr``); the
log and tests read the English here (``str(problem)``), as the importers' reasons do
(desktop/core/reasons.py has the machinery).
"""

from __future__ import annotations

from typing import NamedTuple

from desktop.core.reasons import Catalogue

# The text as a whole.
NOT_JSON = "not_json"  # detail: the JSON parser's words
NO_SERVERS_OBJECT = "no_servers_object"  # JSON, but no "mcpServers" (or alike) in it
NO_SERVERS = "no_servers"  # an "mcpServers" object with nothing in it
# One server of it: ``server`` is its name.
NOT_AN_OBJECT = "not_an_object"  # left out
UNKNOWN_TRANSPORT = "unknown_transport"  # left out; detail: the "type" it names
NO_COMMAND_OR_URL = "no_command_or_url"  # left out
SSE_AS_HTTP = "sse_as_http"  # added, as Streamable HTTP (the older SSE transport is not spoken)

ENGLISH: dict[str, str] = {
    NOT_JSON: "not JSON: {detail}",
    NO_SERVERS_OBJECT: 'no "mcpServers" object found',
    NO_SERVERS: "the config lists no servers",
    NOT_AN_OBJECT: "{server}: not an object; left out",
    UNKNOWN_TRANSPORT: "{server}: unknown transport type {detail!r}; left out",
    NO_COMMAND_OR_URL: "{server}: neither a command nor a URL; left out",
    SSE_AS_HTTP: (
        "{server}: uses the older SSE transport; added as Streamable HTTP, which most servers serve"
    ),
}

CATALOGUE = Catalogue(ENGLISH)

# The problems after which the server is not added.
LEFT_OUT = frozenset({NOT_AN_OBJECT, UNKNOWN_TRANSPORT, NO_COMMAND_OR_URL})


class ConfigProblem(NamedTuple):
    code: str
    server: str = ""
    detail: str = ""

    def fields(self) -> dict[str, str]:
        return {"server": self.server, "detail": self.detail}

    def __str__(self) -> str:
        return CATALOGUE.english(self.code, self.fields())
