"""A small notification server (org.freedesktop.Notifications) on the session bus, run as a
process of its own: ``python -m tests.support.notification_server [--no-actions]``.

It prints "ready" once it owns the name, then one JSON line per notification it is sent
({"id", "app_name", "summary", "body", "actions", "app_icon"}); a line "click ID" on its stdin
makes it emit ActionInvoked(ID, "default"), as a click on the notification does.
"""

from __future__ import annotations

import json
import sys

from jeepney import DBusAddress, Message, new_method_return, new_signal
from jeepney.io.blocking import DBusConnection

from tests.support.bus_service import serve

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def main() -> int:
    actions = "--no-actions" not in sys.argv
    emitter = DBusAddress(PATH, interface=NAME)
    next_id = 0

    def on_line(connection: DBusConnection, line: str) -> None:
        word, _, value = line.partition(" ")
        if word == "click":
            signal = new_signal(emitter, "ActionInvoked", "us", (int(value), "default"))
            connection.send(signal)

    def on_call(connection: DBusConnection, message: Message, member: str) -> None:
        nonlocal next_id
        if member == "GetCapabilities":
            caps = ["body", "actions"] if actions else ["body"]
            connection.send(new_method_return(message, "as", (caps,)))
        elif member == "GetServerInformation":
            connection.send(new_method_return(message, "ssss", ("test", "confab", "1", "1.2")))
        elif member == "Notify":
            next_id += 1
            app_name, _replaces, icon, summary, body, acts, _hints, _timeout = message.body
            record = {
                "id": next_id,
                "app_name": app_name,
                "app_icon": icon,
                "summary": summary,
                "body": body,
                "actions": list(acts),
            }
            print(json.dumps(record), flush=True)
            connection.send(new_method_return(message, "u", (next_id,)))
        elif member == "CloseNotification":
            connection.send(new_method_return(message))

    return serve(NAME, on_call, on_line)


if __name__ == "__main__":
    sys.exit(main())
