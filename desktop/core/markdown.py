"""Markdown → Qt rich text, split into top-level blocks, for the chat view.

Each top-level Markdown element (paragraph, heading, list, quote, table, rule, code block) becomes
one `Block`. Code blocks are their own kind so the view can give them a copy button; everything
else is an HTML fragment in the subset Qt's rich text engine understands (inline styles and
HTML 4 attributes only: Qt has no CSS classes to speak of and ignores most of CSS).

Model output is untrusted. Raw HTML is off, so markup in the input comes out as visible text; only
http(s) and mailto links become anchors; images are never loaded; control characters are removed.

`StreamingRenderer` renders a reply as it grows without re-parsing the whole text on every update.

Some Markdown costs markdown-it far more than its length suggests; every parse works within a
budget, and text that would blow it is shown as typed (see "what markdown-it can afford").

LaTeX (see "math"): mdit-py-plugins finds ``$…$``, ``$$…$$`` and ``\\begin{align}…``
(dollarmath's rules keep "$5 and $10" text), rules of ours ``\\(…\\)`` and ``\\[…\\]``; a
block's formulas are listed
in ``Block.formulas`` and its HTML shows each one's source, between markers that
``math_html`` replaces with the view's images of them.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

# Pygments ships no type information; the project's mypy config has ignore_missing_imports, so
# these names are Any. They are used in three places below, each behind a typed function.
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from desktop.core.formulas import Formula
from desktop.core.links import CHECK_SCHEME, misleading

__all__ = [
    "Block",
    "StreamingRenderer",
    "UntrustedRenderer",
    "is_live_url",
    "lexer_for",
    "link_text",
    "math_html",
    "parse_finished",
    "plain_with_formulas",
    "render_markdown",
]


@dataclass(frozen=True)
class Block:
    kind: str  # "html", "code", or "math" (a display formula alone, see math_html)
    html: str  # Qt rich text: a fragment for "html" and "math", a <pre> for "code"
    source: str  # the Markdown of this block; for "code" the code alone, as the user copies it
    language: str  # "code" only: first word of the fence's info string ("" if none)
    start_line: int  # 0-based line span in the whole text, end exclusive
    end_line: int
    # Some of the text is shown as typed, not formatted, because parsing it would cost more
    # than the budget (see "what markdown-it can afford"): "costly" for good (the view says
    # so), "pending" while the reply streams (formatted once it is finished, or sooner).
    # Or because laying it out would (see "what Qt's layout can afford"): "table" (shown as
    # text), "long" (only its beginning is shown; ``source`` holds all of it).
    unformatted: str = ""
    # The LaTeX formulas in the block, in order; ``html`` shows their source (see math_html).
    formulas: tuple[Formula, ...] = ()


def render_markdown(text: str, *, dark: bool = False) -> list[Block]:
    return _render(_clean(text), 0, {}, _DARK if dark else _LIGHT, budget=_final_budget())


def parse_finished(text: str) -> list[Token] | None:
    """markdown-it's tokens of ``text`` as the view parses a finished message (the same
    parser, raw HTML off, control characters removed, the same budget: an inline run too
    costly to parse stays as typed), for renderers of other targets (desktop/core/export/).
    None when the text is nested deeper than markdown-it can go: show it as typed."""
    text = _clean(text)
    if _TOO_DEEP.search(text):
        return None
    env: EnvType = {_BUDGET: _final_budget(), _QUOTE_DEPTH: 0}
    try:
        return _PARSER.parse(text, env)
    except RecursionError:
        return None


def lexer_for(language: str) -> Any:
    """The Pygments lexer the view highlights a fence of ``language`` with, or None."""
    return _lexer(language)


def is_live_url(url: str) -> bool:
    """Whether a link to ``url`` is made live (http, https and mailto only)."""
    return _live_url(url)


def link_text(tokens: Sequence[Token], idx: int) -> str:
    """The text shown for the link that opens at ``idx`` (what ``misleading`` compares)."""
    return _link_text(tokens, idx)


class StreamingRenderer:
    """Renders a reply that grows.

    update(full_text) returns (stable, blocks): all blocks so far, where blocks[:stable] are the
    very objects the previous call returned, so a view re-renders only blocks[stable:].

    Finished blocks are frozen and never parsed again: each update parses only the tail of the
    text from the start of the last block that could still change, so its cost follows the size
    of that block, not of the reply. A block is finished once the block after it starts on a
    line that is complete and followed by another complete line: the last, incomplete line can
    still change what the lines before it mean ("text" + "\\n#" is a paragraph and an empty
    heading until "1" arrives and makes "#1" part of the paragraph; a table needs its second
    line). Everything before such a line is settled for good, which is how CommonMark parses.

    highlight_open=False is how the view renders a reply that is still streaming, and then
    each update formats only as much of the tail as _STREAMING_BUDGET_US affords: the rest
    is "pending" (shown as typed) until a later update can afford it, at the latest the
    first update with highlight_open=True, which formats within the final budget.
    """

    def __init__(self, *, dark: bool = False, highlight_open: bool = True) -> None:
        self._theme = _DARK if dark else _LIGHT
        # False: a code block whose closing fence has not arrived yet is shown unhighlighted
        # (highlighting it again on every update is most of the cost of a streaming code
        # block); it is highlighted once, when the fence closes. False also means streaming:
        # see the class docstring.
        self._highlight_open = highlight_open
        self._restart()

    def set_highlight_open(self, value: bool) -> None:
        """Switch without starting over: frozen code blocks are closed, hence highlighted, so
        only the tail (parsed again by the next update) and the frozen blocks still pending
        (formatted by the next update, within its budget) can change."""
        self._highlight_open = value

    def _restart(self) -> None:
        self._frozen: list[Block] = []  # blocks before the tail; never parsed again
        self._tail: list[Block] = []  # blocks the previous call parsed from the tail
        self._offset = 0  # where the tail starts in the raw text...
        self._line = 0  # ...and on which line
        self._prefix = ""  # the raw text before the tail, to notice a text that did not just grow
        self._references: dict[str, Any] = {}  # [label]: url definitions found before the tail
        # Frozen blocks still "pending" (index -> estimated cost): formatted by a later update
        # that can afford them, each once.
        self._pending: dict[int, float] = {}

    def update(self, text: str) -> tuple[int, list[Block]]:
        if not text.startswith(self._prefix):
            self._restart()  # replaced (e.g. regenerated), not extended
        raw_tail = text[self._offset :]
        tail = _clean(raw_tail)
        if self._highlight_open:
            # Finished (or never streamed): one budget for the pending blocks and the tail.
            budget = tail_budget = _final_budget()
        else:
            budget = _Budget(_CATCH_UP_BUDGET_US, final=False)
            tail_budget = _Budget(_STREAMING_BUDGET_US, final=False)
        changed = self._format_pending(budget)
        env: EnvType = {"references": dict(self._references)}
        if not self._highlight_open and _too_long_to_parse_each_time(tail):
            # A block this long is not parsed again at every update while it streams (parsing
            # it costs in proportion to it, the update comes 30 times a second): its beginning
            # is shown as typed until the reply ends, then it is parsed once.
            lines = tail.count("\n") + 1
            fresh = [
                Block(
                    "html",
                    _as_text(tail, self._theme, pre=False),
                    tail,
                    "",
                    self._line,
                    self._line + lines,
                    "long",
                )
            ]
        else:
            fresh = _render(tail, self._line, env, self._theme, self._highlight_open, tail_budget)
        # Hand back the previous objects for blocks that came out the same: the view skips them.
        reused = 0
        for old, new in zip(self._tail, fresh, strict=False):
            if old != new:
                break
            fresh[reused] = old
            reused += 1
        stable = len(self._frozen) + reused
        if changed is not None:
            stable = min(stable, changed)
        blocks = [*self._frozen, *fresh]
        self._advance(text, raw_tail, tail, fresh, env)
        return stable, blocks

    def _format_pending(self, budget: _Budget) -> int | None:
        """Format the pending frozen blocks the budget affords, in order; returns the index of
        the first one that changed."""
        changed: int | None = None
        for index, cost in list(self._pending.items()):
            if cost > budget.left_us and not budget.final:
                continue  # still too costly: try again at a later update
            old = self._frozen[index]
            env: EnvType = {"references": dict(self._references)}
            new = _render(old.source, old.start_line, env, self._theme, True, budget)
            if len(new) != 1 or new[0].kind != old.kind:
                del self._pending[index]  # not the block it was alone: leave it as typed
                continue
            # Parsed alone a block can end a line earlier (a list's trailing blank line): keep
            # the span it had in the whole text.
            self._frozen[index] = replace(old, html=new[0].html, unformatted=new[0].unformatted)
            changed = index if changed is None else min(changed, index)
            if new[0].unformatted != "pending":
                del self._pending[index]
        return changed

    def _advance(
        self, text: str, raw_tail: str, tail: str, fresh: list[Block], env: EnvType
    ) -> None:
        """Freeze the blocks before the last one that starts on a settled line."""
        complete = tail.count("\n")  # tail lines [0, complete) have their line end
        cut = 0
        for i in range(len(fresh) - 1, 0, -1):
            if fresh[i].start_line - self._line <= complete - 2:
                cut = i
                break
        if cut == 0:
            self._tail = fresh
            return
        cut_line = fresh[cut].start_line - self._line
        for label, ref in env.get("references", {}).items():
            span = ref.get("map") if isinstance(ref, dict) else None
            if label not in self._references and span and span[1] <= cut_line:
                self._references[label] = ref
        for block in fresh[:cut]:
            if block.unformatted == "pending":
                self._pending[len(self._frozen)] = _inline_cost(block.source)
            self._frozen.append(block)
        self._tail = fresh[cut:]
        self._offset += _line_start(raw_tail, cut_line)
        self._line += cut_line
        self._prefix = text[: self._offset]


# ---- parsing -------------------------------------------------------------------------------

# Tables and ~~strikethrough~~ as models write them; linkify would need linkify-it-py, so bare
# URLs stay text. markdown-it's own link validator stays on as a second line of defence: it
# already refuses javascript:, vbscript:, file: and data: destinations.
# maxNesting: markdown-it drops what is nested deeper than this (20 by default): 20 ">" made a
# reply's text vanish. Deeper text is shown as typed before it gets there (_TOO_DEEP); 100
# keeps inline nesting ("[[[[…") well inside Python's stack, which 640 did not.
_PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 100}).enable(
    ["table", "strikethrough"]
)


# ---- math ----------------------------------------------------------------------------------

# dollarmath's rules for "$": no space after the opening "$" nor before the closing one, no
# digit right after the closing one, so "$5 and $10" and "costs $3.50, or $4" stay text;
# "$$…$$" in a line is display math (double_inline); labels ("$$…$$ (1)") are not parsed, nor
# is a display block across a blank line (TeX does not allow one, and a stray "$$" must not
# swallow paragraphs). "\\(…\\)" inline and "\\[…\\]" (a block of its own, or within a
# paragraph: a model's "where\n\\[x\\]\nis") by the rules below, before "escape", which would
# take "\\(" for an escaped parenthesis. amsmath: "\\begin{align}…\\end{align}" as a block.
_DOLLAR_RULES: dict[str, Any] = {
    "allow_labels": False,
    "allow_space": False,
    "allow_digits": False,
    "allow_blank_lines": False,
    "double_inline": True,
}
_PARSER.use(dollarmath_plugin, **_DOLLAR_RULES)
_PARSER.use(amsmath_plugin)
_CLOSING = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_FORMULAS = "confab.formulas"  # env key: the formulas of the block being rendered


def _backslash_math(state: StateInline, silent: bool) -> bool:
    """``\\(…\\)`` (inline) and ``\\[…\\]`` (display) within a paragraph."""
    start = state.pos
    opening = state.src[start : start + 2]
    if opening not in ("\\(", "\\["):
        return False
    end = state.src.find(_CLOSING[opening], start + 2)
    if end < 0 or not state.src[start + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_inline" if opening == "\\(" else "math_inline_double", "math", 0)
        token.markup = opening
        token.content = state.src[start + 2 : end]
    state.pos = end + 2
    return True


def _bracket_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A ``\\[`` line (up to three spaces in) to the line ending in ``\\]``: display math."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", begin):
        return False
    line = start_line
    text = state.src[begin + 2 : state.eMarks[line]]
    lines = [text]
    while not text.rstrip().endswith("\\]") or (line == start_line and not text.strip()):
        line += 1
        if line >= end_line or state.isEmpty(line):
            return False  # not closed (yet, while it streams): text
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        lines.append(text)
    if silent:
        return True
    content = "\n".join(lines).rstrip()[:-2]
    if not content.strip():
        return False
    token = state.push("math_block", "math", 0)
    token.block = True
    token.markup = "\\["
    token.content = content
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


_PARSER.inline.ruler.before("escape", "math_backslash", _backslash_math)
_PARSER.block.ruler.before(
    "fence", "math_brackets", _bracket_block, {"alt": ["paragraph", "reference", "blockquote"]}
)


def _formula(token: Token, display: bool) -> Formula:
    if token.type == "amsmath":
        return Formula(token.content.strip("\n"), token.content, True)
    closing = _CLOSING.get(token.markup, token.markup)
    return Formula(token.markup + token.content + closing, token.content, display)


def math_html(block: Block, images: Sequence[str | None]) -> str:
    """``block.html`` with ``images[i]`` (an ``<img>`` the view made) in place of the source
    of ``block.formulas[i]``, where it is not None; a display formula of its own is centred."""

    def replace_one(found: re.Match[str]) -> str:
        index = int(found.group(3))
        image = images[index] if index < len(images) else None
        if image is None:
            return found.group(0)
        return f'<p align="center">{image}</p>' if found.group(2) == "b" else image

    return _MARKED.sub(replace_one, block.html)


# What the user typed is shown as typed; only its formulas are drawn (the same rules).
_PLAIN_PARSER = MarkdownIt("zero").use(dollarmath_plugin, **_DOLLAR_RULES)
_PLAIN_PARSER.inline.ruler.before("text", "math_backslash", _backslash_math)
# Past this a text typed is shown as plain text, formulas and all (the parse is per
# character of text; a user's message is short, a pasted log need not be looked at).
MAX_PLAIN_FORMULA_CHARS = 50_000


def plain_with_formulas(text: str, *, dark: bool = False) -> Block | None:
    """``text`` as typed (white space and line breaks kept, nothing formatted) with its
    formulas as in a reply, for the view of the user's own message; None when it has none."""
    if ("$" not in text and "\\" not in text) or len(text) > MAX_PLAIN_FORMULA_CHARS:
        return None
    text = _clean(text)
    (inline,) = _PLAIN_PARSER.parseInline(text)
    if not any(token.type.startswith("math") for token in inline.children or ()):
        return None
    renderer = _RENDERERS[_DARK if dark else _LIGHT]
    env: EnvType = {_FORMULAS: []}
    parts = []
    for token in inline.children or ():
        if token.type == "math_inline":
            parts.append(renderer.formula(_formula(token, False), False, env))
        elif token.type == "math_inline_double":
            parts.append(renderer.formula(_formula(token, True), False, env))
        else:
            parts.append(_escape(token.content).replace("\n", "<br>"))
    markup = '<p style="white-space: pre-wrap">' + "".join(parts) + "</p>"
    lines = text.count("\n") + 1
    return Block("html", markup, text, "", 0, lines, "", tuple(env[_FORMULAS]))


