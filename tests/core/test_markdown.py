"""Markdown rendering: hostile input stays inert, what Qt needs comes out, streaming matches."""

from __future__ import annotations

import html
import random
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import markdown
from desktop.core.markdown import Block, StreamingRenderer, render_markdown

# ---- helpers -------------------------------------------------------------------------------

ALLOWED_TAGS = {
    *("p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "pre", "code", "span", "a"),
    *("strong", "em", "s", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {
    *("href", "style", "align", "start", "border", "cellspacing", "cellpadding", "width"),
    "bgcolor",
}
LIVE_SCHEMES = ("http://", "https://", "mailto:")
# Inline styles are simple declarations: no url(), expression() or quotes.
STYLE = re.compile(r"[a-z-]+:\s*[#\w .%-]+(;\s*[a-z-]+:\s*[#\w .%-]+)*;?")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def tags_of(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser.tags


def assert_inert(markup: str) -> None:
    """Only the tags and attributes we emit, only live links we allow, no control characters."""
    assert not CONTROLS.search(markup), repr(markup)
    for tag, attrs in tags_of(markup):
        assert tag in ALLOWED_TAGS, (tag, markup)
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES, (tag, name, markup)
            assert value is not None
            if name == "href":
                assert value.lower().startswith(LIVE_SCHEMES), markup
            if name == "style":
                assert STYLE.fullmatch(value), value


def html_of(text: str) -> str:
    blocks = render_markdown(text)
    for block in blocks:
        assert_inert(block.html)
    return "\n".join(block.html for block in blocks)


def hrefs(markup: str) -> list[str]:
    return [value or "" for tag, attrs in tags_of(markup) if tag == "a" for _, value in attrs]


def key(blocks: list[Block]) -> list[tuple[str, str, str, str, int, int, str]]:
    return [
        (b.kind, b.source, b.html, b.language, b.start_line, b.end_line, b.unformatted)
        for b in blocks
    ]


def stream(text: str, steps: list[int], *, dark: bool = False) -> list[Block]:
    """Feed text in the given step sizes (cycled); check the stable contract on every update."""
    renderer = StreamingRenderer(dark=dark)
    previous: list[Block] = []
    position, step = 0, 0
    blocks: list[Block] = []
    while position < len(text):
        position = min(len(text), position + steps[step % len(steps)])
        step += 1
        stable, blocks = renderer.update(text[:position])
        assert 0 <= stable <= min(len(blocks), len(previous))
        assert all(blocks[i] is previous[i] for i in range(stable))
        previous = blocks
    return blocks


# ---- hostile input is inert ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hello <script>alert(1)</script> world",
        '<img src=x onerror="alert(1)">',
        "Look: <img src=x onerror=alert(1)> here",
        '<iframe src="https://evil.example"></iframe>',
        "<a href='javascript:alert(1)'>x</a>",
        "<style>p { color: red }</style>",
        '<div style="background: url(javascript:alert(1))">x</div>',
    ],
)
def test_raw_html_is_shown_as_text(text: str) -> None:
    markup = html_of(text)
    assert [tag for tag, _ in tags_of(markup)] == ["p"]
    assert "&lt;" in markup


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "data:image/png;base64,iVBORw0KGgo=",
        "page.html",
        "/etc/passwd",
        "#anchor",
        "ftp://example.org/file",
        "confab-internal://open",
        "tel:+123",
    ],
)
def test_links_to_other_schemes_are_plain_text(url: str) -> None:
    for text in (f"[click me]({url})", f"<{url}>", f"[click me][r]\n\n[r]: <{url}>"):
        markup = html_of(text)
        assert hrefs(markup) == [], text
        assert "click me" in markup or text.startswith("<")


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[site](https://example.org/a?b=1&c=2)", "https://example.org/a?b=1&c=2"),
        ("[site](http://example.org)", "http://example.org"),
        ("[mail](mailto:someone@example.org)", "mailto:someone@example.org"),
        ("<https://example.org/x>", "https://example.org/x"),
        ("<someone@example.org>", "mailto:someone@example.org"),
        ("[ref][r]\n\n[r]: https://example.org/ref", "https://example.org/ref"),
        ("[caps](HTTPS://example.org)", "HTTPS://example.org"),
    ],
)
def test_web_and_mail_links_are_live(text: str, href: str) -> None:
    assert hrefs(html_of(text)) == [href]


