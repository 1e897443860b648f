"""Every conversation and settings file Confab writes during the test suite is checked against
its JSON Schema (resources/schema/, docs/format.md).

Every file Confab writes goes through desktop/core/atomic.py's ``write_bytes_atomic`` (the
writer thread's default ``write`` included, desktop/core/writer.py, which binds it when the
module is made): this plugin puts a recorder in its place before any test module imports it.
The recorder writes as the real one does, and keeps what it wrote to ``conversations/``,
``trash/`` or a ``settings.json``; after each test (and once more at the end of the session,
for writes that ended later) everything kept is validated, and the test fails on the first
file that does not match. Files a test writes itself (hostile data, made by hand) do not go
through atomic.py, and backups of such files (``backups/``, ``settings.corrupt*.json``) are
copies of what was there, not Confab's writing: neither is checked.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from desktop.core import atomic

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "resources" / "schema"

_original = atomic.write_bytes_atomic
_lock = threading.Lock()
_written: list[tuple[Path, bytes]] = []
# How many files were checked, by schema: a check that never ran would pass vacuously.
checked: dict[str, int] = {"conversation": 0, "settings": 0}


def schema_for(path: Path) -> str | None:
    """Which schema a file Confab writes at ``path`` must match, if any."""
    if path.suffix != ".json" or path.name.startswith("."):
        return None
    if path.parent.name in ("conversations", "trash"):
        return "conversation"
    if path.name == "settings.json":
        return "settings"
    return None


def record_write(path: Path, data: bytes | Iterable[bytes], **how: Any) -> None:
    """atomic.write_bytes_atomic, keeping a copy of a conversation or settings file."""
    if not isinstance(data, bytes | bytearray):
        data = list(data)
    _original(path, data, **how)
    if schema_for(Path(path)) is not None:
        content = bytes(data) if isinstance(data, bytes | bytearray) else b"".join(data)
        with _lock:
            _written.append((Path(path), content))


def _install() -> None:
    atomic.write_bytes_atomic = record_write
    # Modules made before this one bound the real function: give them the recorder too.
    for name, module in list(sys.modules.items()):
        if name.startswith("desktop.") and getattr(module, "write_bytes_atomic", None) is _original:
            module.write_bytes_atomic = record_write  # type: ignore[attr-defined]
    from desktop.core import writer

    defaults = writer.FileWriter.__init__.__defaults__ or ()
    writer.FileWriter.__init__.__defaults__ = tuple(
        record_write if value is _original else value for value in defaults
    )


_install()


@cache
def validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(path: Path, content: bytes) -> list[str]:
    """What is wrong with ``content``, written to ``path``, by its schema."""
    name = schema_for(path)
    assert name is not None
    try:
        data = json.loads(content.decode("utf-8"))
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    checked[name] += 1
    found = sorted(validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:200]}" for e in found]


def _take() -> list[tuple[Path, bytes]]:
    with _lock:
        taken = list(_written)
        _written.clear()
    return taken


def _check_taken() -> list[str]:
    failures: list[str] = []
    seen: set[tuple[Path, bytes]] = set()
    for path, content in _take():
        if (path, content) in seen:
            continue
        seen.add((path, content))
        found = problems(path, content)
        if found:
            failures.append(f"{path.parent.name}/{path.name}: " + "; ".join(found[:5]))
    return failures


@pytest.fixture(autouse=True)
def _written_files_match_the_schema() -> Iterator[None]:
    yield
    failures = _check_taken()
    if failures:
        pytest.fail(
            "Confab wrote files that do not match resources/schema/:\n" + "\n".join(failures[:5]),
            pytrace=False,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    failures = _check_taken()
    if failures:
        session.shouldfail = "files written after their test do not match the schema"
        sys.stderr.write("\n".join(["Schema failures:", *failures]) + "\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        f"schema-checked writes: {checked['conversation']} conversation files, "
        f"{checked['settings']} settings files (resources/schema/)"
    )
