"""Ids of imported conversations and messages, derived from the source's own ids (uuid5 of
a fixed namespace), so that importing the same export twice finds the same ids: the import
service then knows what it already has, and a later, bigger export adds only what is new.

A conversation: ``uuid5(NAMESPACE, "chatgpt:<conversation id>")`` (or "claude:<uuid>");
a message: ``uuid5(NAMESPACE, "chatgpt:<conversation id>:<node id>")``. As 32 hex digits,
the form of every Confab id.
"""

from __future__ import annotations

import uuid

# Fixed forever: changing it would make every earlier import look new.
NAMESPACE = uuid.UUID("6f1c2d0e-5a3b-4c8e-9d7f-0b1a2c3d4e5f")


def conversation_id(app: str, source_id: str) -> str:
    return uuid.uuid5(NAMESPACE, f"{app}:{source_id}").hex


def message_id(app: str, conversation: str, node: str) -> str:
    return uuid.uuid5(NAMESPACE, f"{app}:{conversation}:{node}").hex