@pytest.mark.parametrize(
    "text",
    [
        '[x](https://e.org/"onmouseover="alert(1))',
        "[x](https://e.org/'onmouseover='alert(1))",
        '[x](https://e.org "title" onclick="alert(1)")',
        '[x](https://e.org "a&quot; onclick=&quot;alert(1)")',
        '[x](<https://e.org/" onclick="alert(1)>)',
        '![x" onerror="alert(1)](https://e.org/i.png "t\\" onerror=\\"alert(1)")',
        '<https://e.org/"onclick="alert(1)>',
    ],
)
def test_quotes_in_urls_and_titles_cannot_add_attributes(text: str) -> None:
    markup = html_of(text)  # assert_inert: no attribute other than those we write
    for tag, attrs in tags_of(markup):
        if tag == "a":
            assert [name for name, _ in attrs] == ["href"]
            assert '"' not in (attrs[0][1] or "")


def test_images_are_never_loaded() -> None:
    markup = html_of("![a cat](https://example.org/cat.png) ![local](file:///etc/passwd)")
    assert "<img" not in markup
    assert hrefs(markup) == ["https://example.org/cat.png"]
    assert ">a cat</a>" in markup


def test_image_without_alt_shows_its_url_and_relative_image_its_alt() -> None:
    assert ">https://example.org/i.png</a>" in html_of("![](https://example.org/i.png)")
    markup = html_of("![diagram](images/d.png)")
    assert hrefs(markup) == [] and "diagram" in markup


def test_image_inside_a_link_does_not_nest_anchors() -> None:
    markup = html_of("[![badge](https://e.org/b.svg)](https://e.org/page)")
    assert hrefs(markup) == ["https://e.org/page"]
    assert "badge" in markup


def test_control_characters_never_reach_html_or_source() -> None:
    # \r is a line break (see below); every other control character goes.
    controls = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r")
    text = f"a{controls}b\n\n`x{controls}y`\n\n```\nc{controls}d\n```\n\n# h\ud800i"
    blocks = render_markdown(text)
    for block in blocks:
        assert not CONTROLS.search(block.html), repr(block.html)
        assert not CONTROLS.search(block.source), repr(block.source)
    assert [b.source for b in blocks] == ["ab", "`xy`", "cd", "# hi"]


def test_character_references_to_control_characters_are_dropped() -> None:
    markup = html_of("a&#13;b&#12;c&#x0D;d &#0; &#127;")
    assert "abcd" in markup


def test_crlf_and_cr_line_ends_count_as_one_line() -> None:
    blocks = render_markdown("a\r\nb\r\n\r\nc\rd\r\re")
    assert [(b.source, b.start_line, b.end_line) for b in blocks] == [
        ("a\nb", 0, 2),
        ("c\nd", 3, 5),
        ("e", 6, 7),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "unformatted"),
    [
        ("x" * 100_000, "html", ""),
        ("`" + "x" * 100_000 + "`", "html", ""),
        ("```python\n" + "x" * 100_000 + "\n```", "code", ""),
        ("https://" + "x" * 100_000, "html", ""),
        ("[x" * 50_000, "html", "costly"),
    ],
    ids=["word", "inline-code", "code-block", "url", "brackets"],
)
def test_a_huge_line_renders_whole(text: str, kind: str, unformatted: str) -> None:
    # How long these take is a benchmark figure (tests/benchmarks/markdown_costs.py).
    blocks = render_markdown(text)
    assert [(b.kind, b.unformatted) for b in blocks] == [(kind, unformatted)]
    assert blocks[0].html.count("x") == text.count("x")
    assert_inert(blocks[0].html)


# ---- what markdown-it can afford -----------------------------------------------------------

# Each costs markdown-it-py 0.5-3 s to parse (about 1,000 times more than as many letters).
SLOW_FOR_MARKDOWN_IT = {
    "unclosed-brackets": "[x" * 50_000,
    "unclosed-images": "![x" * 50_000,
    "emphasis-openers": "*a" * 50_000,
    "underscores": "_a" * 50_000,
    "links": "[a](https://e.org) " * 30_000,
    "autolinks": "<a@b.c> " * 60_000,
}


