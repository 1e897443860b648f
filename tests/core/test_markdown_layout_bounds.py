"""Tiny inputs, huge layouts: what Qt's rich-text layout cannot afford is never handed to it
(core/markdown.py, "what Qt's layout can afford"). Structure only here; the time each takes in
the real widget is in tests/benchmarks/layout_costs.py."""

from __future__ import annotations

import html

from desktop.core import markdown
from desktop.core.markdown import StreamingRenderer, render_markdown


def _depth(fragment: str) -> int:
    depth = deepest = 0
    for piece in fragment.split("<table")[1:]:
        depth += 1
        deepest = max(deepest, depth)
        depth -= piece.count("</table>")
    return deepest


def test_nested_quotes_stop_nesting_past_the_bound_and_say_how_deep() -> None:
    for levels in (20, 31):  # markdown-it alone dropped the text past 20
        [block] = render_markdown(">" * levels + " deep")
        assert _depth(block.html) == markdown.MAX_QUOTE_DEPTH
        marks = "›" * (levels - markdown.MAX_QUOTE_DEPTH)
        assert f">{marks}</p><p>deep</p>" in block.html
    # Deeper than any real text nests (600 ran out of Python's stack): shown as typed.
    for levels in (32, 600, 5000):
        for marker in (">", "- ", "1. "):
            [block] = render_markdown(marker * levels + " deep")
            assert block.unformatted == "costly" and "<table" not in block.html
            assert block.html.endswith(" deep</p>")
    # Shallow quotes are drawn as before.
    [shallow] = render_markdown("> > two levels")
    assert _depth(shallow.html) == 2 and "›" not in shallow.html


def test_a_table_too_large_to_lay_out_is_shown_as_text() -> None:
    wide = "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n|" + "1|" * 5000
    long = "|a|b|\n|-|-|\n" + "|1|2|\n" * 5000
    for text in (wide, long):
        block, *rest = render_markdown(text)
        assert block.unformatted == "table"
        assert "<table" not in block.html and block.html.startswith("<pre")
        # Rows past what is parsed are left out of the view, never out of the message.
        assert all(r.unformatted == "long" and r.html == "" for r in rest)
        assert "\n".join(b.source for b in (block, *rest)).replace("\n\n", "\n").strip() == (
            text.strip()
        )
    # An ordinary table stays a table.
    [small] = render_markdown("|a|b|\n|-|-|\n" + "|1|2|\n" * 50)
    assert small.unformatted == "" and "<table" in small.html


def test_a_huge_paragraph_shows_its_beginning_and_keeps_all_of_it() -> None:
    text = "word " * 1_000_000  # 5 MB: Qt took 12 s to lay it out
    blocks = render_markdown(text)
    assert all(b.unformatted == "long" for b in blocks)
    assert sum(len(b.html) for b in blocks) < 3 * markdown.MAX_BLOCK_CHARS
    assert "".join(b.source for b in blocks).strip() == text.strip()


def test_a_huge_code_block_shows_its_first_lines_and_copies_all() -> None:
    lines = markdown.MAX_BLOCK_LINES * 3 // 2
    code = "\n".join(f"line {i}" for i in range(lines))
    [block] = render_markdown(f"```\n{code}\n```")
    assert block.kind == "code" and block.unformatted == "long"
    assert block.source == code
    shown = html.unescape(block.html)
    assert "line 0" in shown and f"line {lines - 1}" not in shown


def test_text_past_what_one_parse_takes_is_shown_as_typed() -> None:
    text = "para\n\n" * (markdown.MAX_PARSE_LINES)  # twice the lines one parse is given
    blocks = render_markdown(text)
    assert blocks[-1].unformatted == "long"
    assert blocks[0].unformatted == "" and blocks[0].html == "<p>para</p>"
    assert len(blocks) <= markdown.MAX_PARSE_LINES // 2 + 1


def test_a_streaming_block_too_long_to_parse_each_time_is_parsed_once_at_the_end(
    monkeypatch: object,
) -> None:
    parses: list[int] = []
    real = markdown._PARSER.parse

    def spy(src: str, env: object = None) -> object:
        parses.append(len(src))
        return real(src, env)

    markdown._PARSER.parse = spy  # type: ignore[method-assign]
    try:
        renderer = StreamingRenderer(highlight_open=False)
        text = ""
        for _ in range(30):
            text += "|1|2|\n" * 2000  # a table growing by 2,000 rows a flush
            _stable, blocks = renderer.update(text)
        assert blocks[-1].unformatted == "long"
        big = [n for n in parses if n > markdown.MAX_BLOCK_CHARS]
        assert big == []  # never parsed whole while it streamed
        renderer.set_highlight_open(True)
        _stable, blocks = renderer.update(text)
        assert blocks[-1].unformatted in ("long", "table")
    finally:
        markdown._PARSER.parse = real  # type: ignore[method-assign]


def test_the_text_after_a_table_too_long_to_parse_is_rendered() -> None:
    text = "intro\n\n|a|b|\n|-|-|\n" + "|1|2|\n" * 2500 + "\nAfter the **table**.\n"
    blocks = render_markdown(text)
    assert [b.unformatted for b in blocks] == ["", "table", "long", ""]
    assert blocks[-1].html == "<p>After the <strong>table</strong>.</p>"
    assert blocks[2].html == "" and blocks[2].source.count("|1|2|") == 2500 - (
        markdown.MAX_TABLE_ROWS_PARSED - 2
    )
