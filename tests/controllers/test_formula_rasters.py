"""Formulas rasterised in the formula thread (desktop/controllers/formulas.py): the SVG framed
and tinted as text and read by Qt's SVG image plugin gives the picture QtSvg's renderer paints
(the same place on the baseline, the same size, the text's colour over every colour the
drawing has)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from desktop.controllers.formulas import Style, _painted, rasterise
from desktop.core.formulas import draw

FORMULAS = [
    (r"x^2", False),
    (r"\frac{a+b}{\sqrt{c}}", False),
    (r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}", True),
    (r"\color{red}{y} = \overline{AB}", False),
]


def _decoded(url: str) -> QImage:
    image = QImage.fromData(base64.b64decode(url.split(",", 1)[1]))
    return image.convertToFormat(QImage.Format.Format_ARGB32)


@pytest.mark.parametrize(("latex", "display"), FORMULAS)
@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_the_plugins_picture_is_the_renderers(
    qapp: Any, latex: str, display: bool, dpr: float
) -> None:
    drawing = draw(latex, display)
    assert drawing is not None
    colour = QColor("#e6e7ea")  # the dark theme's text
    style = Style(1.3, colour.rgba(), dpr)
    (above, below, width), url = rasterise(drawing, style)
    image = _decoded(url)
    assert (image.width(), image.height()) == (round(width * dpr), round((above + below) * dpr))
    top = above - drawing.ascent * style.scale
    painted = _painted(drawing, style, top, (image.width(), image.height()))
    painted = painted.convertToFormat(QImage.Format.Format_ARGB32)
    ink = differ = 0
    for y in range(image.height()):
        for x in range(image.width()):
            ours, theirs = image.pixelColor(x, y), painted.pixelColor(x, y)
            if theirs.alpha() > 200:
                ink += 1
                # The text's colour, red included.
                assert abs(ours.red() - colour.red()) <= 2 and abs(ours.blue() - colour.blue()) <= 2
            differ += abs(ours.alpha() - theirs.alpha()) > 64
    assert ink > 10
    assert differ <= ink * 0.03  # antialiasing aside, the same shape in the same place