@pytest.mark.parametrize("text", SLOW_FOR_MARKDOWN_IT.values(), ids=SLOW_FOR_MARKDOWN_IT.keys())
def test_text_markdown_it_is_slow_on_is_shown_as_typed(text: str, inline_parses: list[int]) -> None:
    [block] = render_markdown(text)
    assert inline_parses == []  # never handed to the parser that would take seconds
    assert block.source == text
    assert "<a " not in block.html and "<em>" not in block.html and "<strong>" not in block.html
    if len(text) <= markdown.MAX_BLOCK_CHARS:
        assert block.unformatted == "costly"
        assert html.unescape(block.html) == f"<p>{text.strip()}</p>"
    else:  # too long for Qt to lay out at all: its beginning, as typed
        assert block.unformatted == "long"
        shown = html.unescape(block.html)
        assert shown.startswith("<p>") and text.startswith(shown[3:-4])
        assert len(shown) - 7 == markdown.MAX_BLOCK_CHARS
    assert_inert(block.html)


def test_line_breaks_of_text_shown_as_typed_stay_soft() -> None:
    text = "[x" * 5_000 + "\n" + "[y" * 5_000
    [block] = render_markdown(text)
    assert block.unformatted == "costly"
    assert html.unescape(block.html) == f"<p>{text}</p>"


def test_a_costly_paragraph_leaves_the_others_formatted() -> None:
    text = "Intro **bold**.\n\n" + "[x" * 50_000 + "\n\n- item *em*\n\n| a |\n|---|\n| `c` |\n"
    blocks = render_markdown(text)
    assert [b.unformatted for b in blocks] == ["", "costly", "", ""]
    assert "<strong>bold</strong>" in blocks[0].html
    assert "<em>em</em>" in blocks[2].html
    assert "<code " in blocks[3].html


def test_ordinary_markdown_is_all_formatted() -> None:
    from tests.benchmarks import workload

    text = workload.long_reply(random.Random(3), 150_000)
    links = "".join(f"See [doc {i}](https://e.org/{i}) and **{i}**. " for i in range(300))
    text += "\n\n" + links + "\n\n" + "A line\n" * 300
    blocks = render_markdown(text)
    assert [b for b in blocks if b.unformatted] == []
    assert blocks[-2].html.count("<a href=") == 300


def test_a_streamed_costly_paragraph_is_typed_until_it_ends(inline_parses: list[int]) -> None:
    text = "Intro.\n\n" + "[x" * 50_000
    renderer = StreamingRenderer(highlight_open=False)  # how the view streams
    for end in range(4_000, len(text) + 4_000, 4_000):
        _, blocks = renderer.update(text[:end])
        assert blocks[-1].unformatted == ("pending" if end > 2_000 else "")
        assert html.unescape(blocks[-1].html) == f"<p>{text[8:end]}</p>"
    # The intro, once; the growing paragraph never: each update parsed the tail's text only
    # as far as markdown-it does it in a few ms.
    assert max(inline_parses) < 1_000
    renderer.set_highlight_open(True)  # the reply finished
    stable, blocks = renderer.update(text)
    assert stable == 1 and blocks[-1].unformatted == "costly"
    assert key(blocks) == key(render_markdown(text))


def test_a_streamed_paragraph_a_little_too_costly_is_formatted_once_finished() -> None:
    paragraph = "[x] " * 3_000 + "[link](https://e.org) **end**"  # ~70 ms
    text = f"{paragraph}\n\nNext paragraph.\n\nAnd the one after it"
    renderer = StreamingRenderer(highlight_open=False)
    _, blocks = renderer.update(text[: len(paragraph)])
    assert blocks[0].unformatted == "pending" and "<a " not in blocks[0].html
    # Frozen once the paragraphs after it start; too costly to redo during the stream.
    renderer.update(text[:-3])
    _, blocks = renderer.update(text)
    assert blocks[0].unformatted == "pending"
    renderer.set_highlight_open(True)
    stable, blocks = renderer.update(text)
    assert stable == 0
    assert blocks[0].unformatted == "" and "<a href=" in blocks[0].html
    assert key(blocks) == key(render_markdown(text))


