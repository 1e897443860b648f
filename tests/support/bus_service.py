"""A small D-Bus service of a test's, on the test session's private bus, run as a process of
its own (tests/support/notification_server.py, tests/support/portal_server.py).

Its two sides: ``serve`` in the service (it owns the name, prints "ready", then hands each
method call it is sent and each line of its stdin to the service's code) and
``ServiceProcess`` in the test (it starts the service, waits for "ready", reads what it prints
line by line and writes it commands)."""

from __future__ import annotations

import select
import subprocess
import sys
import threading
from collections.abc import Callable
from queue import Queue

from jeepney import HeaderFields, Message, MessageType
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection


def serve(
    name: str,
    on_call: Callable[[DBusConnection, Message, str], None],
    on_line: Callable[[DBusConnection, str], None],
) -> int:
    """Own ``name`` on the session bus and answer until stdin closes: ``on_call`` with each
    method call (and its member's name), ``on_line`` with each line of stdin, stripped."""
    connection = open_dbus_connection(bus="SESSION")
    reply = connection.send_and_get_reply(message_bus.RequestName(name, 4))  # DO_NOT_QUEUE
    if reply.body[0] != 1:
        print("name taken", flush=True)
        return 1
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([connection.sock, sys.stdin], [], [])
        if sys.stdin in readable:
            line = sys.stdin.readline()
            if not line:
                return 0
            on_line(connection, line.strip())
        if connection.sock in readable:
            message = connection.receive(timeout=1)
            if message.header.message_type == MessageType.method_call:
                member = str(message.header.fields.get(HeaderFields.member, ""))
                on_call(connection, message, member)


class ServiceProcess:
    """``python -m <module> <args>``, started and ready; ``lines`` holds what it prints."""

    def __init__(self, module: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: Queue[str] = Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.lines.get(timeout=15) == "ready"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def command(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.communicate()
