"""An assistive technology for the tests: reads and drives an application through AT-SPI.

Run by tests/support/atspi.py under the system's Python (/usr/bin/python3), which has pyatspi
(Debian: python3-pyatspi), the library screen readers such as Orca are built on; the project's
venv is not system-site and has no GObject bindings. It speaks JSON lines on stdin/stdout, one
request, one answer:

    {"op": "app", "pid": 123, "timeout": 20}      wait for the application of that process
    {"op": "tree"}                                 every accessible under it (see _node)
    {"op": "do", "path": [0, 3, 1], "action": "Press"}   an action of one accessible
    {"op": "set_text", "path": [...], "text": "…"}        EditableText: replace its text
    {"op": "events", "type": "object:announcement", "timeout": 20, "contains": "…",
     "source": "…"}                                wait for an event (those since "listen"),
                                                   its detail containing, its source's name
                                                   starting with those
    {"op": "listen", "types": ["object:announcement"]}    start collecting events
    {"op": "clear"}                                forget the events collected so far
    {"op": "pause", "seconds": 0.1}                let the main loop run a while
    {"op": "quit"}

Answers are {"ok": true, ...} or {"ok": false, "error": "…"}. Nothing here knows Confab.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from typing import Any

import pyatspi  # type: ignore[import-not-found]  # (the system Python's; see the docstring)
from gi.repository import GLib  # type: ignore[import-not-found]

_app: Any = None
_events: list[dict[str, Any]] = []


def _reply(**answer: Any) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def _states(accessible: Any) -> list[str]:
    states = accessible.getState()
    return sorted(
        pyatspi.stateToString(state)
        for state in states.getStates()  # e.g. "focused"
    )


def _node(accessible: Any, path: list[int]) -> dict[str, Any]:
    """One accessible: where it is (child indexes from the application), its role, name,
    description, states, the names of its actions and its text."""
    node: dict[str, Any] = {
        "path": path,
        "role": accessible.getRoleName(),
        "name": accessible.name or "",
        "description": accessible.description or "",
        "states": _states(accessible),
        "actions": [],
        "text": None,
    }
    try:
        action = accessible.queryAction()
    except NotImplementedError:
        pass
    else:
        node["actions"] = [action.getName(i) for i in range(action.nActions)]
    try:
        text = accessible.queryText()
    except NotImplementedError:
        pass
    else:
        node["text"] = text.getText(0, -1)
    return node


def _walk(accessible: Any, path: list[int], out: list[dict[str, Any]]) -> None:
    try:
        node = _node(accessible, path)
        children = accessible.childCount
    except Exception:  # gone while the tree was read (a dialog closing): left out
        return
    out.append(node)
    for index in range(children):
        try:
            child = accessible.getChildAtIndex(index)
        except Exception:
            continue
        if child is not None:
            _walk(child, [*path, index], out)


def _at(path: list[int]) -> Any:
    accessible = _app
    for index in path:
        accessible = accessible.getChildAtIndex(index)
    return accessible


def _find_app(pid: int, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            if app is not None and app.get_process_id() == pid:
                return app
        time.sleep(0.1)  # the application registers with the bus as it starts
    return None


def _on_event(event: Any) -> None:
    source = ""
    with contextlib.suppress(Exception):  # the source may be gone already
        source = event.source.name or ""
    _events.append(
        {
            "type": event.type,
            "detail": str(event.any_data or ""),
            "gained": bool(event.detail1),
            "source": source,
        }
    )


def _wait_event(kind: str, contains: str, source: str, timeout: float) -> None:
    """Answer with the first event of ``kind`` whose detail contains ``contains`` and whose
    source's name starts with ``source``, running the main loop (events arrive through it)
    until then or ``timeout``."""
    deadline = time.monotonic() + timeout

    def check() -> bool:
        for event in _events:
            if (
                event["type"].startswith(kind)
                and contains in event["detail"]
                and event["source"].startswith(source)
            ):
                _reply(ok=True, event=event)
                return False
        if time.monotonic() > deadline:
            _reply(ok=False, error=f"no {kind} event with {contains!r}", seen=_events[-20:])
            return False
        return True

    if check():
        GLib.timeout_add(50, check)


def _handle(request: dict[str, Any]) -> bool:
    global _app
    op = request["op"]
    if op == "quit":
        _reply(ok=True)
        pyatspi.Registry.stop()
        return False
    if op == "app":
        _app = _find_app(int(request["pid"]), float(request.get("timeout", 20)))
        if _app is None:
            _reply(ok=False, error="the application never appeared on the accessibility bus")
        else:
            _reply(ok=True, name=_app.name)
    elif op == "tree":
        nodes: list[dict[str, Any]] = []
        _walk(_app, [], nodes)
        _reply(ok=True, nodes=nodes)
    elif op == "do":
        action = _at(request["path"]).queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
        if request["action"] not in names:
            _reply(ok=False, error=f"no action {request['action']!r} in {names}")
        else:
            _reply(ok=bool(action.doAction(names.index(request["action"]))))
    elif op == "set_text":
        editable = _at(request["path"]).queryEditableText()
        _reply(ok=bool(editable.setTextContents(request["text"])))
    elif op == "listen":
        for kind in request["types"]:
            pyatspi.Registry.registerEventListener(_on_event, kind)
        _reply(ok=True)
    elif op == "clear":
        _events.clear()  # (what came before is not what the next step waits for)
        _reply(ok=True)
    elif op == "pause":
        # The main loop runs meanwhile: the application's changes come in.
        GLib.timeout_add(int(float(request["seconds"]) * 1000), lambda: _reply(ok=True))
    elif op == "events":
        _wait_event(
            request["type"],
            request.get("contains", ""),
            request.get("source", ""),
            float(request["timeout"]),
        )
    else:
        _reply(ok=False, error=f"unknown op {op!r}")
    return True


def _on_input(_source: Any, _condition: Any) -> bool:
    line = sys.stdin.readline()
    if not line:
        pyatspi.Registry.stop()
        return False
    try:
        return _handle(json.loads(line))
    except Exception as error:  # said to the test, which fails with it
        _reply(ok=False, error=f"{type(error).__name__}: {error}")
        return True


def main() -> None:
    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, _on_input)
    _reply(ok=True, ready=True)
    pyatspi.Registry.start()


if __name__ == "__main__":
    main()