def test_a_frozen_pending_paragraph_is_formatted_by_a_later_update() -> None:
    paragraph = "[x] " * 400 + "**end**"  # over an update's budget, within the catch-up
    renderer = StreamingRenderer(highlight_open=False)
    _, blocks = renderer.update(paragraph)
    assert blocks[0].unformatted == "pending"
    text = f"{paragraph}\n\nNext.\n\nAnd more"
    stable, blocks = renderer.update(text)  # it is frozen now, and still as typed
    assert stable == 1 and blocks[0].unformatted == "pending"
    stable, blocks = renderer.update(text + " words")
    assert stable == 0 and blocks[0].unformatted == "" and "<strong>end</strong>" in blocks[0].html
    stable, blocks = renderer.update(text + " words more")
    assert stable == 2
    assert key(blocks) == key(render_markdown(text + " words more"))


# ---- what the view needs -------------------------------------------------------------------


def test_each_top_level_element_is_one_block_with_its_lines() -> None:
    text = "# Title\n\nOne\ntwo\n\n- a\n- b\n\n```py\nx = 1\n```\n\n> q\n\n---\n"
    blocks = render_markdown(text)
    assert [(b.kind, b.start_line, b.end_line) for b in blocks] == [
        ("html", 0, 1),
        ("html", 2, 4),
        ("html", 5, 8),  # a list's span includes the blank line after it
        ("code", 8, 11),
        ("html", 12, 13),
        ("html", 14, 15),
    ]
    assert blocks[1].source == "One\ntwo"
    assert blocks[3].source == "x = 1"


def test_code_block_keeps_exact_source_and_language() -> None:
    code = '\tdef f(a, b):\n\n        return "<b>" & a  # ``` not a fence\n'
    blocks = render_markdown(f"Intro\n\n```python title=x.py\n{code}```\n")
    block = blocks[1]
    assert (block.kind, block.language, block.source) == ("code", "python", code[:-1])
    assert block.html.startswith("<pre ") and block.html.endswith("</pre>")
    assert '<span style="color:' in block.html  # highlighted
    assert "&lt;b&gt;" in block.html and "&amp;" in block.html
    assert_inert(block.html)


def test_tilde_fence_indented_code_and_no_language() -> None:
    blocks = render_markdown("~~~\nplain <x>\n~~~\n\n    indented\n      more\n")
    assert [(b.kind, b.language, b.source) for b in blocks] == [
        ("code", "", "plain <x>"),
        ("code", "", "indented\n  more"),
    ]
    assert "<span" not in blocks[0].html and "plain &lt;x&gt;" in blocks[0].html


def test_unknown_language_is_plain_escaped_text() -> None:
    block = render_markdown("```no-such-language\n<b>x</b>\n```")[0]
    assert block.language == "no-such-language"
    assert "<span" not in block.html and "&lt;b&gt;x&lt;/b&gt;" in block.html


def test_code_starting_with_a_blank_line_keeps_it_in_qt() -> None:
    # Qt drops one line break right after <pre>, like browsers do.
    block = render_markdown("```\n\nx\n```")[0]
    assert block.source == "\nx"
    assert block.html.endswith(">\n\nx</pre>")


def test_code_nested_in_a_list_is_highlighted_inside_the_html_block() -> None:
    blocks = render_markdown("- step\n\n  ```python\n  x = 1\n  ```\n")
    assert [b.kind for b in blocks] == ["html"]
    assert "<pre " in blocks[0].html and '<span style="color:' in blocks[0].html


def test_dark_variant_uses_other_colours() -> None:
    text = "`inline`\n\n```python\nx = 'a'\n```\n\n> quote"
    light, dark = render_markdown(text), render_markdown(text, dark=True)
    for light_block, dark_block in zip(light, dark, strict=True):
        assert light_block.source == dark_block.source
        assert light_block.html != dark_block.html
        assert_inert(dark_block.html)


def test_inline_code_is_monospace_with_a_background() -> None:
    markup = html_of("Use `a < b` here")
    assert re.search(r'<code style="background-color: #\w+">a &lt; b</code>', markup)


def test_headings_are_sized() -> None:
    blocks = render_markdown("# One\n## Two\n### Three\n###### Six")
    assert [b.html for b in blocks] == [
        '<h1 style="font-size: x-large">One</h1>',
        '<h2 style="font-size: large">Two</h2>',
        '<h3 style="font-size: medium">Three</h3>',
        '<h6 style="font-size: medium">Six</h6>',
    ]


