"""The command line's frame (desktop/cli.py): which words mean a command, the data folder's
lock beside a running Confab, the progress line, and no window or Qt for a command."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli
from desktop.core.instance import DataFolderLock

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["import", "x.zip"], True),
        (["--data-dir", "/tmp/d", "search", "q"], True),
        (["--lang", "zh_CN", "export", "out.zip"], True),
        ([], False),
        (["--data-dir", "/tmp/import"], False),  # a folder named like a command is a value
        (["--theme", "dark"], False),
        (["some-file.json"], False),
    ],
)
def test_which_words_ask_for_a_command(argv: list[str], expected: bool) -> None:
    assert cli.is_command(argv) is expected


def test_a_command_that_writes_is_refused_beside_a_running_confab_with_no_wait(
    tmp_path: Path,
) -> None:
    running = DataFolderLock(tmp_path)
    assert running.acquire()
    err = io.StringIO()
    try:
        status = cli.main(
            ["--data-dir", str(tmp_path), "import", "--no-wait", str(tmp_path / "x.zip")],
            out=io.StringIO(),
            err=err,
        )
    finally:
        running.release()
    assert status == cli.EXIT_BUSY
    assert "Confab is running" in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_a_reading_command_runs_beside_a_running_confab_without_its_lock(tmp_path: Path) -> None:
    running = DataFolderLock(tmp_path)
    assert running.acquire()
    try:
        with cli._folder(tmp_path, writes=False, wait=True, err=io.StringIO()) as (owner, lock):
            assert owner is False
            assert lock is None
        with cli._folder(tmp_path, writes=True, wait=False, err=io.StringIO()) as _:
            pytest.fail("a writing command went on beside the running Confab")
    except cli.CliError as exc:
        assert exc.status == cli.EXIT_BUSY
    finally:
        running.release()
    # Alone, a reading command owns the folder, and lets it go at the end.
    with cli._folder(tmp_path, writes=False, wait=True, err=io.StringIO()) as (owner, _lock):
        assert owner is True
        assert not DataFolderLock(tmp_path).acquire()
    again = DataFolderLock(tmp_path)
    assert again.acquire()
    again.release()


def test_a_writing_command_waits_for_the_running_confab_to_close(tmp_path: Path) -> None:
    running = DataFolderLock(tmp_path)
    assert running.acquire()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path), "import", "nothing.zip"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert child.stderr is not None
        first = child.stderr.readline()
        assert "waiting for it to close" in first
        assert child.poll() is None  # still waiting while the app holds the folder
        running.release()
        _out, rest = child.communicate(timeout=60)
    finally:
        running.release()
        if child.poll() is None:
            child.kill()
            child.wait()
    # Once the folder is free the command ran: whatever it said, it said it in a line, and the
    # folder is free again after it.
    assert child.returncode in (cli.EXIT_OK, cli.EXIT_FAILED)
    assert "Traceback" not in rest
    assert "confab import" in rest
    free = DataFolderLock(tmp_path)
    assert free.acquire()
    free.release()


def test_a_command_beside_a_running_confab_writes_a_log_of_its_own(tmp_path: Path) -> None:
    running = DataFolderLock(tmp_path)
    assert running.acquire()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path), "search", "x"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
            check=False,
        )
    finally:
        running.release()
    assert "Traceback" not in done.stderr
    assert (tmp_path / "logs" / "confab-cli.log").exists()
    assert not (tmp_path / "logs" / "confab.log").exists()  # the app's own, not rotated by two


def test_a_command_loads_no_qt(tmp_path: Path) -> None:
    code = (
        "import sys; from desktop.app import main; "
        f"status = main(['--data-dir', {str(tmp_path)!r}, 'search', 'anything']); "
        "print(status, 'PySide6' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.stdout.split()[-1] == "False", done.stderr


def test_the_progress_line_on_a_terminal_is_rewritten_at_most_every_tenth_of_a_second() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = cli.Progress(stream, clock=lambda: now[0], tty=True)
    progress.update("1 of 100", 1, 100)
    now[0] = 0.05
    progress.update("2 of 100", 2, 100)  # too soon: not shown
    now[0] = 0.2
    progress.update("3 of 100", 3, 100)
    now[0] = 0.21
    progress.update("100 of 100", 100, 100)  # the last always shows
    progress.done("Done.")
    text = stream.getvalue()
    assert "2 of 100" not in text
    assert text.count("\r") == 4  # three updates, and the line cleared for "Done."
    assert "100 of 100" in text
    assert text.endswith("Done.\n")


def test_the_progress_elsewhere_is_one_line_per_tenth() -> None:
    stream = io.StringIO()
    progress = cli.Progress(stream, tty=False)
    for done in range(1, 1001):
        progress.update(f"{done} of 1000", done, 1000)
    progress.done()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "1 of 1000"
    assert lines[-1] == "1000 of 1000"
    assert len(lines) == 11  # 0/10 … 10/10


def test_the_progress_elsewhere_without_an_end_is_a_line_a_second() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = cli.Progress(stream, clock=lambda: now[0], tty=False)
    for done in range(1, 101):
        now[0] = done * 0.1  # ten updates a second for ten seconds
        progress.update(f"conversations so far: {done:,}…", done)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "conversations so far: 1…"
    assert 9 <= len(lines) <= 11
