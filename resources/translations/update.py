"""Refresh the translation files from the code: lupdate into the .ts, then lrelease into the .qm.

    .venv/bin/python resources/translations/update.py           # keep vanished strings
    .venv/bin/python resources/translations/update.py --prune   # drop them (-no-obsolete)

lupdate reads every .py file under desktop/ and merges the tr()/translate() strings it finds into
confab_<locale>.ts: new strings arrive as unfinished, strings gone from the code are kept but
marked vanished (lrelease never compiles those, so they cost nothing at run time and their
translation comes back by itself if the string returns, e.g. after a revert or while a string is
temporarily out of lupdate's sight). --prune removes them once you are sure. Translate the
unfinished strings (Qt Linguist, or by hand: fill <translation>, remove type="unfinished") and
run this script again to build the .qm; tests/ui/test_translations.py checks both files.

lupdate only sees literal strings in self.tr("..."), QCoreApplication.translate("Ctx", "...")
and QT_TRANSLATE_NOOP("Ctx", "..."); a string passed through a helper function, a variable or an
f-string is not extracted (or extracted wrongly).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE_DIR = ROOT / "desktop"
LOCALES = ("zh_CN", "en")
SOURCE_LANGUAGE = "en"
# English needs only the plural forms of "%n file(s)" ("1 file", "2 files"): lupdate's
# -pluralonly puts just the strings with %n into confab_en.ts.
LOCALE_FLAGS: dict[str, tuple[str, ...]] = {"en": ("-pluralonly", "-target-language", "en")}

# Relative line numbers: each location is stored relative to the previous one in the same file,
# so an edit shifts one entry instead of rewriting every location after it (smaller diffs).
LUPDATE_FLAGS = ("-locations", "relative", "-source-language", SOURCE_LANGUAGE)
# Ship reviewed translations only: a string still marked unfinished stays English at run time.
LRELEASE_FLAGS = ("-nounfinished",)


class ToolMissing(RuntimeError):
    pass


def find_tool(name: str) -> str:
    """pyside6-<name> from the interpreter's own bin/Scripts folder, else from PATH."""
    exe = f"pyside6-{name}"
    suffixes = (".exe", "") if os.name == "nt" else ("",)
    for suffix in suffixes:
        candidate = Path(sys.executable).parent / f"{exe}{suffix}"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(exe)
    if found:
        return found
    raise ToolMissing(
        f"{exe} not found next to {sys.executable} or on PATH. It ships with PySide6 "
        f"(PySide6-Essentials): run this script with the project's virtualenv Python, e.g. "
        f".venv/bin/python {Path(__file__).relative_to(ROOT)}"
    )


def source_files(root: Path = ROOT) -> list[str]:
    """Every .py file under desktop/, sorted, relative to ``root`` (stable .ts locations)."""
    return sorted(p.relative_to(root).as_posix() for p in (root / "desktop").rglob("*.py"))


def ts_path(locale: str) -> Path:
    return HERE / f"confab_{locale}.ts"


def qm_path(locale: str) -> Path:
    return HERE / f"confab_{locale}.qm"


def run(command: Sequence[str], cwd: Path = ROOT) -> str:
    """Run a tool; its output is returned, and a failure raises with that output."""
    result = subprocess.run(
        list(command), cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, command, output=output)
    return output


def lupdate(ts: Path, *, prune: bool = False, extra: Sequence[str] = ()) -> str:
    flags = [*LUPDATE_FLAGS, *(("-no-obsolete",) if prune else ()), *extra]
    return run([find_tool("lupdate"), *flags, *source_files(), "-ts", str(ts)])


def lrelease(ts: Path, qm: Path) -> str:
    return run([find_tool("lrelease"), *LRELEASE_FLAGS, str(ts), "-qm", str(qm)])


def unfinished(ts: Path) -> list[str]:
    """'Context: source' of every live message still waiting for a translation."""
    waiting = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "unfinished"
            if kind == "unfinished":
                source = re.sub(r"\s+", " ", message.findtext("source", ""))
                waiting.append(f"{name}: {source}")
    return waiting


def indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--prune", action="store_true", help="drop vanished strings from the .ts (-no-obsolete)"
    )
    args = parser.parse_args(argv)
    try:
        tools = {name: find_tool(name) for name in ("lupdate", "lrelease")}
    except ToolMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    files = source_files()
    print(f"{len(files)} source files under desktop/; lupdate: {tools['lupdate']}")
    for locale in LOCALES:
        ts, qm = ts_path(locale), qm_path(locale)
        try:
            print(f"lupdate -> {ts.relative_to(ROOT)}")
            print(indent(lupdate(ts, prune=args.prune, extra=LOCALE_FLAGS.get(locale, ()))))
            print(f"lrelease -> {qm.relative_to(ROOT)}")
            print(indent(lrelease(ts, qm)))
        except subprocess.CalledProcessError as exc:
            print(f"error: {Path(exc.cmd[0]).name} failed ({exc.returncode}):", file=sys.stderr)
            print(indent(exc.output or ""), file=sys.stderr)
            return 1
        waiting = unfinished(ts)
        if waiting:
            print(f"{len(waiting)} string(s) in {ts.name} still need a translation:")
            print(indent("\n".join(waiting)))
            print("Translate them, then run this script again to rebuild the .qm.")
        else:
            print(f"{ts.name}: every string is translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