# A formula's source in a block's HTML: a <code> or <pre> whose text is between markers
# (comments: Qt's rich text skips them).
_MARKED = re.compile(r"<(code|pre)[^>]*><!--f([bi])(\d+)-->.*?<!--/f--></\1>", re.DOTALL)


# ---- what markdown-it can afford -----------------------------------------------------------

# markdown-it-py's inline parser costs ~0.03 µs per character of words, but 2.5-55 µs per
# punctuation character that may open something, measured here: "[" ~21 µs when it never
# closes (a real link about as much), "![" ~55, "*" 8, "_" 7.5, "~" 5, "<" 3 (an autolink
# ~36), a line break 5, every other character of its terminator set ~2.5. So "[x" * 50_000
# parses in ~1.1 s, "*a" * 50_000 in ~0.5 s and "![x" * 50_000 in ~2.8 s, while the
# benchmark's 150,000-character reply of ordinary Markdown spends ~13 ms in the inline parser
# (a backtick run or deep nesting is cheap: markdown-it-py caps those). The cost follows the
# punctuation, linearly, so counting it (~0.3 ms per 100,000 characters) tells the cost before
# paying it. Each inline run (a paragraph, a heading, a list item's text, a table cell) is
# parsed only if its estimate fits what is left of the budget; one that does not is shown as
# typed and costs nothing, so the runs after it can still be formatted.
_TERMINATORS = str.maketrans("", "", "\n!#$%&*+-:<=>@[\\]^_`{}~")
_EXTRA_COST_US = (
    ("[", 18.0),
    ("![", 30.0),
    ("*", 6.0),
    ("_", 5.0),
    ("~", 2.5),
    ("<", 8.0),
    ("\n", 2.5),
)

