"""The fuzz pass of tests/core/test_fuzz_hostile.py, through the real Markdown widget: whatever
a model writes lays out without an exception or a Qt warning, as it streams and once whole."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_fuzz_hostile import markdown_texts


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=markdown_texts, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=4))
def test_any_markdown_lays_out_in_the_widget(qtbot: Any, text: str, cuts: list[int]) -> None:
    from desktop.ui.message_view import MarkdownView

    view = MarkdownView(dark=False)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    for cut in sorted(cuts):
        view.set_markdown(text[:cut], streaming=True)
    view.set_markdown(text)
    view.adjustSize()
    assert view.sizeHint().height() >= 0
    assert view.text == text
