"""`confab export` as a person scripts it: a process of its own on a data folder, its output
files opened, its exit status and its one line when it cannot."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf

from tests.support.export_samples import CHINESE, plain_conversation, sample_conversation, write

ROOT = Path(__file__).resolve().parent.parent


def confab(data: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # no display asked
    env["PYTHONPATH"] = str(ROOT)
    code = (
        "import sys; from desktop.app import main; "
        f"status = main(['--data-dir', {str(data)!r}, 'export', *{list(args)!r}]); "
        "print('qt' if 'PySide6' in sys.modules else 'no-qt'); sys.exit(status)"
    )

    def small_files() -> None:  # a disk that fills up after ``limit`` bytes of a file
        assert limit is not None
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        preexec_fn=small_files if limit else None,
    )


def test_the_whole_library_as_a_zip_without_qt(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, sample_conversation(), plain_conversation("second", "Second"))
    out = tmp_path / "library.zip"
    done = confab(data, str(out))
    assert done.returncode == 0, done.stderr
    assert "Exported 2 conversations (7 messages) to" in done.stderr
    assert done.stdout.split()[-1] == "no-qt"
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert {"conversations/c0ffee01.json", "conversations/second.json", "manifest.json"} <= names
    assert (manifest["format"], manifest["conversations"]) == ("confab.export", 2)


def test_one_conversation_in_the_format_its_name_says(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, sample_conversation(), plain_conversation("second", "Second"))
    out = tmp_path / "poem.md"
    done = confab(data, "--conversation", "c0ffee01", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("# 北国春光\n")


def test_a_pdf_with_chinese_that_reads_back_as_chinese(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, sample_conversation())
    out = tmp_path / "poem.pdf"
    done = confab(data, "--format", "pdf", "--conversation", "c0ffee01", str(out))
    assert done.returncode == 0, done.stderr
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    text = re.sub(r"\s+", "", text)  # pypdf breaks lines between fonts
    assert "北国春光" in text and CHINESE in text
    assert "defhello():" in text


def test_a_conversation_that_does_not_exist_fails_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, sample_conversation())
    done = confab(data, "--conversation", "nope", str(tmp_path / "x.md"))
    assert done.returncode == 1
    assert "confab export: no such conversation: nope" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.md").exists()


def test_several_conversations_into_one_markdown_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, sample_conversation(), plain_conversation("second", "Second"))
    done = confab(data, str(tmp_path / "all.md"))
    assert done.returncode == 2
    assert "give a folder or a .zip" in done.stderr


def test_a_full_disk_says_so_and_leaves_no_half_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    big = os.urandom(150_000).hex()  # does not compress below the limit
    write(data, plain_conversation("big", "Big", big))
    (data / "logs").mkdir(parents=True, exist_ok=True)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    done = confab(data, str(out_dir / "library.zip"), limit=100_000)
    assert done.returncode == 1
    assert "could not write" in done.stderr and "File too large" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(out_dir.iterdir()) == []
