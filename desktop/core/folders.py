"""Folders, tags and the archive: what they are, and the changes made to many conversations at
once.

A folder is a path of names joined by "/" ("Work/Clients/Acme"): a conversation is in at most
one (``Conversation.folder``, None: in none); a folder holds its sub-folders' conversations
too. A name is trimmed, never empty and never holds "/". Empty folders the user made are kept
in settings.json (``Settings.folders``) so that they show before anything is in them.

``Change`` is one change to many conversations (pin, archive, move, tag, rename or delete a
folder), plain data that a thread applies to a conversation it read (``Change.apply``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from desktop.core.models import Conversation

SEPARATOR = "/"


def clean_name(name: str) -> str | None:
    """A folder's name as the user typed it, trimmed (inner white space made single); None
    when it cannot be one (empty, or holding "/")."""
    cleaned = " ".join(name.split())
    if not cleaned or SEPARATOR in cleaned:
        return None
    return cleaned


def clean_path(value: Any) -> str | None:
    """A folder path as found in a file or settings.json: each name trimmed, empty names left
    out; None for no folder (null, "", "/")."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    names = [" ".join(part.split()) for part in value.split(SEPARATOR)]
    path = SEPARATOR.join(name for name in names if name)
    return path or None


def join(parent: str | None, name: str) -> str:
    return f"{parent}{SEPARATOR}{name}" if parent else name


def parent_of(path: str) -> str | None:
    head, _sep, _name = path.rpartition(SEPARATOR)
    return head or None


def name_of(path: str) -> str:
    return path.rpartition(SEPARATOR)[2]


def is_within(path: str | None, folder: str) -> bool:
    """True if ``path`` is ``folder`` or one of its sub-folders."""
    return path is not None and (path == folder or path.startswith(folder + SEPARATOR))


def moved(path: str | None, old: str, new: str | None) -> str | None:
    """``path`` after the folder ``old`` became ``new`` (None: deleted, so that what was in it
    or its sub-folders is in no folder)."""
    if path is None or not is_within(path, old):
        return path
    if new is None:
        return None
    return new + path[len(old) :]


def ancestors(path: str) -> list[str]:
    """The path and every folder above it: "A/B/C" → ["A", "A/B", "A/B/C"]."""
    names = path.split(SEPARATOR)
    return [SEPARATOR.join(names[: i + 1]) for i in range(len(names))]


def all_folders(paths: Iterable[str | None]) -> list[str]:
    """Every folder named by ``paths`` and those above them, sorted (case-insensitively, so a
    tree reads alphabetically)."""
    found: set[str] = set()
    for path in paths:
        if path:
            found.update(ancestors(path))
    return sorted(found, key=lambda p: (p.casefold(), p))


def clean_tag(tag: str) -> str | None:
    """A tag as typed: trimmed, inner white space single; None when empty."""
    cleaned = " ".join(tag.split())
    return cleaned or None


# A NamedTuple, not a dataclass: the navigation imports this module before the first paint.
class Change(NamedTuple):
    """One change to many conversations. Each field left None changes nothing:

    - ``pinned``, ``archived``: set to that;
    - ``folder``: move into that folder (``NO_FOLDER``, "": into none);
    - ``add_tags`` / ``remove_tags``: tags added (at the end, once) and removed;
    - ``rename_folder``: (old, new) the folder ``old`` and its sub-folders become ``new``
      (new None: deleted, their conversations in no folder).
    """

    pinned: bool | None = None
    archived: bool | None = None
    folder: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    rename_folder: tuple[str, str | None] | None = None

    def apply(self, conversation: Conversation) -> bool:
        """Change ``conversation`` in place; True if anything changed (it needs a save)."""
        before = (conversation.pinned, conversation.archived, conversation.folder)
        tags_before = list(conversation.tags)
        if self.pinned is not None:
            conversation.pinned = self.pinned
        if self.archived is not None:
            conversation.archived = self.archived
        if self.folder is not None:
            conversation.folder = self.folder or None
        if self.rename_folder is not None:
            old, new = self.rename_folder
            conversation.folder = moved(conversation.folder, old, new)
        if self.remove_tags:
            conversation.tags = [t for t in conversation.tags if t not in self.remove_tags]
        for tag in self.add_tags:
            if tag not in conversation.tags:
                conversation.tags.append(tag)
        after = (conversation.pinned, conversation.archived, conversation.folder)
        return before != after or tags_before != conversation.tags


# Change(folder=NO_FOLDER): out of any folder.
NO_FOLDER = ""