# Per update of a streaming reply's tail, which comes every ~33 ms: a few ms, so the window
# keeps up however the reply is written (the tail is re-parsed at every update, so an
# unbounded parse there froze the window for a second per update on "[x" * 50_000).
_STREAMING_BUDGET_US = 6_000.0
# Per streaming update, for frozen blocks that were pending (each is formatted once).
_CATCH_UP_BUDGET_US = 30_000.0
# Per render of finished text (a reply at its end, a conversation being opened): more than
# ten times the benchmark's ordinary 150,000-character reply (~12 ms of inline parsing), so
# real replies are formatted whole, yet no message holds the window for seconds.
_FINAL_BUDGET_US = 150_000.0

_BUDGET = "confab.budget"  # env key: the _Budget of the parse in progress
_UNFORMATTED = "confab.unformatted"  # inline token meta key: why it is shown as typed


@dataclass
class _Budget:
    left_us: float
    final: bool  # what does not fit is "costly" (shown as typed for good), else "pending"


def _final_budget() -> _Budget:
    return _Budget(_FINAL_BUDGET_US, final=True)


def _inline_cost(text: str) -> float:
    """Estimated µs markdown-it-py (here) spends on the inline parse of ``text``."""
    cost = 0.05 * len(text) + 2.5 * (len(text) - len(text.translate(_TERMINATORS)))
    for needle, extra in _EXTRA_COST_US:
        cost += extra * text.count(needle)
    return cost


