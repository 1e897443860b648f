"""What an attachment costs in tokens, and whether a model sees images at all.

Images (the size as sent, desktop/core/attachments/images.py), OpenAI's documented formulas
(the "Images and vision" guide, detail "high"), exact for the models they name:
- tiles: the image fit within 2048 × 2048, then its shortest side to 768 px, counted in 512-px
  tiles: base + tile × tiles, with (base, tile) = (85, 170) for gpt-4o, gpt-4.1, gpt-4.5 and
  gpt-4-turbo, (2833, 5667) for gpt-4o-mini, (75, 150) for o1 and o3, (65, 129) for
  computer-use-preview;
- patches: 32-px patches, at most 1536 (the image scaled down to fit), times the model's
  multiplier: 1.62 for gpt-4.1-mini and gpt-5-mini, 2.46 for gpt-4.1-nano and gpt-5-nano, 1.72
  for o4-mini.
Every other model gets an estimate, shown "≈": Claude's documented width × height / 750 (of the
image as sent, long side 1568); any other (gpt-5 included, whose figures Confab does not
know for sure), what gpt-4o would count for the image as sent (85 + 170 per tile).

A document costs the tokens of the text part it becomes (``document_part_text``), counted as
text is (desktop/core/tokens.py); without its text at hand, an estimate from its size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from desktop.core.attachments.documents import DocumentText
from desktop.core.attachments.images import CLAUDE, OPENAI, _bare, scaled_size, target_for
from desktop.core.models import Attachment


@dataclass(frozen=True)
class Estimate:
    """``tokens`` an attachment adds to a request; ``exact``: counted by the provider's own
    documented formula (else shown as "≈")."""

    tokens: int
    exact: bool


_TILES: tuple[tuple[re.Pattern[str], int, int], ...] = (
    (re.compile(r"^(gpt-4o-mini|chatgpt-4o-mini)"), 2833, 5667),
    (re.compile(r"^(gpt-4o|chatgpt-4o|gpt-4\.5|gpt-4-turbo|gpt-4-vision)"), 85, 170),
    (re.compile(r"^gpt-4\.1(?!-mini|-nano)"), 85, 170),
    (re.compile(r"^(o1(?!-mini)|o3(?!-mini))"), 75, 150),
    (re.compile(r"^computer-use"), 65, 129),
)
_PATCHES: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"^(gpt-4\.1-mini|gpt-5-mini)"), 1.62),
    (re.compile(r"^(gpt-4\.1-nano|gpt-5-nano)"), 2.46),
    (re.compile(r"^o4-mini"), 1.72),
)
MAX_PATCHES = 1536


def tile_tokens(width: int, height: int, base: int, tile: int) -> int:
    """OpenAI's tile formula for an image of ``width`` × ``height`` as given (it scales it
    itself: within 2048 × 2048, then the shortest side to 768)."""
    w, h = scaled_size(width, height, OPENAI)
    return base + tile * math.ceil(w / 512) * math.ceil(h / 512)


def patch_tokens(width: int, height: int, multiplier: float) -> int:
    """OpenAI's patch formula (gpt-4.1-mini and the like)."""
    patches = math.ceil(width / 32) * math.ceil(height / 32)
    if patches > MAX_PATCHES:
        shrink = math.sqrt(32 * 32 * MAX_PATCHES / (width * height))
        fit = min(
            math.floor(width * shrink / 32) / (width * shrink / 32),
            math.floor(height * shrink / 32) / (height * shrink / 32),
        )
        shrink *= fit
        patches = math.ceil(width * shrink / 32) * math.ceil(height * shrink / 32)
    return math.ceil(min(patches, MAX_PATCHES) * multiplier)


def image_tokens(width: int, height: int, model: str) -> Estimate:
    """The tokens of a ``width`` × ``height`` image (as stored) sent to ``model``."""
    target = target_for(model)
    w, h = scaled_size(width, height, target)
    name = _bare(model)
    for pattern, base, tile in _TILES:
        if pattern.match(name):
            return Estimate(tile_tokens(w, h, base, tile), True)
    for pattern, multiplier in _PATCHES:
        if pattern.match(name):
            return Estimate(patch_tokens(w, h, multiplier), True)
    if target is CLAUDE:
        return Estimate(math.ceil(w * h / 750), False)
    return Estimate(tile_tokens(w, h, 85, 170), False)


# Said instead of the text of a document that has none (a scan).
NO_TEXT_NOTE = "(this file has no text that could be extracted)"


def document_part_text(name: str, text: DocumentText | str) -> str:
    """The text part a document becomes: its name on a line, then its text."""
    body = text if isinstance(text, str) else text.text
    return f"[File: {name}]\n{body if body.strip() else NO_TEXT_NOTE}"


# UTF-8 bytes per token of a text file, roughly (desktop/core/tokens.py's estimate).
_BYTES_PER_TOKEN = 3.5


def estimate_attachment_tokens(
    attachment: Attachment, model: str, text: DocumentText | str | None = None
) -> Estimate:
    """The tokens ``attachment`` adds to a request to ``model``. A document's are those of its
    text part: pass its text (``AttachmentStore.cached_text`` never waits); without it, an
    estimate from the file's size (a text file's; a PDF's or a DOCX's bytes say little: ≈).
    Never blocks: a token table still loading gives an estimate (desktop/core/tokens.py)."""
    if attachment.kind == "image":
        return image_tokens(attachment.width or 1, attachment.height or 1, model)
    if text is None:
        return Estimate(int(attachment.size / _BYTES_PER_TOKEN) + 1, False)
    from desktop.core.tokens import TokenCounter

    counted = TokenCounter(model, wait=False).count(document_part_text(attachment.name, text))
    return Estimate(counted.tokens, counted.exact)
