"""The machinery of Confab's catalogues of reasons: why a file cannot be attached
(desktop/core/attachments/reasons.py) and what a reader left out or noticed
(desktop/core/importers/reasons.py).

A catalogue maps each code to its English text, a template whose fields (``{name}``,
``{error}``…) are filled with values that are data (a file's name, the error the system gave),
shown as they are in every language. The window holds the same texts through ``translate``
(desktop/ui/attachment_reasons.py, import_reasons.py) and says them with ``say``; the command
line and the log use the English (``Catalogue.english``).
"""

from __future__ import annotations

from collections.abc import Mapping


class _Fields(dict[str, str]):
    """A field the text names and was not given shows as empty, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, fields: Mapping[str, str]) -> str:
    """``template`` (a text of a catalogue, or its translation) with ``fields`` filled in; one
    it names and was not given is empty ("{name}: {error}" without a name is the error)."""
    return template.format_map(_Fields(fields)).removeprefix(": ").strip()


def say(template: str | None, fields: Mapping[str, str], english: str) -> str:
    """``template`` (the text in the user's language, None: it has none) filled in;
    ``english`` when there is none or it is not a template (a broken translation)."""
    if template is None:
        return english
    try:
        return fill(template, fields)
    except (IndexError, ValueError):
        return english


class Catalogue:
    """Codes and their English texts; ``fallback``: the code of one whose text is said for a
    code the catalogue does not have (None: such a code is a KeyError)."""

    def __init__(self, texts: Mapping[str, str], fallback: str | None = None) -> None:
        self.texts = dict(texts)
        self.fallback = fallback

    def __contains__(self, code: object) -> bool:
        return code in self.texts

    def english(self, code: str, fields: Mapping[str, str]) -> str:
        if code not in self.texts and self.fallback is not None:
            code = self.fallback
        return fill(self.texts[code], fields)


def error_text(exc: BaseException, *, typed: bool = False) -> str:
    """An exception as a field: what it says (``typed``: after its type's name), else its
    type's name."""
    if not str(exc):
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if typed else str(exc)
