"""What the readers of other apps' exports share: reading untrusted JSON values (a wrong
type is an empty value, never an exception) and making the Conversation of a tree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.core.importers.ids import conversation_id
from desktop.core.importers.tree import Tree
from desktop.core.models import EPOCH, Clock, Conversation, ImportedFrom, title_from_text


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def join(first: str, second: str) -> str:
    return f"{first}\n\n{second}" if first and second else first or second


def conversation_of(
    app: str,
    source_id: str,
    tree: Tree,
    *,
    head: str | None,
    title: str,
    created: datetime | None,
    updated: datetime | None,
    clock: Clock | None,
) -> Conversation:
    """The conversation of ``tree``: ``head`` is the source's key of the message on screen
    (None, unknown or not kept: the nearest kept ancestor, else the newest leaf); missing
    times come from the messages; a missing title is the first question's first line.

    The conversation's ``model`` (what its next request asks for) is left unset, so that the
    request goes to the provider's default model: the other app's names for its models
    ("auto", "gpt-4o-canmore", "claude-3-5-sonnet-20241022") are rarely one of the user's
    provider. Each reply keeps the model that wrote it."""
    messages = tree.messages
    shown = tree.resolve(head) or tree.newest_leaf()
    created = created or min((m.created_at for m in messages), default=EPOCH)
    updated = updated or max((m.created_at for m in messages), default=created)
    title = title.strip()
    if not title:
        first = next((m for m in messages if m.role == "user"), None)
        title = title_from_text(first.content) if first else ""
    return Conversation(
        id=conversation_id(app, source_id),
        title=title,
        created_at=created,
        updated_at=max(updated, created),
        head=shown.id if shown is not None else None,
        messages=messages,
        # The other app named it: no title is asked of the model for it.
        title_generated=bool(title),
        imported_from=ImportedFrom(app, source_id, clock() if clock else datetime.now(UTC)),
    )
