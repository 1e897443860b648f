"""What to do when another program (a sync tool: Syncthing, Dropbox) changed or removed the file
of a conversation Confab holds in memory, so that neither side's history is lost.

The decisions only: ``ConversationsController`` finds the change (its rescans, the loading
thread comparing the file with the version in memory) and carries out what these return. The
policy is described in docs/architecture.md ("A loaded conversation changed or removed
elsewhere").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.core.models import Conversation

# A changed file.
OURS_UNDER_WAY = "ours_under_way"  # ours is being (or due to be) written: that write keeps theirs
KEEP_BOTH = "keep_both"  # write ours now; the write sets theirs aside as a copy
TAKE_THEIRS = "take_theirs"  # take the new version in, in place

# A removed file.
WRITE_BACK = "write_back"  # something of ours is not on disk: write it back
LEAVE = "leave"  # nothing unsaved: it leaves memory and the list


@dataclass(frozen=True)
class Changed:
    action: str  # OURS_UNDER_WAY, KEEP_BOTH or TAKE_THEIRS
    # The draft the conversation holds afterwards (what the user is typing outlives a reload),
    # saved when it differs from the conversation's; None: the version's own (read-only).
    draft: str | None


def on_changed(ours: Conversation, theirs: Conversation, *, busy: bool, typed: str) -> Changed:
    """``ours`` in memory, ``theirs`` on disk now; ``busy``: a write of ours is under way,
    due or failed, or a reply is streaming into it; ``typed``: what the composer holds for it
    (its draft if nothing is typed)."""
    if ours.read_only:
        return Changed(TAKE_THEIRS, None)  # never written by this Confab: nothing to keep
    if busy:
        return Changed(OURS_UNDER_WAY, typed)
    drafts_differ = typed != ours.draft and theirs.draft not in ("", ours.draft, typed)
    theirs_ids = {m.id for m in theirs.messages}
    if drafts_differ or any(m.id not in theirs_ids for m in ours.messages):
        # A draft typed here and another written there, or messages here their version lacks
        # (deleted there, or made from an older file): both kept.
        return Changed(KEEP_BOTH, typed)
    return Changed(TAKE_THEIRS, typed)


def on_removed(ours: Conversation, *, busy: bool) -> str:
    """WRITE_BACK or LEAVE for ``ours``, whose file is gone."""
    return WRITE_BACK if busy and not ours.read_only else LEAVE