def _inline_within_budget(state: StateCore) -> None:
    """markdown-it's core "inline" rule, with the budget in env (none: no limit)."""
    budget: _Budget | None = state.env.get(_BUDGET)
    for token in state.tokens:
        if token.type != "inline":
            continue
        cost = _inline_cost(token.content) if budget is not None else 0.0
        if budget is None or cost <= budget.left_us:
            if budget is not None:
                budget.left_us -= cost
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:
            token.children = _as_typed(token.content)
            token.meta[_UNFORMATTED] = "costly" if budget.final else "pending"


def _as_typed(content: str) -> list[Token]:
    """The tokens of ``content`` as plain text: the renderer escapes it, line breaks stay soft
    as Markdown's would."""
    tokens: list[Token] = []
    for number, line in enumerate(content.split("\n")):
        if number:
            tokens.append(Token("softbreak", "br", 0))
        tokens.append(Token("text", "", 0, content=line))
    return tokens


_PARSER.core.ruler.at("inline", _inline_within_budget)

# C0 and C1 controls except tab and newline, and lone surrogates (which cannot be encoded for Qt).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _clean(text: str) -> str:
    # The parser counts \r\n, \r and \n each as one line break; so does _line_start.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def _line_start(raw: str, line: int) -> int:
    """Offset in raw (uncleaned) text where the given 0-based line starts."""
    pos = 0
    for _ in range(line):
        found = _LINE_BREAK.search(raw, pos)
        if found is None:
            return len(raw)
        pos = found.end()
    return pos


