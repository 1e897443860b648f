"""What a path holds, from its names and the first bytes of its JSON: the files of a ChatGPT
or Claude export (both call theirs conversations.json; ChatGPT's newer exports split it in
``conversations-000.json …``), or Confab conversation files (``"format":
"confab.conversation"``), alone, in a folder, or as Confab's export archive
(``conversations/<id>.json``).

A ChatGPT conversation has a ``mapping``, a Claude one ``chat_messages``: the first of these
keys in the first bytes says which (they come before any message's text in both exports).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from desktop.core.importers import CHATGPT, CLAUDE, CONFAB
from desktop.core.importers.container import MEMBER_ERRORS, READ_ERRORS, Container

PEEK = 1 << 20
_SPLIT = re.compile(r"conversations-(\d+)\.json", re.IGNORECASE)
_KEYS = re.compile(r'"(mapping|chat_messages)"\s*:|"format"\s*:\s*"confab\.conversation"')


def _depth(name: str) -> int:
    return name.count("/")


def export_files(container: Container) -> list[str]:
    """The conversations files of a ChatGPT or Claude export, in their order: the shallowest
    conversations.json, else the split files by number."""
    names = container.names()
    whole = sorted(
        (n for n in names if PurePosixPath(n).name.lower() == "conversations.json"), key=_depth
    )
    if whole:
        return whole[:1]
    split = [(n, _SPLIT.fullmatch(PurePosixPath(n).name)) for n in names]
    found = [(int(m[1]), n) for n, m in split if m is not None]
    if found:
        top = min(_depth(n) for _, n in found)
        return [n for _, n in sorted(found) if _depth(n) == top]
    if not container.is_zip and len(names) == 1 and names[0].lower().endswith(".json"):
        return names  # a single file of another name
    return []


def confab_files(container: Container) -> list[str]:
    """Confab conversation files: an archive's or a data folder's ``conversations/*.json``,
    else every .json at the top (a folder of them, or one file)."""
    names = container.names()
    inside = sorted(
        n for n in names if re.fullmatch(r"(?:[^/]+/)?conversations/[^/]+\.json", n, re.I)
    )
    if inside:
        return inside
    return sorted(n for n in names if "/" not in n and n.lower().endswith(".json"))


def peek_kind(container: Container, name: str) -> str | None:
    try:
        with container.open_member(name, limit=1 << 62) as stream:
            head = stream.read(PEEK).decode("utf-8", "replace")
    except MEMBER_ERRORS:
        return None
    found = _KEYS.search(head)
    if found is None:
        return None
    return {"mapping": CHATGPT, "chat_messages": CLAUDE}.get(found[1] or "", CONFAB)


def detect_kind(path: Path) -> str | None:
    try:
        container = Container.open(path)
    except READ_ERRORS:
        return None
    with container:
        files = export_files(container)
        if files:
            kind = peek_kind(container, files[0])
            if kind is not None:
                return kind
        for name in confab_files(container)[:5]:
            if peek_kind(container, name) == CONFAB:
                return CONFAB
    return None
