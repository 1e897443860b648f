"""A conversation as HTML: ``conversation_page``, one self-contained page for a browser that
looks like Confab's view (its colours, light and dark by ``prefers-color-scheme``), and
``print_html``, the rich text Qt prints a PDF from (desktop/controllers/pdf.py).

The Markdown is parsed as the view parses it (desktop/core/markdown.py ``parse_finished``:
raw HTML off, so markup in a message stays text; the same budget), code is highlighted by
the same Pygments lexers, and only http(s) and mailto links are made (a link whose text
reads as another address shows where it really goes). LaTeX formulas are inline SVG drawn by
the view's renderer (desktop/core/formulas.py), in the page's text colour. Images are never
loaded: the page works offline and tells no server it was read. The page holds no script, and
its Content-Security-Policy lets it load nothing but its own inline styles.

The printed page (``print_html``: a ``PrintPage``) names its pictures by ``<img src>``, each a
``PrintImage`` the printer (desktop/controllers/pdf.py) turns into a QImage: an attached image
(the file as the store prepares it to send, at most 2048 pixels long, scaled to the page's
width) and each formula (its SVG, drawn here: the export runs in a thread of its own).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

# Pygments ships no type information (Any, as in desktop/core/markdown.py).
from pygments import highlight
from pygments.formatters import HtmlFormatter

from desktop.core.export.common import (
    Entry,
    Style,
    attachment_label,
    body_markdown,
    entries,
    model_line,
)
from desktop.core.formulas import REFERENCE_PX, Formula, draw
from desktop.core.links import CHECK_SCHEME, misleading, shown_address
from desktop.core.markdown import (
    Block,
    UntrustedRenderer,
    is_live_url,
    lexer_for,
    link_text,
    math_html,
    parse_finished,
    render_markdown,
)
from desktop.core.models import Attachment, Conversation


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


# ---- the browser page ---------------------------------------------------------------------

# desktop/ui/theme.py and resources/styles/confab*.qss: the view's colours.
_CSS = """
:root { color-scheme: light dark; --bg: #ffffff; --text: #1b1f24; --muted: #5b6270;
  --faint: #6b7280; --user-bg: #eef3fd; --user-border: #dbe5fa; --reply-bg: #ffffff;
  --reply-border: #eceef1; --rule: #d0d7de; --bar: #e3e5e8; --code-bg: #f6f8fa;
  --code-text: #1f2328; --inline-code: #eceff2; --link: #2f6fe4; --error: #b42318; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #1e1f22; --text: #e6e7ea; --muted: #a0a6b0; --faint: #9aa0aa;
    --user-bg: #232a38; --user-border: #2f3b52; --reply-bg: #1e1f22; --reply-border: #2a2c30;
    --rule: #3d444d; --bar: #2e3035; --code-bg: #161b22; --code-text: #e6edf3;
    --inline-code: #343a42; --link: #7aa2f7; --error: #f97066; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); line-height: 1.5;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Helvetica Neue", Arial,
  "PingFang SC", "Hiragino Sans", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 24px 16px 48px; }
h1.title { font-size: 1.5em; margin: 0 0 4px; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: 0.85em; margin: 0 0 20px; }
.message { border-radius: 10px; padding: 10px 14px; margin: 0 0 12px;
  overflow-wrap: anywhere; }
.message.user { background: var(--user-bg); border: 1px solid var(--user-border); }
.message.assistant, .message.system, .message.other {
  background: var(--reply-bg); border: 1px solid var(--reply-border); }
.message > header { color: var(--muted); font-size: 0.8em; font-weight: 600;
  display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 2px; }
.message > header time, .message > header .version { font-weight: 400; }
.body > :first-child { margin-top: 4px; } .body > :last-child { margin-bottom: 4px; }
details { margin: 6px 0; }
summary { color: var(--faint); font-size: 0.85em; cursor: pointer; }
details > .body { color: var(--faint); border-left: 3px solid var(--bar);
  padding-left: 8px; margin-top: 4px; }
details.system { margin: 0 0 16px; }
.status { color: var(--faint); font-size: 0.85em; font-style: italic; margin: 4px 0; }
.status.error { color: var(--error); font-style: normal; }
a { color: var(--link); } .real { color: var(--faint); font-size: 0.85em; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Noto Sans Mono",
  "DejaVu Sans Mono", monospace; font-size: 0.92em; }