def _render(
    text: str,
    line_offset: int,
    env: EnvType,
    theme: _Theme,
    highlight_open: bool = True,
    budget: _Budget | None = None,
) -> list[Block]:
    """Parse clean text into blocks; line numbers are shifted by line_offset.

    A table longer than MAX_TABLE_ROWS_PARSED rows is parsed that far (then shown as text,
    being too large to lay out), its other rows are left out of the view, and the text after
    it is rendered as usual."""
    budget = budget or _final_budget()
    blocks: list[Block] = []
    parsed = 0
    while True:
        table = _TABLE_RUN.search(text, 0, MAX_PARSE_CHARS) if "|" in text else None
        if table is None or table.end() >= len(text) or parsed > MAX_PARSE_CHARS:
            return blocks + _render_part(text, line_offset, env, theme, highlight_open, budget)
        head = text[: table.end()]
        skip = _TABLE_LINES.match(text, table.end())
        skip_to = skip.end() if skip is not None else table.end()
        blocks += _render_part(head, line_offset, env, theme, highlight_open, budget)
        start = line_offset + head.count("\n")
        skipped = text[table.end() : skip_to]
        if skipped:
            end = start + skipped.count("\n")
            blocks.append(Block("html", "", skipped, "", start, end, "long"))
        line_offset = start + skipped.count("\n")
        parsed += len(head)
        text = text[skip_to:]
        if not text.strip():
            return blocks


def _render_part(
    text: str,
    line_offset: int,
    env: EnvType,
    theme: _Theme,
    highlight_open: bool,
    budget: _Budget,
) -> list[Block]:
    rest = ""
    cut = _parse_cut(text)
    if cut is not None:
        text, rest = text[:cut], text[cut:]
    env[_BUDGET] = budget
    env[_QUOTE_DEPTH] = 0
    try:
        if _TOO_DEEP.search(text):
            raise RecursionError("nested deeper than markdown-it can go")
        tokens = _PARSER.parse(text, env)
    except RecursionError:
        # Hundreds of quotes or lists inside each other: past maxNesting markdown-it drops
        # the text, and deeper still Python's stack ends. Shown as typed instead.
        end = line_offset + text.count("\n") + 1
        return [
            Block("html", _as_text(text, theme, pre=False), text, "", line_offset, end, "costly")
        ]
    finally:
        del env[_BUDGET]
    lines = text.split("\n")
    renderer = _RENDERERS[theme]
    # A top-level block starts at each level-0 token that does not close something.
    bounds = [i for i, token in enumerate(tokens) if token.level == 0 and token.nesting != -1]
    bounds.append(len(tokens))
    blocks: list[Block] = []
    for first_index, next_index in itertools.pairwise(bounds):
        group = tokens[first_index:next_index]
        first = group[0]
        begin, end = first.map if first.map else (0, 0)  # every block-level token has a map
        if first.type in ("fence", "code_block"):
            code, language = _code_text(first), _language(first)
            highlight = highlight_open or _fence_closed(first, lines)
            shown = _beginning(code)
            markup = _code_html(shown, language if highlight and shown == code else "", theme)
            blocks.append(
                Block(
                    "code",
                    markup,
                    code,
                    language,
                    begin + line_offset,
                    end + line_offset,
                    "long" if shown != code else "",
                )
            )
            continue
        source = "\n".join(lines[begin:end])
        too_big = _too_big_to_lay_out(group, source)
        if too_big:
            blocks.append(
                Block(
                    "html",
                    _as_text(source, theme, pre=too_big == "table"),
                    source,
                    "",
                    begin + line_offset,
                    end + line_offset,
                    too_big,
                )
            )
        else:
            env[_FORMULAS] = []
            markup = _CONTROLS.sub("", renderer.render(group, _PARSER.options, env)).rstrip("\n")
            source = "\n".join(lines[begin:end])
            why = {token.meta.get(_UNFORMATTED, "") for token in group if token.type == "inline"}
            unformatted = "costly" if "costly" in why else "pending" if "pending" in why else ""
            alone = first.type in ("math_block", "amsmath") and len(group) == 1
            blocks.append(
                Block(
                    "math" if alone else "html",
                    markup,
                    source,
                    "",
                    begin + line_offset,
                    end + line_offset,
                    unformatted,
                    tuple(env.pop(_FORMULAS)),
                )
            )
    if rest:
        # Past what one parse is given: not shown at all (laying it out is what must not
        # happen), only the view's note that the rest is left out; Copy has all of it.
        start = line_offset + text.count("\n")
        blocks.append(
            Block(
                "html",
                "",
                rest,
                "",
                start,
                start + rest.count("\n") + 1,
                "long",
            )
        )
    return blocks


# ---- what Qt's layout can afford -----------------------------------------------------------

