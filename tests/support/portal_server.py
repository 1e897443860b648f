"""A small XDG desktop portal with only org.freedesktop.portal.GlobalShortcuts, on the session
bus, as a process of its own: ``python -m tests.support.portal_server [--refuse]``.

It prints "ready", then one JSON line per call it answers ({"method", "trigger"…}); its
Response signals follow the portal's rules (on the request path made of the caller's unique
name and its handle_token). A line "press" on its stdin emits Activated for the bound
shortcut, as the desktop does when the user presses the key. ``--refuse``: the user cancels
the desktop's dialog (Response code 1).
"""

from __future__ import annotations

import json
import sys

from jeepney import DBusAddress, HeaderFields, Message, new_method_return, new_signal
from jeepney.io.blocking import DBusConnection

from tests.support.bus_service import serve

NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"


def main() -> int:
    refuse = "--refuse" in sys.argv
    sessions: list[str] = []
    bound: list[str] = []

    def on_line(connection: DBusConnection, line: str) -> None:
        if line == "press" and sessions and bound:
            emitter = DBusAddress(PATH, interface=SHORTCUTS)
            body = (sessions[-1], bound[-1], 0, {})
            connection.send(new_signal(emitter, "Activated", "osta{sv}", body))

    def on_call(connection: DBusConnection, message: Message, member: str) -> None:
        fields = message.header.fields
        sender = str(fields.get(HeaderFields.sender, "")).lstrip(":").replace(".", "_")
        if member == "Close":
            print(
                json.dumps({"method": "Close", "path": fields.get(HeaderFields.path)}), flush=True
            )
            connection.send(new_method_return(message))
            return
        if member not in ("CreateSession", "BindShortcuts"):
            return
        options = message.body[-1]
        token = options["handle_token"][1]
        request = f"{PATH}/request/{sender}/{token}"
        connection.send(new_method_return(message, "o", (request,)))
        record: dict[str, object] = {"method": member}
        results: dict[str, tuple[str, object]] = {}
        if member == "CreateSession":
            session = f"{PATH}/session/{sender}/{options['session_handle_token'][1]}"
            sessions.append(session)
            results = {"session_handle": ("o", session)}
        else:
            session_path, shortcuts, _parent, _options = message.body
            record["session"] = session_path == sessions[-1]
            shortcut_id, props = shortcuts[0]
            record["id"] = shortcut_id
            record["trigger"] = props["preferred_trigger"][1]
            record["description"] = props["description"][1]
            bound.append(shortcut_id)
        print(json.dumps(record), flush=True)
        emitter = DBusAddress(request, interface=REQUEST)
        body = (1 if refuse else 0, results)
        connection.send(new_signal(emitter, "Response", "ua{sv}", body))

    return serve(NAME, on_call, on_line)


if __name__ == "__main__":
    sys.exit(main())