:not(pre) > code { background: var(--inline-code); border-radius: 4px; padding: 1px 4px; }
.code { margin: 8px 0; border-radius: 8px; background: var(--code-bg); overflow: hidden; }
.code .lang { color: var(--faint); font-size: 0.75em; padding: 4px 10px 0; }
.code pre { margin: 0; padding: 8px 10px 10px; overflow-x: auto; color: var(--code-text);
  background: transparent; line-height: 1.45; }
blockquote { margin: 8px 0; padding-left: 10px; border-left: 3px solid var(--rule);
  color: var(--faint); }
table { border-collapse: collapse; margin: 8px 0; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; }
hr { border: none; border-top: 1px solid var(--rule); }
.math svg { fill: currentColor; }
.math.display { text-align: center; overflow-x: auto; margin: 8px 0; }
footer { color: var(--faint); font-size: 0.8em; text-align: center; margin-top: 32px; }
@media print { .message { break-inside: avoid-page; } details > .body { display: block; } }
"""

# No script, nothing loaded from anywhere: only the page's own inline styles.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@lru_cache(maxsize=1)
def _page_css() -> str:
    light = HtmlFormatter(style="default").get_style_defs(".code pre")
    dark = HtmlFormatter(style="github-dark").get_style_defs(".code pre")
    # The view's own code background, not the styles' (their rule for the block itself).
    keep = [line for line in light.splitlines() if not line.startswith(".code pre {")]
    keep_dark = [line for line in dark.splitlines() if not line.startswith(".code pre {")]
    return (
        _CSS
        + "\n".join(keep)
        + "\n@media (prefers-color-scheme: dark) {\n"
        + "\n".join(keep_dark)
        + "\n}\n"
    )


def _language(token: Token) -> str:
    words = unescapeAll(token.info).split() if token.type == "fence" else []
    return words[0] if words else ""


@lru_cache(maxsize=1)
def _formatter() -> Any:
    return HtmlFormatter(nowrap=True)


def _code(code: str, language: str, label: str) -> str:
    lexer = lexer_for(language)
    body = _escape(code) if lexer is None else str(highlight(code, lexer, _formatter()))
    head = f'<div class="lang">{_escape(language or label)}</div>'
    return f'<div class="code">{head}<pre><code>{body}</code></pre></div>\n'


def _code_text(token: Token) -> str:
    return token.content[:-1] if token.content.endswith("\n") else token.content


def _open_link(tokens: Sequence[Token], idx: int) -> Token | None:
    """The link_open of the link that closes at ``idx`` (links cannot nest)."""
    for i in range(idx - 1, -1, -1):
        if tokens[i].type == "link_open":
            return tokens[i]
    return None


class _PageRenderer(UntrustedRenderer):
    """The renderer for untrusted text shown in a browser (images and raw HTML: as the
    view's). Method names are token types: RendererHTML dispatches on them."""

    link_attributes = ' rel="noopener noreferrer"'

    def __init__(self, code_label: str) -> None:
        super().__init__()
        self._code_label = code_label

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return _code(_code_text(token), _language(token), self._code_label)

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _code(_code_text(tokens[idx]), "", self._code_label)

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        href = str(tokens[idx].attrGet("href") or "")
        if not is_live_url(href):
            return ""
        return f'<a href="{_escape(href)}" rel="noopener noreferrer">'

    def formula(self, formula: Formula, block: bool, env: EnvType) -> str:
        # Inline SVG from the view's renderer, in the page's text colour; its source as the
        # title. A formula that does not parse: its source, as code (UntrustedRenderer's).
        svg = _formula_svg(formula.latex, formula.display)
        if svg is None:
            return super().formula(formula, block, env)
        title = _escape(formula.source)
        if block:
            return f'<div class="math display" title="{title}">{svg}</div>\n'
        return f'<span class="math" title="{title}">{svg}</span>'

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        opened = _open_link(tokens, idx)
        href = str(opened.attrGet("href") or "") if opened is not None else ""
        if not is_live_url(href):
            return ""
        start = tokens.index(opened) if opened is not None else idx
        if misleading(link_text(tokens, start), href):
            # Its text reads as another address: say where it really goes.
            return f'</a> <span class="real">({_escape(shown_address(href))})</span>'
        return "</a>"


# What a formula's SVG may hold: ziamath's paths and shapes, nothing that loads or runs.
_SVG_UNSAFE = re.compile(r"<(?:script|a|image|foreignObject|use|style)\b|\bon\w+=|href", re.I)
_SVG_SIZE = re.compile(r'^<svg ([^>]*?)width="[^"]*" height="[^"]*"')


@lru_cache(maxsize=512)
def _formula_svg(latex: str, display: bool) -> str | None:
    """The formula as inline SVG sized in ems of the page's text, on its baseline."""
    drawing = draw(latex, display)
    if drawing is None or _SVG_UNSAFE.search(drawing.svg):
        return None
    em = REFERENCE_PX / 1.21  # the view's scale (desktop/ui/formula_images.py EM_SCALE)
    size = (
        f'width="{drawing.width / em:.3f}em" height="{drawing.height / em:.3f}em" '
        f'style="vertical-align: {-drawing.depth / em:.3f}em" role="img" aria-hidden="true"'
    )
    svg, found = _SVG_SIZE.subn(lambda match: f"<svg {match[1]}{size}", drawing.svg, count=1)
    return svg if found else None


_RENDERERS: dict[str, _PageRenderer] = {}
# What the renderer reads of the parser's options (desktop/core/markdown.py parses).
_OPTIONS = MarkdownIt("commonmark", {"html": False}).options


def markdown_html(text: str, code_label: str = "code") -> str:
    """Markdown as HTML for a browser (see the module's docstring)."""
    tokens = parse_finished(text)
    if tokens is None:  # nested deeper than markdown-it can go: as typed
        return f"<pre>{_escape(text)}</pre>"
    renderer = _RENDERERS.get(code_label)
    if renderer is None:
        renderer = _RENDERERS[code_label] = _PageRenderer(code_label)
    return str(renderer.render(tokens, _OPTIONS, {}))


def _meta(conversation: Conversation, style: Style) -> list[str]:
    """The line under the title: model (provider), when it began."""
    model = model_line(conversation, style)
    return [part for part in (model, style.time(conversation.created_at)) if part]


def _role_class(role: str) -> str:
    return role if role in ("user", "assistant", "system") else "other"


# An image as a data: URL to embed in the page, or None (not at hand: named only).
ImageSource = Callable[[Attachment], str | None]


def _attachments_html(attachments: tuple[Attachment, ...], image: ImageSource) -> str:
    items: list[str] = []
    for attachment in attachments:
        label = _escape(attachment_label(attachment))
        source = image(attachment) if attachment.kind == "image" else None
        if source is not None:
            items.append(
                f'<figure><img src="{_escape(source)}" alt="{_escape(attachment.name)}"'
                f' style="max-width: 100%; height: auto"><figcaption>{label}</figcaption>'
                "</figure>"
            )
        else:
            items.append(f'<p class="attachment">📎 {label}</p>')
    return f'<div class="attachments">{"".join(items)}</div>'


def _message_html(entry: Entry, style: Style, image: ImageSource | None = None) -> str:
    message = entry.message
    labels = style.labels
    header = [f'<span class="who">{_escape(entry.who)}</span>']
    header.append(
        f'<time datetime="{_escape(message.created_at.isoformat())}">{_escape(entry.when)}</time>'
    )
    if entry.version:
        header.append(f'<span class="version">{_escape(entry.version)}</span>')
    parts = [
        f'<article class="message {_role_class(message.role)}">',
        f"<header>{''.join(header)}</header>",
    ]
    if message.reasoning:
        parts.append(
            f'<details class="thinking"><summary>{_escape(labels.thinking)}</summary>'
            f'<div class="body">{markdown_html(message.reasoning, labels.code)}</div></details>'
        )
    body = body_markdown(message, labels)
    if body:
        parts.append(f'<div class="body">{markdown_html(body, labels.code)}</div>')
    if message.attachments:
        parts.append(_attachments_html(message.attachments, image or (lambda _a: None)))
    if entry.note:
        error = message.error is not None and message.error.kind not in ("stopped", "interrupted")
        parts.append(f'<p class="status{" error" if error else ""}">{_escape(entry.note)}</p>')
    parts.append("</article>")
    return "\n".join(parts)


def conversation_page(
    conversation: Conversation,
    style: Style,
    exported: str,
    generator: str = "Confab",
    image: ImageSource | None = None,
) -> str:
    """One self-contained HTML page of ``conversation`` (the thread on screen); its images
    embedded as data: URLs (``image``; None: named only)."""
    labels = style.labels
    title = style.title(conversation)
    meta = _meta(conversation, style)
    if conversation.tags:
        meta.append(", ".join(conversation.tags))
    body = [
        f'<h1 class="title">{_escape(title)}</h1>',
        f'<p class="meta">{_escape(" · ".join(meta))}</p>',
    ]
    if conversation.system_prompt.strip():
        body.append(
            f'<details class="system"><summary>{_escape(labels.system_prompt)}</summary>'
            f'<div class="body">{markdown_html(conversation.system_prompt, labels.code)}</div>'
            "</details>"
        )
    body += [_message_html(entry, style, image) for entry in entries(conversation, style)]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_escape(style.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        f'<meta name="generator" content="{_escape(generator)}">\n'
        f"<title>{_escape(title)}</title>\n<style>{_page_css()}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n</main>\n<footer>{_escape(labels.exported.format(date=exported))}</footer>\n"
        "</body>\n</html>\n"
    )


# ---- the rich text a PDF is printed from ---------------------------------------------------

# Qt's rich text knows HTML 4 and a little CSS: no variables, no radius, no flex. The view's
# own Qt rendering (desktop/core/markdown.py) gives each message's blocks; a table per
# message draws its bubble. Printed in the light colours.
_PRINT_BUBBLE = {
    "user": ("#eef3fd", "#dbe5fa"),
    "other": ("#ffffff", "#eceef1"),
}


# A link the view asks about before opening (its text reads as another address).
_CHECKED_LINK = re.compile(f'<a href="{re.escape(CHECK_SCHEME)}([^"]*)">(.*?)</a>', re.DOTALL)


def _real_address(found: re.Match[str]) -> str:
    href = html.unescape(found[1])
    return (
        f'<a href="{_escape(href)}">{found[2]}</a> '
        f'<span style="color: #6b7280">({_escape(shown_address(href))})</span>'
    )


# The printed text's size (desktop/controllers/pdf.py BODY_POINTS, at 96 dpi) and colour.
PRINT_TEXT_PX = 10 * 96 / 72
PRINT_COLOUR = "#1b1f24"
# The width a picture may take in a message's cell: A4 less pdf.py's margins (15 mm each
# side), the cell's padding and border, in the page's pixels (96 dpi).
PRINT_WIDTH_PX = 640
# A formula's em against the text's (desktop/ui/formula_images.py EM_SCALE).
_EM_SCALE = 1.21


@dataclass(frozen=True)
class PrintImage:
    """A picture of the printed page, printed at ``width`` × ``height`` page pixels: ``data``,
    an image file's bytes (PNG, JPEG), or ``svg``, a formula's drawing (its user units are
    pixels at REFERENCE_PX, painted in ``colour``)."""

    width: float
    height: float
    data: bytes = b""
    svg: str = ""
    colour: str = PRINT_COLOUR


@dataclass
class PrintPage:
    """The rich text QTextDocument prints, and the pictures its ``<img src>`` name."""

    html: str
    images: dict[str, PrintImage] = field(default_factory=dict)

    def add(self, image: PrintImage) -> str:
        name = f"confab-print:{len(self.images)}"
        self.images[name] = image
        return name


# An image to print (its bytes, as the store prepares it), or None (named only).
PrintSource = Callable[[Attachment], bytes | None]


def _print_formula(page: PrintPage, latex: str, display: bool) -> str | None:
    drawing = draw(latex, display)
    if drawing is None:
        return None  # its source stays, as code
    scale = PRINT_TEXT_PX * _EM_SCALE / REFERENCE_PX
    width, height = drawing.width * scale, drawing.height * scale
    if width > PRINT_WIDTH_PX:  # a long display formula: shrunk to the page
        width, height = PRINT_WIDTH_PX, height * PRINT_WIDTH_PX / width
    name = page.add(PrintImage(width, height, svg=drawing.svg))
    return (
        f'<img src="{name}" width="{width:.1f}" height="{height:.1f}" '
        'style="vertical-align: middle">'
    )


def _printed_block(page: PrintPage, block: Block) -> str:
    text = _CHECKED_LINK.sub(_real_address, block.html)
    if not block.formulas:
        return text
    images = [_print_formula(page, f.latex, f.display) for f in block.formulas]
    return math_html(replace(block, html=text), images)


def _print_blocks(text: str, page: PrintPage | None = None) -> str:
    page = page if page is not None else PrintPage("")
    parts = []
    for block in render_markdown(text):
        if block.unformatted == "long" and block.kind == "html":
            # Shown in part in the window; a printed page has room for all of it.
            parts.append("<p>" + _escape(block.source).replace("\n", "<br>") + "</p>")
        else:
            parts.append(_printed_block(page, block))
    return "\n".join(parts)


def _print_attachment(page: PrintPage, attachment: Attachment, image: PrintSource) -> str:
    label = f"<p>📎 {_escape(attachment_label(attachment))}</p>"
    data = image(attachment) if attachment.kind == "image" else None
    if not data or not attachment.width or not attachment.height:
        return label
    width = min(attachment.width, PRINT_WIDTH_PX)
    height = attachment.height * width / attachment.width
    name = page.add(PrintImage(width, height, data=data))
    return f'<p><img src="{name}" width="{width:.1f}" height="{height:.1f}"></p>' + label


def print_html(
    conversation: Conversation,
    style: Style,
    exported: str,
    image: PrintSource | None = None,
) -> PrintPage:
    """``conversation`` as the rich text QTextDocument prints, with its pictures (see the
    module's docstring); ``image``: an attached image's bytes (None: images named only).
    Blocking (formulas are drawn): run off the UI thread."""
    page = PrintPage("")
    source: PrintSource = image or (lambda _a: None)
    labels = style.labels
    title = style.title(conversation)
    meta = _meta(conversation, style)
    out = [
        '<html><head><meta charset="utf-8"><title>' + _escape(title) + "</title></head>",
        '<body style="color: #1b1f24">',
        f'<h1 style="font-size: x-large">{_escape(title)}</h1>',
        f'<p style="color: #5b6270">{_escape(" · ".join(meta))}</p>',
    ]
    if conversation.system_prompt.strip():
        out.append(_print_aside(labels.system_prompt, conversation.system_prompt, page))
    for entry in entries(conversation, style):
        message = entry.message
        background, border = _PRINT_BUBBLE["user" if message.role == "user" else "other"]
        head = " · ".join(part for part in (entry.who, entry.when, entry.version) if part)
        cell = [f'<p style="color: #5b6270; font-size: 9pt; font-weight: 600">{_escape(head)}</p>']
        if message.reasoning:
            cell.append(_print_aside(labels.thinking, message.reasoning, page))
        body = body_markdown(message, labels)
        if body:
            cell.append(_print_blocks(body, page))
        for attachment in message.attachments:
            cell.append(_print_attachment(page, attachment, source))
        if entry.note:
            cell.append(f'<p style="color: #6b7280; font-style: italic">{_escape(entry.note)}</p>')
        out.append(
            f'<table width="100%" cellspacing="0" cellpadding="10" border="1" '
            f'style="border-collapse: collapse; border-color: {border}; border-style: solid">'
            f'<tr><td bgcolor="{background}" style="border: 1px solid {border}">'
            + "\n".join(cell)
            + "</td></tr></table><p></p>"
        )
    footer = _escape(labels.exported.format(date=exported))
    out.append(f'<p align="center" style="color: #6b7280; font-size: 8pt">{footer}</p>')
    out.append("</body></html>")
    page.html = "\n".join(out)
    return page


def _print_aside(summary: str, text: str, page: PrintPage) -> str:
    """Reasoning or a system prompt: its name, then the text beside a thin bar (printed
    open: paper has no toggles)."""
    return (
        f'<p style="color: #6b7280; font-size: 9pt; font-weight: 600">{_escape(summary)}</p>'
        '<table cellspacing="0" cellpadding="0"><tr><td width="3" bgcolor="#e3e5e8"></td>'
        '<td style="padding-left: 8px; color: #6b7280">'
        f"{_print_blocks(text, page)}</td></tr></table>"
    )
