"""Whether a model sees images: from its name, as far as the families are known (their
makers' documentation, 2026); None when Confab cannot tell (a local model named by the user,
a new family), so that the window warns only when it knows.

No server says it in ``/models`` in a way Confab can rely on (OpenRouter's ``architecture``
does, others do not), and a request with an image to a text model fails with a 400: the
reply then says the model cannot take images (``ImagesRejectedError``).
"""

from __future__ import annotations

import re

from desktop.core.attachments.images import _bare

# Checked in order: the first that matches decides.
_SEES: tuple[tuple[re.Pattern[str], bool], ...] = (
    # OpenAI: text-only members of families that otherwise see.
    (re.compile(r"^(gpt-3\.5|gpt-4-(0314|0613|32k)|gpt-4$|o1-mini|o3-mini|gpt-oss)"), False),
    (re.compile(r"^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|gpt-4-vision|gpt-5)"), True),
    (re.compile(r"^(o1|o3|o4)"), True),
    # Vision families by name.
    (re.compile(r"(vision|-vl\b|-vl-|vl-|qvq|llava|bakllava|pixtral|moondream|minicpm-v)"), True),
    (re.compile(r"^(claude-3|claude-(sonnet|opus|haiku)-4|claude-.*-4)"), True),
    (re.compile(r"^gemini"), True),
    (re.compile(r"^gemma-?3(?!.*:1b)"), True),
    (re.compile(r"^(llama-?4|llama3\.2-vision|mistral-small-3\.[12]|mistral-medium-3)"), True),
    (
        re.compile(r"^(grok-4|grok-2-vision|glm-4(\.\d)?v|kimi-vl|internvl|qwen-vl|qwen2\.5-vl)"),
        True,
    ),
    (re.compile(r"^qwen3-vl"), True),
    # Text-only families.
    (re.compile(r"^(deepseek|qwq|qwen|codestral|mixtral|mistral|llama|phi|yi-|moonshot)"), False),
    (re.compile(r"^(kimi-k2|glm-4|command|gpt-oss|text-|embed)"), False),
)


def model_sees_images(provider: object, model: str) -> bool | None:
    """True: ``model`` takes images; False: it does not; None: not known. ``provider`` (a
    Provider, its id, or None) is not used yet: a model's name says more than its server."""
    del provider
    name = _bare(model)
    if not name:
        return None
    for pattern, sees in _SEES:
        if pattern.search(name):
            return sees
    return None