def test_tables_have_borders_padding_and_alignment() -> None:
    markup = html_of("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert '<table border="1" cellspacing="0" cellpadding="4"' in markup
    assert [tag for tag, _ in tags_of(markup)] == [
        *("table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"),
    ]
    assert re.search(r'<td align="right" style="border: 1px solid #[0-9a-f]{6}">2</td>', markup)


def test_lists_ordered_unordered_nested() -> None:
    markup = html_of("- a\n  - b\n    1. c\n\n3. three\n4. four\n")
    assert [tag for tag, _ in tags_of(markup)] == [
        *("ul", "li", "ul", "li", "ol", "li", "ol", "li", "li"),
    ]
    assert '<ol start="3">' in markup


def test_quotes_are_a_bar_and_grey_text_not_blockquote() -> None:
    markup = html_of("> quoted **text**\n>\n> > nested")
    assert "<blockquote" not in markup
    assert markup.count('<td width="3" bgcolor="#') == 2  # Qt draws a cell, not border-left
    assert "padding-left" in markup and "color: #" in markup
    assert "<strong>text</strong>" in markup


def test_rules_and_emphasis() -> None:
    markup = html_of("*a* **b** ~~c~~\n\n---\n")
    assert "<em>a</em> <strong>b</strong> <s>c</s>" in markup
    assert "<hr />" in markup


def test_empty_text_has_no_blocks() -> None:
    assert render_markdown("") == []
    assert render_markdown("\n\n  \n") == []
    assert StreamingRenderer().update("") == (0, [])


# ---- streaming -----------------------------------------------------------------------------

# Traps for a renderer that freezes blocks too early: "#1234" is an empty heading until "1"
# arrives; a table needs its second line; a list survives blank lines; fences close late.
SAMPLE = """\
# Title

Intro with `code`, **bold** and a [link](https://example.org). See [ref][r].

[r]: https://example.org/ref

Fixed in
#1234 today, not a heading.

Setext heading
--------------

- item one
- item two


  still item two after blank lines
1. ordered after a list

Text before a table
| a | b |
|---|--:|
| 1 | 2 |

> quote
lazy continuation

```python
def f():
    return "<b>"
```
After the fence, [ref][r] again.

    indented code

~~~
an unclosed fence at the end
"""


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=30))
def test_streaming_ends_with_the_same_blocks_as_rendering_at_once(steps: list[int]) -> None:
    assert key(stream(SAMPLE, steps)) == key(render_markdown(SAMPLE))


@settings(max_examples=30, deadline=None)
@given(steps=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=30))
def test_streaming_with_crlf_line_ends(steps: list[int]) -> None:
    text = SAMPLE.replace("\n", "\r\n")
    assert key(stream(text, steps, dark=True)) == key(render_markdown(text, dark=True))


FRAGMENTS = [
    *("<script>", "<img src=x onerror=alert(1)>", "[", "]", "(", ")", "![", "<", ">", "&"),
    *("https://e.org", "javascript:alert(1)", "mailto:a@b.c", "<https://a.b>", '"', "'"),
    *("`", "```", "```py\n", "~~~", "\n", "\n", "\n\n", " ", "    ", "\t", "\r", "\r\n"),
    *("*", "_", "~~", "#", "# ", "> ", "- ", "1. ", "---", "===", "|", "| a |", "|---|"),
    *("&#13;", "\x00", "\x1b", "\x85", "word", "x = 1", "\\"),
]
# No fragment starts with ":", so no "[label]:" definition can follow its use (streaming
# cannot resolve a reference defined after the frozen block that uses it).
markdownish = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=markdownish, steps=st.lists(st.integers(1, 12), min_size=1, max_size=20))
def test_any_markdownish_text_is_inert_and_streams_the_same(text: str, steps: list[int]) -> None:
    whole = render_markdown(text)
    for block in whole:
        assert_inert(block.html)
        assert not CONTROLS.search(block.source)
    assert key(stream(text, steps)) == key(whole)


@pytest.mark.parametrize(
    "text",
    [
        "Fixed in\n#1234 today.\n\nNext.\n",  # "#" alone is a heading that can end a paragraph
        "> quote\n---x lazy text\n\nNext.\n",  # "---" alone is a rule that ends the quote
        "Flags:\n| x |\n|-v is verbose\n\nNext.\n",  # "|-" under "| x |" starts a table
    ],
)
def test_streaming_char_by_char_waits_until_the_last_line_cannot_change_earlier_blocks(
    text: str,
) -> None:
    assert key(stream(text, [1])) == key(render_markdown(text))


