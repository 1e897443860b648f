"""Images: checked and measured when attached (Pillow), and the form the model is sent.

**Checking.** The bytes are decoded whole once, when attached, so a truncated or damaged image
is refused then, not at the first send. Before decoding, the size in the header is checked
against ``MAX_PIXELS`` (Pillow's own decompression-bomb guard, which warns at 89 and refuses at
179 megapixels, is caught as well): a PNG of 30,000 × 30,000 pixels is 10 KB on disk and 2.7 GB
decoded. Width and height are those shown (a JPEG's EXIF orientation applied).

**What is sent** (``Target``): the image scaled down (never up) as the provider documents it:
- OpenAI's models (``detail: "high"``): to fit within 2048 × 2048, then its shortest side to
  768 px (OpenAI does this itself; sent bigger, the bytes are wasted);
- Anthropic's Claude (through an OpenAI-compatible server): the long side to 1568 px;
- any other model: the long side to 2048 px.
It goes as JPEG (quality 85) when it is a photo, as PNG when it has transparency, few colours
(at most 256: a diagram, a flat screenshot), or when PNG costs at most ``PNG_FACTOR`` times the
JPEG's bytes (a screenshot of text, which JPEG would smear). An image that needs no scaling and
is already a PNG or a JPEG (with no EXIF rotation) is sent as it is stored. An animated GIF
sends its first frame.
"""

from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from desktop.core.attachments import reasons
from desktop.core.errors import AttachmentError

log = logging.getLogger("confab.attachments")

# Images with more pixels than this are refused (decoded: 4 bytes a pixel, 256 MiB).
MAX_PIXELS = 64_000_000
JPEG_QUALITY = 85
PNG_FACTOR = 3.0


@dataclass(frozen=True)
class Target:
    """How an image is scaled for one provider: ``box`` (fit within box × box), then
    ``short`` (the shortest side at most this), and ``long`` (the longest side at most
    this); 0: no such limit. ``tag`` names the form in the derived cache's file names."""

    tag: str
    box: int = 0
    short: int = 0
    long: int = 0


OPENAI = Target("openai", box=2048, short=768)
CLAUDE = Target("claude", long=1568)
DEFAULT = Target("long2048", long=2048)

_PROVIDER_PREFIX = re.compile(r"^.*/")
_OPENAI_MODELS = re.compile(r"^(gpt-|chatgpt-|o\d|omni-|computer-use)")


def _bare(model: str) -> str:
    return _PROVIDER_PREFIX.sub("", model.strip().lower())


def target_for(model: str) -> Target:
    """The scaling for ``model`` (a provider prefix such as OpenRouter's "openai/" ignored)."""
    name = _bare(model)
    if _OPENAI_MODELS.match(name):
        return OPENAI
    if name.startswith("claude"):
        return CLAUDE
    return DEFAULT


def scaled_size(width: int, height: int, target: Target) -> tuple[int, int]:
    """The size ``target`` scales a ``width`` × ``height`` image to (never larger)."""
    # Exact fractions: 3000 × (1568 / 3000) in floating point is 1567.9999….
    scale = Fraction(1)
    if target.box and max(width, height) > target.box:
        scale = Fraction(target.box, max(width, height))
    if target.short and min(width, height) * scale > target.short:
        scale = Fraction(target.short, min(width, height))
    if target.long and max(width, height) * scale > target.long:
        scale = Fraction(target.long, max(width, height))
    if scale >= 1:
        return width, height
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


@dataclass(frozen=True)
class Probed:
    width: int
    height: int
    # A JPEG whose EXIF says to rotate it: it cannot be sent as stored.
    rotated: bool = False


def probe(data: bytes, name: str, pillow_format: str) -> Probed:
    """Decode the image whole (``pillow_format``: "PNG", "JPEG", "GIF", "WEBP"); raises
    AttachmentError when it is damaged, truncated or has too many pixels."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many(name, width * height)
            image.load()
            orientation = image.getexif().get(0x0112, 1) if pillow_format == "JPEG" else 1
            rotated = orientation not in (1, None)
            if rotated:
                width, height = ImageOps.exif_transpose(image).size
    except AttachmentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # "Image size (900000000 pixels) exceeds limit of …": Pillow's own guard, before ours.
        said = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many(name, int(said[1]) if said else 0) from exc
    # Pillow on damaged input: OSError (truncated, UnidentifiedImageError), SyntaxError,
    # ValueError (a text chunk too large to decompress), struct.error, EOFError, …
    except Exception as exc:
        raise AttachmentError(reasons.DAMAGED, name=name, error=reasons.error_text(exc)) from exc
    if width < 1 or height < 1:
        raise AttachmentError(reasons.DAMAGED, name=name, error="no pixels")
    return Probed(width, height, rotated)


def _too_many(name: str, pixels: int) -> AttachmentError:
    shown = f"{pixels / 1e6:.0f}" if pixels else "too many"
    return AttachmentError(
        reasons.TOO_MANY_PIXELS, name=name, pixels=shown, limit=MAX_PIXELS // 1_000_000
    )


def prepare(data: bytes, mime: str, target: Target) -> tuple[bytes, str]:
    """The image's bytes as sent for ``target``, and their type (see the module's docstring).
    Blocking (~10-100 ms for a photo): run off the UI thread, and keep the result."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)
        orientation = opened.getexif().get(0x0112, 1) if opened.format == "JPEG" else 1
        size = (
            scaled_size(*ImageOps.exif_transpose(opened).size, target)
            if orientation
            not in (
                1,
                None,
            )
            else scaled_size(*opened.size, target)
        )
        as_is = (
            mime in ("image/png", "image/jpeg") and orientation in (1, None) and size == opened.size
        )
        if as_is:
            return data, mime
        image = ImageOps.exif_transpose(opened) if orientation not in (1, None) else opened
        image = image.convert("RGBA") if _has_alpha(image) else image.convert("RGB")
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if image.mode == "RGBA":
        lowest = image.getchannel("A").getextrema()[0]
        if isinstance(lowest, int | float) and lowest < 255:  # some pixel not opaque
            return _png(image), "image/png"
        image = image.convert("RGB")
    if image.getcolors(256) is not None:
        return _png(image), "image/png"
    jpeg = _jpeg(image)
    if mime == "image/jpeg":
        return jpeg, "image/jpeg"
    png = _png(image)
    if len(png) <= PNG_FACTOR * len(jpeg):
        return png, "image/png"
    return jpeg, "image/jpeg"


def _has_alpha(image: object) -> bool:
    mode = getattr(image, "mode", "")
    info = getattr(image, "info", {})
    return mode in ("RGBA", "LA", "PA") or "transparency" in info


def _png(image: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)  # type: ignore[attr-defined]
    return out.getvalue()


def _jpeg(image: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)  # type: ignore[attr-defined]
    return out.getvalue()
