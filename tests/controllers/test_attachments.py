"""AttachmentsController on a real store: adds run in the adding thread and come back on the
UI thread with their ticket; a thumbnail is decoded once per image and size, scaled down in
the decoding thread, and a missing file is said to be missing; a document is opened as a copy
under its own name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from desktop.controllers import attachments as module
from desktop.controllers.attachments import MISSING, AttachmentsController
from desktop.core.attachments import AttachmentStore
from desktop.core.errors import AttachmentError
from tests.support.attachment_files import png


@pytest.fixture
def controller(tmp_path: Path, qapp: Any) -> Any:
    made = AttachmentsController(AttachmentStore(tmp_path / "data"))
    yield made
    made.close()


def outcomes(controller: AttachmentsController) -> list[tuple[str, int, object]]:
    seen: list[tuple[str, int, object]] = []
    controller.added.connect(lambda ticket, a: seen.append(("added", ticket, a)))
    controller.refused.connect(lambda ticket, e: seen.append(("refused", ticket, e)))
    return seen


def test_adds_come_back_with_their_tickets(controller: Any, qtbot: Any, tmp_path: Path) -> None:
    seen = outcomes(controller)
    picture = tmp_path / "p.png"
    picture.write_bytes(png(64, 32))
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    image = QImage(20, 10, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))

    first = controller.add_file(picture)
    second = controller.add_file(empty)
    third = controller.add_image(image)
    assert controller.busy
    qtbot.waitUntil(lambda: len(seen) == 3)

    assert not controller.busy
    kinds = {ticket: (kind, value) for kind, ticket, value in seen}
    assert kinds[first][0] == "added" and kinds[first][1].width == 64
    assert kinds[second][0] == "refused" and isinstance(kinds[second][1], AttachmentError)
    assert kinds[third][0] == "added" and (kinds[third][1].width, kinds[third][1].height) == (
        20,
        10,
    )
    assert kinds[third][1].name == "pasted-image.png"


def test_a_thumbnail_is_decoded_once_scaled_and_a_missing_file_said(
    controller: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    decodes: list[str] = []
    real = module._decode
    monkeypatch.setattr(
        module, "_decode", lambda path, box: decodes.append(path) or real(path, box)
    )
    attachment = controller.store.add_bytes(png(800, 400), "wide.png")
    ready: list[tuple[str, object]] = []
    controller.thumbnail_ready.connect(lambda key, image: ready.append((key, image)))

    assert controller.thumbnail(attachment, 100) is False
    assert controller.thumbnail(attachment, 100) is False  # asked twice while decoding
    qtbot.waitUntil(lambda: bool(ready))
    image = controller.thumbnail(attachment, 100)
    assert isinstance(image, QImage) and (image.width(), image.height()) == (100, 50)
    assert len(decodes) == 1 and ready == [(controller.key(attachment, 100), image)]

    gone = controller.store.add_bytes(png(64, 64), "gone.png")
    controller.store.path_of(gone).unlink()
    controller.thumbnail(gone, 100)
    qtbot.waitUntil(lambda: len(ready) == 2)
    assert controller.thumbnail(gone, 100) is MISSING


def test_a_document_opens_as_a_copy_named_as_the_file(controller: Any, qtbot: Any) -> None:
    document = controller.store.add_bytes(b"a: 1\nb: 2\n", 'config "prod".yaml')
    opened: list[Path | None] = []
    controller.open_copy(document, opened.append)
    qtbot.waitUntil(lambda: bool(opened))
    path = opened[0]
    assert path is not None and path.name == "config _prod_.yaml"
    assert path.read_bytes() == b"a: 1\nb: 2\n"
    controller.store.path_of(document).unlink()
    other = controller.store.add_bytes(b"x\n", "x.txt")
    controller.store.path_of(other).unlink()
    controller.open_copy(other, opened.append)
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert opened[1] is None
