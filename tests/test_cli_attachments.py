"""`confab export` and `confab import` carry attachments: a library archive written by one data
folder's command line brings its images and documents into another's."""

from __future__ import annotations

import io
from pathlib import Path

from desktop import cli
from desktop.core.attachments import AttachmentStore
from desktop.core.storage import ConversationStore
from tests.core.test_attachment_export import _library


def test_export_then_import_on_the_command_line_brings_the_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _store, image, pdf, other = _library(data)
    out = io.StringIO()
    archive = tmp_path / "library.zip"
    status = cli.main(["--data-dir", str(data), "export", str(archive)], out=out, err=out)
    assert status == 0, out.getvalue()
    assert "3 attachments" in out.getvalue()
    elsewhere = tmp_path / "elsewhere"
    out = io.StringIO()
    status = cli.main(["--data-dir", str(elsewhere), "import", str(archive)], out=out, err=out)
    assert status == 0, out.getvalue()
    assert "Traceback" not in out.getvalue()
    assert ConversationStore(elsewhere).load("a").message("a1").attachments == (image, pdf)
    attachments = AttachmentStore(elsewhere)
    assert all(attachments.exists(a) for a in (image, pdf, other))
