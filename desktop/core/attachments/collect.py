"""Removing the attachments nothing uses any more, after conversations are deleted for good.

What uses an attachment: a conversation of ``conversations/`` (the index's ``attachments``
table lists, for each, the digests it names: no file is read, whatever the size of the
library) or of ``trash/`` (restorable: its files are read, a text search for the digests, as
the trash is listed anyway). When the index cannot tell (missing, rows still to read after an
upgrade, files it could not read), nothing is removed: the next collection will. Attachments
written or attached again in the last day are kept too (``GRACE_SECONDS``: one in the composer
is in no conversation yet).

Blocking: run off the UI thread.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from desktop.core.attachments.store import AttachmentStore

log = logging.getLogger("confab.attachments")

_NAMED = re.compile(rb'"sha256"\s*:\s*"([0-9a-fA-F]{64})"')


def named_in(path: Path) -> set[str]:
    """The digests a conversation file names (its attachments), read as text; OSError when
    it cannot be read."""
    return {match.decode("ascii").lower() for match in _NAMED.findall(path.read_bytes())}


def used_in_trash(trash: Path) -> set[str] | None:
    """The digests the trash's conversations name; None when one cannot be read."""
    used: set[str] = set()
    try:
        paths = sorted(trash.glob("*.json")) if trash.is_dir() else []
    except OSError as exc:
        log.warning("attachments: the trash cannot be listed: %s", exc)
        return None
    for path in paths:
        try:
            used |= named_in(path)
        except OSError as exc:
            log.warning("attachments: %s in the trash cannot be read: %s", path.name, exc)
            return None
    return used


def collect(store: AttachmentStore, index_path: Path, now: float | None = None) -> int | None:
    """Remove the attachments no conversation nor the trash names; how many were removed,
    None when what is used cannot be told (nothing removed then)."""
    from desktop.core.index import read_attachment_refs

    used = read_attachment_refs(index_path)
    if used is None:
        log.info("attachments: the index cannot tell which are used yet; none removed")
        return None
    in_trash = used_in_trash(store.data_dir / "trash")
    if in_trash is None:
        return None
    removed = store.remove_unused(used | in_trash, now)
    if removed:
        log.info("attachments: %d no longer used, removed", removed)
    return removed
