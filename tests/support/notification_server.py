"""A small notification server (org.freedesktop.Notifications) on the session bus, run as a
process of its own: ``python -m tests.support.notification_server [--no-actions]``.

It prints "ready" once it owns the name, then one JSON line per notification it is sent
({"id", "app_name", "summary", "body", "actions", "app_icon"}); a line "click ID" on its stdin
makes it emit ActionInvoked(ID, "default"), as a click on the notification does.
"""

from __future__ import annotations

import json
import select
import sys

from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def main() -> int:
    actions = "--no-actions" not in sys.argv
    connection = open_dbus_connection(bus="SESSION")
    reply = connection.send_and_get_reply(message_bus.RequestName(NAME, 4))  # DO_NOT_QUEUE
    if reply.body[0] != 1:
        print("name taken", flush=True)
        return 1
    print("ready", flush=True)
    emitter = DBusAddress(PATH, interface=NAME)
    next_id = 0
    while True:
        readable, _, _ = select.select([connection.sock, sys.stdin], [], [])
        if sys.stdin in readable:
            line = sys.stdin.readline()
            if not line:
                return 0
            word, _, value = line.strip().partition(" ")
            if word == "click":
                signal = new_signal(emitter, "ActionInvoked", "us", (int(value), "default"))
                connection.send(signal)
        if connection.sock in readable:
            message = connection.receive(timeout=1)
            if message.header.message_type != MessageType.method_call:
                continue
            member = message.header.fields.get(HeaderFields.member)
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


if __name__ == "__main__":
    sys.exit(main())