# Qt lays rich text out whole, and some of it costs far more than its size suggests, measured
# here: a paragraph ~2.5 µs a character (5 MB: 12 s), a table ~0.5 ms a cell (5,000 columns:
# 8 s; 50,000 rows: 148 s, after 3.6 s of parsing), and each level of nested quotes (drawn as
# nested tables) three times the one inside it (12 levels: 1.1 s; 20 would take hours). So a
# block is laid out only within these bounds; past them it is shown as text (a table), or only
# its beginning is (``source`` keeps all of it, for Copy), and the view says which.
MAX_BLOCK_CHARS = 120_000
MAX_BLOCK_LINES = 2_000
MAX_TABLE_CELLS = 800
MAX_TABLE_COLUMNS = 30
MAX_QUOTE_DEPTH = 4
# What one parse is given at most; the rest of a longer text is left out ("long").
MAX_PARSE_CHARS = 1_000_000
MAX_PARSE_LINES = 10_000
_QUOTE_DEPTH = "confab.quote_depth"  # env key: quotes open around the token being rendered
# A line that opens 32 containers (quotes, list items) or is indented 128 columns (lists
# nested line by line): deeper than that stays within maxNesting and Python's stack (600
# quotes ran out of it), whatever the mix.
_TOO_DEEP = re.compile(
    r"^(?:[ \t]{0,3}(?:>|[-*+][ \t]|\d{1,9}[.)][ \t])){32,}|^[ \t]{128,}\S", re.MULTILINE
)
# Table rows cost markdown-it ~70 µs each (10,000 lines of prose a few ms): a table is parsed
# as far as MAX_TABLE_ROWS_PARSED rows, already far more than can be laid out as a table.
MAX_TABLE_ROWS_PARSED = 1_000
_TABLE_RUN = re.compile(rf"(?:^[ \t]*\|[^\n]*\n){{{MAX_TABLE_ROWS_PARSED}}}", re.MULTILINE)
_TABLE_LINES = re.compile(r"(?:[ \t]*\|[^\n]*(?:\n|\Z))*")


def _too_long_to_parse_each_time(text: str) -> bool:
    return len(text) > MAX_BLOCK_CHARS or text.count("\n", 0, MAX_BLOCK_CHARS) >= MAX_BLOCK_LINES


def _parse_cut(text: str) -> int | None:
    """Where to stop parsing ``text`` (at a line end), or None to parse it all."""
    if len(text) <= MAX_PARSE_CHARS and text.count("\n", 0, MAX_PARSE_CHARS) < MAX_PARSE_LINES:
        return None
    cut = min(len(text), MAX_PARSE_CHARS)
    line_end = -1
    for _ in range(MAX_PARSE_LINES):
        line_end = text.find("\n", line_end + 1, cut)
        if line_end < 0:
            break
    else:
        cut = line_end
    if cut < len(text):
        newline = text.rfind("\n", 0, cut)
        cut = newline + 1 if newline > 0 else cut
    return cut if cut < len(text) else None


def _too_big_to_lay_out(group: Sequence[Token], source: str) -> str:
    """ "table", "long", or "" when Qt can lay the block out in good time."""
    cells = columns = row = 0
    for token in group:
        if token.type in ("th_open", "td_open"):
            cells += 1
            row += 1
            columns = max(columns, row)
        elif token.type == "tr_open":
            row = 0
    if cells > MAX_TABLE_CELLS or columns > MAX_TABLE_COLUMNS:
        return "table"
    if len(source) > MAX_BLOCK_CHARS or source.count("\n") >= MAX_BLOCK_LINES:
        return "long"
    return ""


def _beginning(text: str) -> str:
    """As much of ``text`` as one block may show, cut at a line end where there is one."""
    if len(text) <= MAX_BLOCK_CHARS and text.count("\n") < MAX_BLOCK_LINES:
        return text
    head = text[:MAX_BLOCK_CHARS]
    lines = head.split("\n")[:MAX_BLOCK_LINES]
    if len(lines) > 1 and len(head) == MAX_BLOCK_CHARS:
        lines = lines[:-1]  # the last one cut in the middle
    return "\n".join(lines)


def _as_text(source: str, theme: _Theme, *, pre: bool) -> str:
    """``source`` shown as typed (its beginning, when long): escaped, never formatted."""
    shown = _escape(_beginning(source))
    if pre:
        return f'<pre style="color: {theme.code_foreground}">{shown}</pre>'
    return "<p>" + shown.replace("\n", "<br>") + "</p>"


# ---- code ----------------------------------------------------------------------------------


def _fence_closed(token: Token, lines: list[str]) -> bool:
    """Whether an indented block or a fence has its closing fence (a streaming reply's last
    code block usually does not, yet)."""
    if token.type != "fence" or not token.map:
        return True
    last = lines[token.map[1] - 1].strip() if token.map[1] - 1 < len(lines) else ""
    return (
        token.map[1] - token.map[0] >= 2
        and last.startswith(token.markup)
        and (set(last) <= set(token.markup[0]))
    )


