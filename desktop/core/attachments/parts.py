"""A planned request's messages with their attachments as content parts (the OpenAI shape,
desktop/core/openai_wire.py): the typed text first, then each attachment in its order, a
document as a text part (its name, then its text: ``document_part_text``), an image as an
``image_url`` part holding a data: URL of the image as sent to the model (scaled for it,
desktop/core/attachments/images.py; ``detail: "high"`` for OpenAI's models, whose token
formula assumes it). A message without attachments stays a plain string.

Blocking (reads files, scales images the first time): run off the UI thread. The store keeps
what it made (in memory and in ``derived/``), so the next turn of a long conversation with
images encodes nothing again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from desktop.core.attachments.estimate import document_part_text
from desktop.core.attachments.images import OPENAI, target_for
from desktop.core.attachments.store import AttachmentStore
from desktop.core.models import Attachment
from desktop.core.wire import ContentPart, ImagePart, TextPart, WireMessage


def attachment_parts(
    store: AttachmentStore, attachments: Sequence[Attachment], model: str
) -> list[ContentPart]:
    """The parts ``attachments`` become for ``model``. Raises AttachmentError when a stored
    file is missing or unreadable (the reply then says which)."""
    target = target_for(model)
    parts: list[ContentPart] = []
    for attachment in attachments:
        if attachment.kind == "image":
            url = store.image_url(attachment, target)
            parts.append(ImagePart(url, "high" if target is OPENAI else None))
        else:
            parts.append(TextPart(document_part_text(attachment.name, store.text_of(attachment))))
    return parts


def with_attachments(
    messages: Sequence[Mapping[str, Any]],
    attachments: Mapping[int, Sequence[Attachment]],
    store: AttachmentStore,
    model: str,
) -> list[Mapping[str, Any] | WireMessage]:
    """``messages`` (a plan's) with those at the indexes of ``attachments`` made content
    parts; the others as they are."""
    result: list[Mapping[str, Any] | WireMessage] = list(messages)
    for index, carried in attachments.items():
        message = messages[index]
        text = str(message.get("content") or "")
        parts: list[ContentPart] = [TextPart(text)] if text.strip() else []
        parts += attachment_parts(store, carried, model)
        result[index] = WireMessage(str(message["role"]), tuple(parts))
    return result
