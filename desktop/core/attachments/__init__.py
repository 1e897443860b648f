"""Attachments (issue 14): images and documents attached to messages.

- ``store``: the content-addressed files of the data folder, ``attachments/<sha256>.<ext>``,
  and what is derived from them (``derived/``): adding (type sniffed from the bytes, limits,
  hostile files refused), extracted texts and images as sent, cached; removing the unused.
- ``sniff``: what a file is, from its bytes.
- ``images``: Pillow: checking, measuring and scaling images as each provider documents.
- ``documents``: the text of text files, PDFs (pypdf) and DOCX (python-docx).
- ``estimate``: tokens (OpenAI's tile and patch formulas, "≈" elsewhere).
- ``vision``: whether a model sees images.
- ``reasons``: the codes of ``AttachmentError.kind`` and their English texts.

Nothing here imports Pillow, pypdf or python-docx until it is used (start-up cost).
"""

from __future__ import annotations

from desktop.core.attachments.documents import DocumentText as DocumentText
from desktop.core.attachments.estimate import Estimate as Estimate
from desktop.core.attachments.estimate import document_part_text as document_part_text
from desktop.core.attachments.estimate import (
    estimate_attachment_tokens as estimate_attachment_tokens,
)
from desktop.core.attachments.images import Target as Target
from desktop.core.attachments.images import target_for as target_for
from desktop.core.attachments.store import DOCUMENT_LIMIT as DOCUMENT_LIMIT
from desktop.core.attachments.store import IMAGE_LIMIT as IMAGE_LIMIT
from desktop.core.attachments.store import AttachmentStore as AttachmentStore
from desktop.core.attachments.vision import model_sees_images as model_sees_images
from desktop.core.errors import AttachmentError as AttachmentError
from desktop.core.models import Attachment as Attachment
