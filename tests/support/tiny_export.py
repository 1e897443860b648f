"""A reader of a small export format of the tests' own, with the readers' interface
(desktop/core/importers: ``detect``, ``read`` yielding Item, Problem and Progress), so that the
import's flow (the service, its thread, the window) is tested apart from the real readers:

    {"tiny_export": [{"id", "title", "updated", "current", "nodes": [{id, parent, role, text}],
                      "skipped": [[source id, content type], …]}, …]}

Ids are derived from the source's as the real readers derive them ("imp-<id>", messages
"imp-<id>-<node>"); a skipped node's reason is the real readers' CONTENT_WITHOUT_TEXT for its
content type. A conversation written as anything but an object is damaged: a Problem,
and the reading goes on. ``gate``: the reading waits on it (or for the import to be cancelled)
after each conversation, so that a test catches the import under way."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.core.importers import Item, Problem, Progress, Source
from desktop.core.importers.reasons import CONTENT_WITHOUT_TEXT, NOT_AN_OBJECT, Reason, reason
from desktop.core.models import Clock, Conversation, ImportedFrom, Message, parse_time

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


class TinyExport:
    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.read_count = 0  # conversations read so far (any thread)

    def detect(self, path: Path) -> Source | None:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(data, dict) and "tiny_export" in data:
            return Source(Path(path), "chatgpt")
        return None

    def read(
        self, source: Source, cancelled: Callable[[], bool], clock: Clock
    ) -> Iterator[Item | Problem | Progress]:
        items = json.loads(source.path.read_text(encoding="utf-8"))["tiny_export"]
        yield Progress(0, len(items))
        for number, raw in enumerate(items, 1):
            if cancelled():
                return
            if not isinstance(raw, dict):
                yield Problem(
                    f"{source.path.name} #{number}",
                    reason(NOT_AN_OBJECT, type=type(raw).__name__),
                )
                continue
            yield Item(to_conversation(raw, clock()), skipped_messages=skipped(raw))
            self.read_count += 1
            yield Progress(number, len(items))
            # Held until the test opens the gate, or the import is cancelled.
            while self.gate is not None and not self.gate.wait(0.005) and not cancelled():
                pass


def to_conversation(raw: dict[str, Any], at: datetime) -> Conversation:
    cid = f"imp-{raw['id']}"
    messages = [
        Message(
            id=f"{cid}-{node['id']}",
            parent=f"{cid}-{node['parent']}" if node.get("parent") else None,
            role=node["role"],
            content=node["text"],
            created_at=T0 + timedelta(minutes=i),
        )
        for i, node in enumerate(raw["nodes"])
    ]
    return Conversation(
        id=cid,
        title=raw["title"],
        created_at=T0,
        updated_at=parse_time(raw["updated"]),
        head=f"{cid}-{raw['current']}",
        messages=messages,
        imported_from=ImportedFrom("chatgpt", raw["id"], at),
    )


def skipped(raw: dict[str, Any]) -> list[tuple[str, Reason]]:
    return [
        (str(source_id), reason(CONTENT_WITHOUT_TEXT, kind=repr(kind)))
        for source_id, kind in raw.get("skipped", [])
    ]


def nodes(*spec: str) -> list[dict[str, Any]]:
    """Nodes from "id<parent:role:text" strings ("a<:user:hi" is a root)."""
    out = []
    for item in spec:
        head, role, text = item.split(":", 2)
        node_id, parent = head.split("<")
        out.append({"id": node_id, "parent": parent or None, "role": role, "text": text})
    return out


def conversation(source_id: str, current: str, *spec: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": source_id,
        "title": f"Chat {source_id}",
        "updated": "2026-11-20T10:00:00Z",
        "current": current,
        "nodes": nodes(*spec),
        **extra,
    }


def export(path: Path, *conversations: Any) -> Path:
    path.write_text(json.dumps({"tiny_export": list(conversations)}), encoding="utf-8")
    return path


BRANCHED = conversation(
    "c1",
    "a2",
    "q<:user:What is a sonnet?",
    "a1<q:assistant:Fourteen lines.",
    "a2<q:assistant:A poem of fourteen lines, regenerated.",
)
