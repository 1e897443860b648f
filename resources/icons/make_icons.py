"""Render the app icon from its SVG source into the sizes each OS wants.

    .venv/bin/python resources/icons/make_icons.py

Reads confab.svg (the one source to edit) and writes, next to it:

- confab-<N>.png for N in PNG_SIZES: the window icon (desktop/app.py), the Linux hicolor theme
  (packaging/linux/build.sh) and the base of the two files below;
- confab.ico (Windows: the executable, the installer, Start menu) with ICO_SIZES;
- confab.icns (macOS: Confab.app) with ICNS_SIZES, 1024 included for 512@2x.

Rendering uses QtSvg from PySide6 (already a dependency, no display needed); .ico and .icns
are written by Pillow (the ``package`` extra). The outputs are committed, so building a
bundle does not need this script: run it after changing confab.svg.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "confab.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def png_path(size: int, folder: Path = HERE) -> Path:
    return folder / f"confab-{size}.png"


def render(source: Path, size: int) -> bytes:
    """The SVG drawn on a transparent ``size``×``size`` square, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise ValueError(f"{source}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def make_icons(source: Path = SOURCE, folder: Path = HERE) -> list[Path]:
    """Write every PNG size, the .ico and the .icns into ``folder``; returns the paths."""
    from PIL import Image

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    rendered = {size: render(source, size) for size in {*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES}}
    images = {size: Image.open(io.BytesIO(data)) for size, data in rendered.items()}
    written = []
    for size in PNG_SIZES:
        path = png_path(size, folder)
        path.write_bytes(rendered[size])
        written.append(path)
    # Each size drawn from the vector source, not scaled down from the largest bitmap.
    ico = folder / "confab.ico"
    largest = images[max(ICO_SIZES)]
    largest.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    icns = folder / "confab.icns"
    images[max(ICNS_SIZES)].save(
        icns,
        format="ICNS",
        append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )
    written += [ico, icns]
    return written


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, default=SOURCE, help="SVG (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder (default: %(default)s)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in make_icons(args.source, args.out):
        print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
