"""The README and docs/*.md point only at what a clone of the repository has.

Every Markdown link resolves to a file or folder inside the repository (and a link to a heading,
to a heading that exists); no link leaves the repository or needs the network. Every repository
path the documents name in backticks (`desktop/core/models.py`, `bash .ci/test`) exists, so a
renamed module cannot leave a page describing one that is gone.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# URL schemes a link may use. None: the documents stand on their own, offline; add one here
# only on purpose.
ALLOWED_SCHEMES: frozenset[str] = frozenset()

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# A path inside the repository, as the documents write them.
_REPO_PATH = re.compile(
    r"^(?:desktop|tests|packaging|resources|docs|\.ci|\.github)(?:/[\w.+-]+)*/?$"
)


def _prose(text: str) -> str:
    """The text without code blocks and code spans: what Markdown renders as links."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def _links(text: str) -> list[str]:
    prose = _prose(text)
    return _LINK.findall(prose) + _REFERENCE.findall(prose)


def _anchors(path: Path) -> set[str]:
    """The ids GitHub gives the headings of a Markdown file."""
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", path.read_text(encoding="utf-8"))):
        text = html.unescape(heading.replace("`", ""))
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its words
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _name(document: Path) -> str:
    return str(document.relative_to(ROOT))


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_link_resolves_inside_the_repository(document: Path) -> None:
    problems: list[str] = []
    for target in _links(document.read_text(encoding="utf-8")):
        scheme = _SCHEME.match(target)
        if scheme:
            if scheme[1].lower() not in ALLOWED_SCHEMES:
                problems.append(f"{target}: leaves the repository")
            continue
        path_part, _, anchor = target.partition("#")
        if path_part.startswith("/"):
            problems.append(f"{target}: an absolute path")
            continue
        resolved = (document.parent / path_part).resolve() if path_part else document
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            problems.append(f"{target}: no heading #{anchor} in {_name(resolved)}")
    assert problems == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_repository_path_named_exists(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    spans = [m[1:-1] for m in _INLINE_CODE.findall(_FENCE.sub("", text))]
    spans += [block.group(0) for block in _FENCE.finditer(text)]
    named = {
        token.split("::")[0].rstrip(".,;:")
        for span in spans
        for token in span.split()
        if _REPO_PATH.match(token.split("::")[0].rstrip(".,;:"))
    }
    assert named, "no repository path found at all: is the pattern still right?"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_the_documents_are_the_ones_expected() -> None:
    names = {_name(d) for d in DOCUMENTS}
    assert {"README.md", "docs/architecture.md", "docs/format.md"} <= names
