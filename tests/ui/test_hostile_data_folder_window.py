"""The real window on a hostile data folder: it starts, shows the good conversations, and says
in the window (not only in the log) what it could not read."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_hostile_data_folder import file_data
from tests.core.test_versions_trash import conversation_data, write


def _settings(data_dir: Path, **fields: Any) -> bytes:
    content = json.dumps(
        {
            "format": "confab.settings",
            "version": 1,
            "providers": [
                {"id": "local", "name": "Local", "base_url": "http://127.0.0.1:9/v1"},
            ],
            "auto_title": False,
            **fields,
        }
    ).encode()
    (data_dir / "settings.json").write_bytes(content)
    return content


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_the_window_starts_on_a_hostile_folder_and_says_what_it_skipped(
    start_app: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    folder = data / "conversations"
    write(folder, "good1.json", conversation_data("good1", title="Still here"))
    write(folder, "hurt.json", file_data("hurt", updated_at="not a time"))
    os.mkfifo(folder / "pipe.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    # A splitter past a C int stopped Confab from starting at all.
    _settings(data, window={"splitter": [10**30, -5], "geometry": "ü"})

    app = start_app(data)

    titles = [app.window.sidebar.model.index(r).data() for r in range(2)]
    assert sorted(titles) == ["Damaged", "Still here"]
    banner = app.window.banner
    assert banner.isVisible()
    text = banner.text.text()
    assert "2 conversation files could not be read" in text
    assert "1 conversation had parts that could not be read" in text
    assert "hurt.json" in banner.detail.text() and "pipe.json" in banner.detail.text()
    assert app.window.splitter.sizes()[0] > 0


def test_providers_of_the_wrong_type_are_said_and_kept(start_app: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    content = _settings(data, providers="openai")

    app = start_app(data)

    text = app.window.banner.text.text()
    assert "Part of the settings could not be read" in text
    assert "settings.corrupt.json" in text
    assert (data / "settings.corrupt.json").read_bytes() == content


def test_a_log_folder_that_is_a_file_leaves_confab_working_without_a_log(
    start_app: Any, tmp_path: Path
) -> None:
    """``logs`` being a file stopped Confab at start (the window stayed unwired)."""
    from desktop.core import logs

    data = tmp_path / "data"
    data.mkdir()
    (data / "logs").write_text("not a folder")
    _settings(data)
    try:
        assert logs.setup_logging(data) is None
        assert "logs" in logs.log_problem
        app = start_app(data)
        banner = app.window.banner
        assert "cannot write its log" in banner.text.text()
        assert "logs" in banner.detail.text()
    finally:
        logs.log_problem = ""
        logs.setup_logging(tmp_path / "elsewhere")
