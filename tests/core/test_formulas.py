"""LaTeX in Markdown: which spans are formulas (dollarmath's rules, and ours for \\( \\[), their
drawings (ziamath), the formula thread's cache and pacing, and the HTML export's inline SVG."""

from __future__ import annotations

import re
import threading

import pytest

from desktop.core import formulas
from desktop.core.export.page import markdown_html
from desktop.core.formulas import Drawer, draw
from desktop.core.markdown import StreamingRenderer, math_html, render_markdown


def found(text: str) -> list[str]:
    """The sources of the formulas the view would draw in ``text``."""
    return [f.source for block in render_markdown(text) for f in block.formulas]


@pytest.mark.parametrize(
    "text",
    [
        "$5 and $10",
        "costs $3.50, or $4",
        "between $ 1 $ and 2",  # a space inside the dollars
        "$x $",
        "`$x$` in code",
        "```\n$x$ and $$y$$\n```",
        "    $x$ indented code",
        "\\$x\\$ escaped",
        "from $20 to $30 or $5.",  # a digit after what would close: text
    ],
)
def test_currency_and_code_stay_text(text: str) -> None:
    assert found(text) == []
    shown = "".join(block.html for block in render_markdown(text))
    assert "$" in shown  # still there, as typed
    assert "<!--f" not in shown


@pytest.mark.parametrize(
    ("text", "sources", "display"),
    [
        ("$x$", ["$x$"], [False]),
        ("a $x^2$ and $\\frac{a}{b}$.", ["$x^2$", "$\\frac{a}{b}$"], [False, False]),
        ("$$\n\\int\n$$", ["$$\n\\int\n$$"], [True]),
        ("text $$x$$ more", ["$$x$$"], [True]),
        ("inline \\(a+b\\) here", ["\\(a+b\\)"], [False]),
        ("\\[\nx^2\n\\]", ["\\[\nx^2\n\\]"], [True]),
        ("where\n\\[x\\]\nis", ["\\[x\\]"], [True]),
        ("\\begin{align}\na &= b\n\\end{align}", ["\\begin{align}\na &= b\n\\end{align}"], [True]),
        ("- item $a$\n- $b$ too", ["$a$", "$b$"], [False, False]),
        ("costs $5, and $x$ is", ["$x$"], [False]),
    ],
)
def test_formulas_are_found_with_their_source(
    text: str, sources: list[str], display: list[bool]
) -> None:
    blocks = render_markdown(text)
    formulas_found = [f for block in blocks for f in block.formulas]
    assert [f.source for f in formulas_found] == sources
    assert [f.display for f in formulas_found] == display


def test_a_formula_shows_its_source_until_the_view_puts_an_image_in_its_place() -> None:
    (block,) = render_markdown("a $x^2$ b and $$y$$, $3 left")
    assert "$x^2$" in block.html and "$$y$$" in block.html  # the source, as code
    shown = math_html(block, ['<img alt="one">', None])
    assert '<img alt="one">' in shown
    assert "$x^2$" not in shown
    assert "$$y$$" in shown  # not drawn (yet): its source stays
    assert "$3 left" in shown
    (display,) = render_markdown("$$\ny\n$$")
    assert math_html(display, ["<img>"]) == '<p align="center"><img></p>'


def test_a_formula_still_open_in_a_streaming_reply_stays_text_until_it_closes() -> None:
    renderer = StreamingRenderer(highlight_open=False)
    _, blocks = renderer.update("The energy $E = mc")
    assert [f for b in blocks for f in b.formulas] == []
    assert "$E = mc" in blocks[-1].html
    _, blocks = renderer.update("The energy $E = mc^2$ is")
    assert [f.source for b in blocks for f in b.formulas] == ["$E = mc^2$"]
    _, blocks = renderer.update("Sum:\n\n$$\n\\sum_i x_i")
    assert [f for b in blocks for f in b.formulas] == []
    _, blocks = renderer.update("Sum:\n\n$$\n\\sum_i x_i\n$$\n")
    assert [f.source for b in blocks for f in b.formulas] == ["$$\n\\sum_i x_i\n$$"]


