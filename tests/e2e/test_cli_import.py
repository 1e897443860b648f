"""``confab import PATH…`` as a person runs it: a process of its own on a data folder, the
progress on stderr, the report on stdout, the exit status."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli
from tests.support.exports import generate_chatgpt, showcase_chatgpt, write_chatgpt_zip

ROOT = Path(__file__).resolve().parent.parent.parent


def confab(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data), "import", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )


def test_an_export_is_imported_once_and_a_second_time_finds_nothing_new(tmp_path: Path) -> None:
    showcase, _names = showcase_chatgpt()
    export = write_chatgpt_zip(
        tmp_path / "chatgpt-export.zip", [showcase.to_dict(), *generate_chatgpt(4, 6)]
    )
    data = tmp_path / "data"

    first = confab(data, str(export))

    assert first.returncode == cli.EXIT_OK, first.stderr
    assert first.stdout.splitlines()[0].startswith(
        "5 new conversations, 0 updated, 0 already up to date; "
    )
    assert "Importing" in first.stderr and "Traceback" not in first.stderr
    files = sorted((data / "conversations").glob("*.json"))
    assert len(files) == 5
    titles = {json.loads(f.read_text(encoding="utf-8"))["title"] for f in files}
    assert "Showcase ✨" in titles

    second = confab(data, str(export))

    assert second.returncode == cli.EXIT_OK, second.stderr
    assert second.stdout.splitlines()[0] == (
        "0 new conversations, 0 updated, 5 already up to date; 0 messages imported."
    )
    assert sorted((data / "conversations").glob("*.json")) == files


def test_what_is_not_an_export_fails_with_one_clear_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes", encoding="utf-8")

    done = confab(tmp_path / "data", str(notes), str(tmp_path / "missing.zip"))

    assert done.returncode == cli.EXIT_FAILED
    assert done.stderr.splitlines()[-1].startswith(f"confab import: could not import {notes}")
    assert f"  {notes}: not a ChatGPT or Claude export, nor Confab files" in done.stdout
    assert f"  {tmp_path / 'missing.zip'}: cannot be read: not found" in done.stdout
    assert "Traceback" not in done.stderr + done.stdout
    assert list((tmp_path / "data" / "conversations").glob("*.json")) == []


def test_a_truncated_export_imports_what_it_can_and_lists_what_it_could_not(
    tmp_path: Path,
) -> None:
    whole = json.dumps(list(generate_chatgpt(3, 4)))
    cut = tmp_path / "conversations.json"
    cut.write_text(whole[: int(len(whole) * 0.8)], encoding="utf-8")

    done = confab(tmp_path / "data", str(cut))

    assert done.returncode == cli.EXIT_OK, done.stderr
    assert done.stdout.startswith("2 new conversations")
    assert "Skipped (1):" in done.stdout
    assert len(list((tmp_path / "data" / "conversations").glob("*.json"))) == 2


def test_an_export_of_which_nothing_can_be_taken_in_fails_the_command(tmp_path: Path) -> None:
    # A conversations.json cut inside its first conversation: an export it could open, and
    # not one conversation of it imported. The person must not read "done".
    whole = json.dumps(list(generate_chatgpt(1, 40)))
    cut = tmp_path / "conversations.json"
    cut.write_text(whole[: len(whole) // 2], encoding="utf-8")

    done = confab(tmp_path / "data", str(cut))

    assert done.returncode == cli.EXIT_FAILED
    assert done.stdout.startswith("0 new conversations")
    assert "nothing could be imported" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_data_folder_that_cannot_hold_conversations_fails_with_one_clear_line(
    tmp_path: Path,
) -> None:
    export = write_chatgpt_zip(tmp_path / "export.zip", list(generate_chatgpt(2, 4)))
    data = tmp_path / "data"
    data.mkdir()
    # A file where the conversations' folder must be (root ignores permissions).
    (data / "conversations").write_text("not a folder", encoding="utf-8")

    done = confab(data, str(export))

    assert done.returncode == cli.EXIT_FAILED
    assert done.stderr.splitlines()[-1].startswith("confab import: ")
    assert "Traceback" not in done.stderr + done.stdout


def test_conversations_that_cannot_be_written_fail_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.errors import WriteFailedError
    from desktop.core.services import importing

    def full_disk(path: Path, data: object, **_kw: object) -> None:
        raise WriteFailedError(f"{path.name}: No space left on device")

    monkeypatch.setattr(importing, "write_bytes_atomic", full_disk)
    export = write_chatgpt_zip(tmp_path / "export.zip", list(generate_chatgpt(2, 4)))
    out, err = io.StringIO(), io.StringIO()

    status = cli.main(["--data-dir", str(tmp_path / "data"), "import", str(export)], out, err)

    assert status == cli.EXIT_FAILED
    assert (
        err.getvalue()
        .splitlines()[-1]
        .startswith("confab import: 2 conversations could not be written to ")
    )
    assert "No space left on device" in err.getvalue()
    assert out.getvalue().startswith("0 new conversations")
    assert "could not be written: " in out.getvalue()