def _code_text(token: Token) -> str:
    # The parser keeps the line end of the last code line; the user copies the code without it.
    return token.content[:-1] if token.content.endswith("\n") else token.content


def _language(token: Token) -> str:
    words = unescapeAll(token.info).split() if token.type == "fence" else []
    return words[0] if words else ""


@lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    """A Pygments lexer for the fence's language, or None. Never guesses: guess_lexer is slow
    and often wrong on short snippets, and plain text is an honest fallback."""
    if not language or len(language) > 40:
        return None
    try:
        # stripnl=False: show leading and trailing blank lines the user will copy.
        return get_lexer_by_name(language.lower(), stripnl=False)
    except ClassNotFound:
        return None


# The opening fence of a code block at the top level and its language (CommonMark: up to three
# spaces, three or more backticks or tildes, the info string's first word).
_FENCE_LANGUAGE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*([^\s`]+)", re.MULTILINE)
# Lexers compiled by one warm_lexers call at most (each ~10-40 ms and a few hundred KB).
WARM_LEXERS = 8


def warm_lexers(texts: Iterable[str], limit: int = WARM_LEXERS) -> list[str]:
    """Ready the lexers of the code blocks in ``texts`` (Markdown), so that rendering them
    does not: a lexer compiles its regular expressions when first made (~30-80 ms on the UI
    thread for the first Python block of a session). Called in the loading thread for the
    messages an opened conversation shows first; returns the languages readied."""
    readied: list[str] = []
    for text in texts:
        if "``" not in text and "~~" not in text:
            continue
        for found in _FENCE_LANGUAGE.finditer(text):
            language = unescapeAll(found.group(1))
            if language in readied:
                continue
            if len(readied) == limit:
                return readied
            if _lexer(language) is not None:
                readied.append(language)
    return readied


@lru_cache(maxsize=2)
def _formatter(style: str) -> Any:
    # Inline styles, no wrapper: we write our own <pre>.
    return HtmlFormatter(style=style, noclasses=True, nowrap=True)


# While streaming, a finished code block is parsed again for an update or two until the block
# after it is settled; remembering the last few spares highlighting it again.
@lru_cache(maxsize=16)
def _code_html(code: str, language: str, theme: _Theme) -> str:
    lexer = _lexer(language)
    if lexer is None:
        body = _escape(code)
    else:
        body = str(highlight(code, lexer, _formatter(theme.code_style)))
        if body.endswith("\n") and not code.endswith("\n"):
            body = body[:-1]  # Pygments ends every text with a line break
    # Qt, like browsers, drops one line break right after <pre>: a code block that starts with an
    # empty line would lose it.
    lead = "\n" if code.startswith("\n") else ""
    return (
        f'<pre style="background-color: {theme.code_background}; '
        f'color: {theme.code_foreground}">{lead}{body}</pre>'
    )


# ---- HTML for Qt ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Theme:
    code_style: str  # a Pygments style whose colours suit code_background
    code_background: str
    code_foreground: str
    inline_code_background: str
    rule: str  # quote bar and table borders
    muted: str  # quoted text


_LIGHT = _Theme("default", "#f6f8fa", "#1f2328", "#eceff2", "#d0d7de", "#59636e")
_DARK = _Theme("github-dark", "#161b22", "#e6edf3", "#343a42", "#3d444d", "#9198a1")

# Qt's own heading sizes run from xx-large to x-small; in a chat column h1 is too big and h5/h6
# would be smaller than the text. Qt understands these CSS keywords.
_HEADING_SIZES = {
    "h1": "x-large",
    "h2": "large",
    "h3": "medium",
    "h4": "medium",
    "h5": "medium",
    "h6": "medium",
}

_LINK_SCHEMES = ("http://", "https://", "mailto:")
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _live_url(url: str) -> bool:
    return url.lower().startswith(_LINK_SCHEMES)


def _link_text(tokens: Sequence[Token], idx: int) -> str:
    """The text shown for the link that opens at ``idx``."""
    parts = []
    for token in tokens[idx + 1 :]:
        if token.type == "link_close":
            break
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
    return "".join(parts)


def _inside_link(tokens: Sequence[Token], idx: int) -> bool:
    # Links cannot nest in CommonMark, so the nearest link token before idx tells. (Indices,
    # not reversed(tokens[:idx]): a copy per image or link made a paragraph of links
    # quadratic, 1.8 s for 16,000 links.)
    for i in range(idx - 1, -1, -1):
        if tokens[i].type == "link_close":
            return False
        if tokens[i].type == "link_open":
            return True
    return False


class UntrustedRenderer(RendererHTML):
    """markdown-it's HTML renderer for untrusted input: raw HTML is shown as text, and an
    image is never loaded (a link to it when its address is http(s), else its alt text).
    The base of the view's renderer and of the export's (desktop/core/export/page.py).

    Method names are token types: RendererHTML dispatches on them.
    """

    # Added to the links made for images (the export's page: rel="noopener noreferrer").
    link_attributes = ""

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        # Never <img>: Qt would load local files and a remote image would report the read.
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children, options, env)
        if _live_url(src) and not _inside_link(tokens, idx):
            return f'<a href="{_escape(src)}"{self.link_attributes}>{_escape(alt or src)}</a>'
        return _escape(alt)

    # Raw HTML is disabled in the parser; should a token still appear, it is shown, not obeyed.
    def html_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _escape(tokens[idx].content)

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _escape(tokens[idx].content)

    # LaTeX (see "math"): here its source, as code; the view's and the page's renderers draw it.
    def math_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self.formula(_formula(tokens[idx], False), False, env)

    def math_inline_double(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self.formula(_formula(tokens[idx], True), False, env)

    def math_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self.formula(_formula(tokens[idx], True), True, env) + "\n"

    def amsmath(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self.formula(_formula(tokens[idx], True), True, env) + "\n"

    def formula(self, formula: Formula, block: bool, env: EnvType) -> str:
        """A formula's HTML: ``block``, a display formula on its own (else within text)."""
        if block:
            return f"<pre><code>{_escape(formula.source)}</code></pre>"
        return f"<code>{_escape(formula.source)}</code>"


class _QtRenderer(UntrustedRenderer):
    """The renderer for the view, adjusted to what Qt draws."""

    def __init__(self, theme: _Theme) -> None:
        super().__init__()
        self._theme = theme

    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        tag = tokens[idx].tag
        return f'<{tag} style="font-size: {_HEADING_SIZES.get(tag, "medium")}">'

    def code_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return (
            f'<code style="background-color: {self._theme.inline_code_background}">'
            f"{_escape(tokens[idx].content)}</code>"
        )

    def formula(self, formula: Formula, block: bool, env: EnvType) -> str:
        # Its source as code, between markers that math_html replaces with the view's image.
        found: list[Formula] = env.setdefault(_FORMULAS, [])
        found.append(formula)
        kind, index = "b" if block else "i", len(found) - 1
        # Inside the element: Qt drops the white space after a comment that ends one.
        shown = f"<!--f{kind}{index}-->{_escape(formula.source)}<!--/f-->"
        if block:
            return f'<pre style="color: {self._theme.code_foreground}">{shown}</pre>'
        return (
            f'<code style="background-color: {self._theme.inline_code_background}">{shown}</code>'
        )

    # Top-level code blocks become Blocks of their own; these render code nested in lists/quotes.
    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return _code_html(_code_text(token), _language(token), self._theme) + "\n"

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _code_html(_code_text(tokens[idx]), "", self._theme) + "\n"

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        href = str(tokens[idx].attrGet("href") or "")
        if not _live_url(href):
            return ""
        if misleading(_link_text(tokens, idx), href):
            # Its text reads as another address (or hides letters): the window shows where
            # it really goes and asks before opening it (desktop/core/links.py).
            href = CHECK_SCHEME + href
        # No title attribute: Qt shows none, and it is one less place for a quote to escape.
        return f'<a href="{_escape(href)}">'

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        for i in range(idx - 1, -1, -1):  # see _inside_link
            if tokens[i].type == "link_open":
                return "</a>" if _live_url(str(tokens[i].attrGet("href") or "")) else ""
        return ""

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return (
            '<table border="1" cellspacing="0" cellpadding="4" '
            f'style="border-collapse: collapse; border-color: {self._theme.rule}">\n'
        )

    def th_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self._cell("th", tokens[idx])

    def td_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self._cell("td", tokens[idx])

    def _cell(self, tag: str, token: Token) -> str:
        # markdown-it writes style="text-align:…"; Qt honours the HTML 4 align attribute on cells.
        found = _ALIGN.search(str(token.attrGet("style") or ""))
        align = f' align="{found.group(1)}"' if found else ""
        # With border-collapse Qt draws only the table's outline unless each cell has a border.
        return f'<{tag}{align} style="border: 1px solid {self._theme.rule}">'

    def blockquote_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        depth = env[_QUOTE_DEPTH] = env.get(_QUOTE_DEPTH, 0) + 1
        if depth > MAX_QUOTE_DEPTH:
            # Deeper quotes are not nested again (each level triples Qt's layout time): a
            # "›" per level, before the text of the deepest, tells how deep it is.
            if idx + 1 < len(tokens) and tokens[idx + 1].type == "blockquote_open":
                return ""
            marks = "›" * (depth - MAX_QUOTE_DEPTH)
            return f'<p style="color: {self._theme.muted}">{marks}</p>'
        # Qt ignores border-left; a thin coloured cell draws the bar instead.
        return (
            '<table cellspacing="0" cellpadding="0"><tr>'
            f'<td width="3" bgcolor="{self._theme.rule}"></td>'
            f'<td style="padding-left: 10px; color: {self._theme.muted}">\n'
        )

    def blockquote_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        depth = env.get(_QUOTE_DEPTH, 1)
        env[_QUOTE_DEPTH] = depth - 1
        return "" if depth > MAX_QUOTE_DEPTH else "</td></tr></table>\n"


_RENDERERS = {_LIGHT: _QtRenderer(_LIGHT), _DARK: _QtRenderer(_DARK)}