def test_streaming_a_reply_of_formulas_ends_as_rendering_it_whole() -> None:
    text = "\n\n".join(
        f"Para {i} with $x_{{{i}}}$ and \\(y^{i}\\).\n\n"
        f"\\[\n\\frac{{{i}}}{{2}}\n\\]\n\n$$\nz_{i}\n$$"
        for i in range(20)
    )
    renderer = StreamingRenderer(highlight_open=False)
    for end in range(7, len(text) + 7, 7):
        renderer.update(text[:end])
    renderer.set_highlight_open(True)
    _, blocks = renderer.update(text)
    whole = render_markdown(text)
    assert [(b.source, b.formulas) for b in blocks] == [(b.source, b.formulas) for b in whole]
    assert sum(len(b.formulas) for b in whole) == 80


def test_a_formula_is_drawn_with_its_geometry() -> None:
    drawing = draw("\\frac{a}{b}", False)
    assert drawing is not None
    assert drawing.svg.startswith("<svg") and "<path" in drawing.svg
    assert drawing.width > 0 and drawing.ascent > 0 and drawing.depth > 0  # below the line
    flat = draw("x", False)
    assert flat is not None and flat.depth < drawing.depth
    tall = draw("\\sum_{i=1}^{n} i", True)  # display style: limits above and below
    inline = draw("\\sum_{i=1}^{n} i", False)
    assert tall is not None and inline is not None
    assert tall.height > inline.height


@pytest.mark.parametrize("latex", ["\\frac{a", "}{", "a^", "\\begin{matrix} a", "\\foo x", "", " "])
def test_a_formula_that_does_not_parse_draws_nothing_and_raises_nothing(latex: str) -> None:
    assert draw(latex, False) is None


def test_the_drawer_draws_each_formula_once_in_its_thread() -> None:
    woken = threading.Event()
    drawer = Drawer(notify=woken.set)
    try:
        assert drawer.get("x^2", False) is Drawer.PENDING
        assert drawer.get("x^2", False) is Drawer.PENDING  # asked once
        assert woken.wait(30)  # the result is in the deque before notify is called
        assert drawer.take() == [("x^2", False)]
        assert drawer.drawn == 1
        first = drawer.get("x^2", False)
        assert first is not None and first is not Drawer.PENDING
        assert drawer.get("x^2", False) is first  # the cache, not another drawing
        assert drawer.drawn == 1
        assert not drawer.waiting()
    finally:
        drawer.close()


def test_a_drawing_calls_its_pace_at_every_node() -> None:
    calls: list[int] = []
    assert draw("\\frac{a+b}{\\sqrt{c}} + \\sum_i x_i", True, pace=lambda: calls.append(1))
    assert len(calls) > 20
    calls.clear()
    assert draw("y", False) is not None  # no pace given: none called
    assert calls == []


def test_a_held_drawer_rests_until_released(monkeypatch: pytest.MonkeyPatch) -> None:
    resting = threading.Event()
    sleep = formulas.time.sleep

    def rest(seconds: float) -> None:
        if seconds == formulas.HELD_REST_S:
            resting.set()
        sleep(seconds)

    monkeypatch.setattr(formulas.time, "sleep", rest)
    woken = threading.Event()
    drawer = Drawer(notify=woken.set)
    try:
        with drawer.hold():
            drawer.get("\\frac{1}{2} + \\sqrt{3}", True)
            assert resting.wait(30)  # the thread reached a node and rests
            assert drawer.take() == []
            assert not woken.is_set()
        assert woken.wait(30)
        assert drawer.take() == [("\\frac{1}{2} + \\sqrt{3}", True)]
    finally:
        drawer.close()


def test_the_html_export_shows_formulas_as_inline_svg_in_the_text_colour() -> None:
    page = markdown_html("a $x^2$ b, $5 and $10, bad $\\frac{a$.\n\n$$\n\\int_0^1 x\\,dx\n$$")
    assert page.count("<svg") == 2
    assert '<span class="math" title="$x^2$">' in page
    assert '<div class="math display" title="$$\n\\int_0^1 x\\,dx\n$$">' in page
    assert "<code>$\\frac{a$</code>" in page  # does not parse: its source
    assert "$5 and $10" in page
    assert 'fill="currentColor"' in page
    assert not re.search(r"<script|href|<use|on\w+=", page)