def test_growing_the_last_block_leaves_the_others_stable() -> None:
    text = "".join(f"Paragraph {i}.\n\n" for i in range(20)) + "Last"
    renderer = StreamingRenderer()
    _, before = renderer.update(text)
    stable, after = renderer.update(text + " words")
    assert stable == len(after) - 1 == 20
    assert after[-1].source == "Last words"
    assert all(a is b for a, b in zip(before[:-1], after[:-1], strict=True))


def test_update_parses_only_the_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    real_parse = markdown._PARSER.parse

    def spy(src: str, env: Any = None) -> Any:
        parsed.append(len(src))
        return real_parse(src, env)

    monkeypatch.setattr(markdown._PARSER, "parse", spy)
    paragraph = "Some words in a paragraph, **bold** and `code`. " * 4 + "\n\n"
    text = paragraph * 300  # ~60k characters
    renderer = StreamingRenderer()
    for end in range(50, len(text) + 50, 50):
        renderer.update(text[:end])
    assert len(parsed) > 1000
    assert max(parsed) < 3 * len(paragraph)


def test_an_unclosed_fence_streams_as_code_and_finishes_when_closed() -> None:
    renderer = StreamingRenderer()
    renderer.update("Intro\n\n```py")
    _, blocks = renderer.update("Intro\n\n```python\nprint(1)\nx = ")
    code = blocks[-1]
    assert (code.kind, code.language, code.source) == ("code", "python", "print(1)\nx = ")
    assert '<span style="color:' in code.html
    text = "Intro\n\n```python\nprint(1)\nx = 2\n```\n\nAfter the code.\n\n"
    _, blocks = renderer.update(text)
    finished = blocks[1]
    assert (finished.kind, finished.source, finished.end_line) == ("code", "print(1)\nx = 2", 6)
    assert blocks[-1].source == "After the code."
    for more in ("More", " text.\n\nAnd", " a last paragraph."):
        text += more
        stable, blocks = renderer.update(text)
        assert blocks[1] is finished and stable >= 2


def test_references_defined_in_frozen_text_still_resolve() -> None:
    text = "[r]: https://example.org/ref\n\nOne.\n\nTwo.\n\nThree.\n\nSee [this][r].\n"
    blocks = stream(text, [3])
    assert hrefs(blocks[-1].html) == ["https://example.org/ref"]


def test_a_replaced_text_starts_over() -> None:
    renderer = StreamingRenderer()
    renderer.update("First answer.\n\nWith two paragraphs.\n\nAnd three.\n\nFour.")
    stable, blocks = renderer.update("Regenerated.")
    assert stable == 0
    assert key(blocks) == key(render_markdown("Regenerated."))


def test_an_open_fence_streams_unhighlighted_and_is_highlighted_when_it_closes() -> None:
    renderer = StreamingRenderer(highlight_open=False)
    _, blocks = renderer.update("Code:\n\n```python\nx = 1\n")
    assert blocks[-1].kind == "code" and blocks[-1].language == "python"
    assert "<span" not in blocks[-1].html
    _, blocks = renderer.update("Code:\n\n```python\nx = 1\n```\n")
    assert "<span" in blocks[-1].html
    assert blocks[-1] == render_markdown("Code:\n\n```python\nx = 1\n```\n")[-1]
    renderer = StreamingRenderer(highlight_open=False)
    renderer.update("```python\nx = 1\n")
    renderer.set_highlight_open(True)
    stable, blocks = renderer.update("```python\nx = 1\n")
    assert stable == 0 and "<span" in blocks[0].html


@settings(max_examples=40, deadline=None)
@given(
    text=st.lists(st.sampled_from([*FRAGMENTS, "[x" * 400, "*a" * 600]), max_size=40).map("".join),
    steps=st.lists(st.integers(1, 400), min_size=1, max_size=20),
)
def test_streaming_as_the_view_does_ends_with_the_same_blocks(text: str, steps: list[int]) -> None:
    renderer = StreamingRenderer(highlight_open=False)
    position, step = 0, 0
    while position < len(text):
        position = min(len(text), position + steps[step % len(steps)])
        step += 1
        renderer.update(text[:position])
    renderer.set_highlight_open(True)
    _, blocks = renderer.update(text)
    assert key(blocks) == key(render_markdown(text))
