"""``confab import|export|search``: the library from the command line, without a window.

The commands work on the same data folder as the app (``--data-dir``, else
``$CONFAB_DATA_DIR``, else the OS's user data folder). One Confab owns a data folder at a time
(desktop/core/instance.py):

- ``import`` writes conversation files, so it needs the folder to itself. When a Confab window
  runs with that folder, the command waits for it to close (saying so on stderr; Ctrl+C stops
  the wait), or, with ``--no-wait``, exits at once with status 3. It never writes beside a
  running app.
- ``export`` and ``search`` only read: the conversation files are replaced whole by a rename
  (a reader sees the old file or the new one, never half of one) and the index is SQLite in WAL
  mode (a reader sees the last commit). So they run beside a running app, reading what it has
  saved (``Access.owner`` False); alone, they own the folder and may bring the index up to date
  first.

Progress goes to stderr, results to stdout, so ``confab search … --json | jq`` works. Exit
status: 0 done, 1 failed (with one line saying why), 2 wrong arguments, 3 the folder is busy,
130 interrupted. No traceback reaches the user; the log has the details (logs/confab.log, or
logs/confab-cli.log for a command run beside the app).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from desktop import __version__

if TYPE_CHECKING:
    from desktop.core.search import SearchFilters

log = logging.getLogger("confab.cli")

COMMANDS = ("import", "export", "search")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
EXIT_INTERRUPTED = 130

# How often a waiting command looks whether the running Confab has let the folder go.
LOCK_POLL_S = 0.25
# A progress line on a terminal is rewritten at most this often.
PROGRESS_EVERY_S = 0.1
# Elsewhere (a log, a pipe), a line per tenth of the way, or per second when the end is unknown.
QUIET_PROGRESS_EVERY_S = 1.0


class CliError(Exception):
    """What a command says when it cannot do what it was asked: one line, no traceback."""

    def __init__(self, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# The app's options that take a value as the next word (desktop/app.py parse_args).
_VALUED_OPTIONS = frozenset({"--data-dir", "--lang", "--theme"})


def is_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` asks for a command rather than the window: its first word that is not
    an option (or an option's value) names one."""
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        if word in COMMANDS:
            return True
        if word in _VALUED_OPTIONS:
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        return False
    return False


class Progress:
    """A progress line on stderr: rewritten in place on a terminal (at most every
    PROGRESS_EVERY_S), elsewhere (a log, a pipe) one line per tenth of the way, or per
    QUIET_PROGRESS_EVERY_S when the end is not known."""

    def __init__(
        self, stream: TextIO, clock: Callable[[], float] = time.monotonic, tty: bool | None = None
    ) -> None:
        self.stream = stream
        self.clock = clock
        self.tty = stream.isatty() if tty is None else tty
        self._shown_at: float | None = None
        self._tenth = -1
        self._open = False

    def update(self, text: str, done: int = 0, total: int | None = None) -> None:
        if self.tty:
            now = self.clock()
            soon = self._shown_at is not None and now - self._shown_at < PROGRESS_EVERY_S
            if soon and (total is None or done < total):
                return
            self._shown_at = now
            self.stream.write("\r\x1b[2K" + text)
            self._open = True
        elif total:
            tenth = done * 10 // total
            if tenth == self._tenth:
                return
            self._tenth = tenth
            self.stream.write(text + "\n")
        else:  # no end known: a line a second at most
            now = self.clock()
            if self._shown_at is not None and now - self._shown_at < QUIET_PROGRESS_EVERY_S:
                return
            self._shown_at = now
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self, text: str | None = None) -> None:
        """End the progress line (and say ``text`` on a line of its own)."""
        if self._open:
            self.stream.write("\r\x1b[2K" if text else "\n")
            self._open = False
        if text:
            self.stream.write(text + "\n")
        self.stream.flush()


@dataclass
class Context:
    """What a command works with."""

    data_dir: Path
    # True: this process holds the data folder (no Confab runs with it). False: a running
    # Confab does; the command only reads what it has saved.
    owner: bool
    out: TextIO
    err: TextIO
    progress: Progress
    _lock: object | None = field(default=None, repr=False)

    def say(self, text: str) -> None:
        """A line for the person at the terminal (stderr: stdout is for results)."""
        self.err.write(text + "\n")
        self.err.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="confab",
        description="Confab's library from the command line: import, export and search the "
        "conversations of a data folder without opening a window.",
    )
    parser.add_argument("--version", action="version", version=f"Confab {__version__}")
    data_dir = argparse.ArgumentParser(add_help=False)
    data_dir.add_argument(
        "--data-dir",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the data folder (default: $CONFAB_DATA_DIR, else the user data folder of this OS)",
    )
    parser.add_argument("--data-dir", metavar="PATH", default=None, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = commands.add_parser(
        "import",
        parents=[data_dir],
        help="import a ChatGPT or Claude export, or Confab files",
        description="Import ChatGPT exports (the .zip, conversations.json or its split files), "
        "Claude exports, Confab conversation files and Confab export archives. Importing the "
        "same export again adds only what is new.",
    )
    imp.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    imp.add_argument(
        "--no-wait",
        action="store_true",
        help="if Confab is running with this data folder, exit (status 3) instead of waiting "
        "for it to close",
    )

    exp = commands.add_parser(
        "export",
        parents=[data_dir],
        help="export conversations or the whole library",
        description="Export conversations as Markdown, HTML, PDF or Confab JSON, or the whole "
        "library as one .zip (never a key).",
    )
    exp.add_argument("out", metavar="OUT", type=Path)
    exp.add_argument(
        "--format",
        choices=("md", "html", "pdf", "json", "zip"),
        help="the output format (default: from OUT's extension; zip for everything)",
    )
    exp.add_argument(
        "--conversation",
        action="append",
        default=[],
        metavar="ID",
        help="export this conversation (repeat for several; default: all)",
    )

    find = commands.add_parser(
        "search",
        parents=[data_dir],
        help="search every message of every conversation",
        description="Search every message of every conversation and branch, and the titles.",
    )
    find.add_argument("query", nargs="+", metavar="QUERY")
    find.add_argument("--json", action="store_true", help="print the hits as one JSON array")
    find.add_argument("--limit", type=int, default=20, help="at most this many hits (default 20)")
    find.add_argument("--folder", help="only in this folder and its sub-folders (Work/Clients)")
    find.add_argument("--tag", help="only conversations with this tag")
    find.add_argument("--model", help="only messages of this model (or in its conversations)")
    find.add_argument("--provider", help="only messages of this provider (its id)")
    find.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="only messages from this day on"
    )
    find.add_argument(
        "--until", type=_day, metavar="YYYY-MM-DD", help="only messages up to this day, included"
    )
    find.add_argument(
        "--role",
        choices=("user", "assistant"),
        help="only my messages (user) or only the replies (assistant)",
    )
    archived = find.add_mutually_exclusive_group()
    archived.add_argument("--archived", action="store_true", help="only archived conversations")
    archived.add_argument(
        "--not-archived", action="store_true", help="leave archived conversations out"
    )
    return parser


def _day(text: str) -> datetime:
    """A day given as YYYY-MM-DD: its start, in the local time zone."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None
    return day.astimezone()


def _filters(args: argparse.Namespace) -> SearchFilters:
    from datetime import timedelta

    from desktop.core.search import SearchFilters

    return SearchFilters(
        folder=args.folder.strip("/") if args.folder else None,
        tag=args.tag or None,
        model=args.model or None,
        provider=args.provider or None,
        since=args.since,
        until=args.until + timedelta(days=1) if args.until is not None else None,
        role=args.role,
        archived=True if args.archived else False if args.not_archived else None,
    )


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    """Import each PATH into the data folder (desktop/core/services/importing.py): progress on
    stderr, the report on stdout. Ctrl+C stops between two conversations (what was imported
    stays; status 130). Status 1 when a PATH could not be read at all (not an export, not
    found), nothing could be imported, or a conversation could not be written (a full disk);
    conversations or messages skipped inside an export are listed, and are no failure."""
    import signal
    import threading

    from desktop.core.services.importing import (
        NOT_AN_EXPORT,
        UNREADABLE,
        WRITE_FAILED,
        Importer,
        ImportProgress,
        describe,
    )
    from desktop.core.storage import ConversationStore

    paths: list[Path] = args.paths

    shown: list[ImportProgress] = []

    def progress(p: ImportProgress) -> None:
        if shown and shown[-1] == p:
            return
        shown[:] = [p]
        where = f"{paths[p.source].name}: "
        if p.total is not None:
            text = f"Importing {where}{p.done:,} of {p.total:,} conversations…"
            ctx.progress.update(text, p.done, p.total)
        elif p.bytes_total:
            # The number of conversations is known at the end: the share of the file read.
            share = p.bytes_done * 100 // p.bytes_total
            text = f"Importing {where}{share}% read, conversations so far: {p.done:,}…"
            ctx.progress.update(text, p.bytes_done, p.bytes_total)
        else:
            ctx.progress.update(f"Importing {where}conversations so far: {p.done:,}…")

    stop = threading.Event()
    importer = Importer(
        ConversationStore(ctx.data_dir), cancelled=stop.is_set, progress=progress, pace=_no_pace
    )

    def interrupted(_signum: int, _frame: object) -> None:
        stop.set()

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        report = importer.run(paths)
    finally:
        signal.signal(signal.SIGINT, previous)
        ctx.progress.done()
    out = ctx.out
    state = "Cancelled: " if report.cancelled else ""
    out.write(
        f"{state}{report.new:,} new conversations, {report.updated:,} updated, "
        f"{report.unchanged:,} already up to date; {report.messages:,} messages imported.\n"
    )
    if report.skipped:
        out.write(f"Skipped ({len(report.skipped):,}):\n")
        for skipped in report.skipped:
            why = describe(skipped)
            out.write(f"  {skipped.where}: {why}\n" if skipped.where else f"  {why}\n")
    if report.notes:
        out.write(f"Notes ({len(report.notes):,}):\n")
        for note in report.notes:
            out.write(f"  {note.where}: {note.why}\n")
    out.flush()
    if report.cancelled:
        ctx.say("confab import: interrupted; what was imported until then is kept")
        return EXIT_INTERRUPTED
    unwritten = [s for s in report.skipped if s.kind == WRITE_FAILED]
    if unwritten:
        raise CliError(
            f"{len(unwritten):,} conversations could not be written to {ctx.data_dir}: "
            f"{unwritten[0].why}"
        )
    unread = [s for s in report.skipped if s.kind in (NOT_AN_EXPORT, UNREADABLE)]
    if report.failed or unread:
        names = ", ".join(s.where for s in unread) or ", ".join(str(p) for p in paths)
        raise CliError(
            f"could not import {names}: {describe(unread[0]) if unread else 'nothing read'}"
        )
    if report.conversations == 0 and report.skipped:
        # Exports it could open, and not one conversation of them could be taken in.
        raise CliError(f"nothing could be imported: {describe(report.skipped[0])}")
    return EXIT_OK


def _no_pace() -> None:
    """The command has no window to leave turns at the GIL to."""


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    """desktop/core/services/exporting.py on the data folder: what is saved there (beside a
    running Confab too: it only reads). PDF needs Qt's text layout: an offscreen
    QGuiApplication is made for that format only."""
    from desktop.core.errors import StorageError, WriteFailedError
    from desktop.core.export.common import Style
    from desktop.core.services.exporting import EXTENSIONS, Exporter, format_of

    out: Path = args.out
    ids: list[str] | None = list(args.conversation) or None
    fmt = args.format or format_of(out) or ("zip" if ids is None else None)
    if fmt is None:
        raise CliError(
            f"cannot tell the format from {out.name!r}: add --format md, html, pdf, json or zip",
            EXIT_USAGE,
        )
    many = ids is None or len(ids) > 1
    if many and fmt != "zip" and format_of(out) == fmt and not out.is_dir():
        raise CliError(
            f"{out.name} names one {EXTENSIONS[fmt]} file, but several conversations are "
            "exported: give a folder or a .zip",
            EXIT_USAGE,
        )
    pdf = None
    if fmt == "pdf":
        _gui_for_pdf()
        from desktop.controllers.pdf import html_to_pdf

        pdf = html_to_pdf
    exporter = Exporter(
        ctx.data_dir,
        style=Style(
            provider_names=_provider_names(ctx.data_dir),
            tool_servers=_provider_names(ctx.data_dir, servers=True),
        ),
        pdf=pdf,
        app_version=__version__,
    )

    def progress(done: int, total: int) -> None:
        ctx.progress.update(f"Exporting: {done} of {total} conversations", done, total)

    try:
        result = exporter.run(ids, fmt, out, progress=progress)
    except WriteFailedError as exc:
        ctx.progress.done()
        raise CliError(f"could not write {out}: {exc.detail} (nothing was left there)") from exc
    except StorageError as exc:
        ctx.progress.done()
        raise CliError(exc.detail) from exc
    ctx.progress.done()
    for name, why in result.skipped:
        ctx.say(f"skipped {name}: {why}")
    noun = "conversation" if result.conversations == 1 else "conversations"
    carried = f", {result.attachments} attachments" if result.attachments else ""
    ctx.say(
        f"Exported {result.conversations} {noun} ({result.messages} messages{carried}) "
        f"to {result.path}"
    )
    return EXIT_OK


def _gui_for_pdf() -> None:
    """A QGuiApplication for Qt's fonts and text layout, on the offscreen platform (no
    display needed), unless one exists."""
    import os

    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        global _gui
        _gui = QGuiApplication(["confab"])


_gui: object | None = None  # the command line's QGuiApplication, kept while it runs


def _provider_names(data_dir: Path, *, servers: bool = False) -> dict[str, str]:
    """Provider ids (``servers``: MCP servers' ids) → the names the user gave them (read
    only: nothing is moved or written, even beside a running Confab)."""
    import json

    from desktop.core.fileformat import settings_from_dict

    try:
        data = json.loads((data_dir / "settings.json").read_text(encoding="utf-8-sig"))
        settings = settings_from_dict(data) if isinstance(data, dict) else None
    except (OSError, ValueError):
        return {}
    if settings is None:
        return {}
    if servers:
        return {s.id: s.name for s in settings.mcp_servers}
    return {p.id: p.name for p in settings.providers}


def run_search(args: argparse.Namespace, ctx: Context) -> int:
    """Alone on the folder: bring the index up to date (progress on stderr), then search it.
    Beside a running Confab: search the index as that one keeps it (read only)."""
    import json
    from datetime import UTC, timedelta

    from desktop.core.search import search

    query = " ".join(args.query)
    if args.limit < 1:
        raise CliError("--limit must be at least 1", EXIT_USAGE)
    from desktop.core.index import INDEX_NAME

    if ctx.owner:
        _bring_index_up_to_date(ctx)
    else:
        _say_how_far_the_running_app_is(ctx, ctx.data_dir / INDEX_NAME)
    hits = search(ctx.data_dir / INDEX_NAME, query, _filters(args), args.limit)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    if args.json:
        items = [
            {
                **hit._asdict(),
                "marks": [list(mark) for mark in hit.marks],
                "when": (epoch + timedelta(microseconds=hit.when_us)).isoformat(),
            }
            for hit in hits
        ]
        ctx.out.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    for hit in hits:
        when = (epoch + timedelta(microseconds=hit.when_us)).astimezone()
        where = "title" if hit.message_id is None else (hit.role or "message")
        ctx.out.write(
            f"{hit.title or '(untitled)'}  {when:%Y-%m-%d %H:%M}  [{where}]  "
            f"{hit.conversation_id}\n    {hit.snippet}\n"
        )
    if not hits:
        ctx.say(f"No matches for {query!r}.")
    return EXIT_OK


def _say_how_far_the_running_app_is(ctx: Context, path: Path) -> None:
    """Beside a running Confab, whose index may still be being built: a search of what it has
    read so far, said so (a bare "No matches" would be a wrong answer), or none at all."""
    import sqlite3

    from desktop.core.index import SCHEMA_VERSION

    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema {version}")
            total = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
            known = db.execute("SELECT count(*) FROM search_state WHERE text_known = 1").fetchone()[
                0
            ]
        finally:
            db.close()
    except sqlite3.Error:
        raise CliError(
            "the running Confab is still building its index: search again once it has "
            "finished (its window says how far it is)"
        ) from None
    if known < total:
        ctx.say(
            f"The running Confab has read {known:,} of {total:,} conversations for search so "
            "far: what it has not read yet is not found."
        )


def _bring_index_up_to_date(ctx: Context) -> None:
    """Reconcile the index with the folder, then let the background text pass (an index of
    an older schema) finish, saying how far each has come."""
    from desktop.core.index import Library, ScanReport
    from desktop.core.storage import ConversationStore

    library = Library(ConversationStore(ctx.data_dir))
    try:
        library.open().result()

        def report(part: ScanReport) -> None:
            if part.total:
                ctx.progress.update(
                    f"Indexing {part.done:,} of {part.total:,} conversations…",
                    part.done,
                    part.total,
                )

        scan = library.reconcile(report, tidy=True)
        scan.result()
        while True:
            shown = library.text_progress
            if shown is not None:
                done, total = shown
                ctx.progress.update(
                    f"Indexing messages for search: {done:,} of {total:,} conversations…",
                    done,
                    total,
                )
            if not library.busy:
                break
            time.sleep(0.1)
        library.wait_for_usage()
        ctx.progress.done()
    finally:
        library.close()


_RUN: dict[str, tuple[Callable[[argparse.Namespace, Context], int], bool]] = {
    # command: (its function, whether it writes: then it needs the folder to itself)
    "import": (run_import, True),
    "export": (run_export, False),
    "search": (run_search, False),
}


@contextmanager
def _folder(
    data_dir: Path, *, writes: bool, wait: bool, err: TextIO
) -> Iterator[tuple[bool, object | None]]:
    """Take the data folder's lock if no Confab holds it. A command that writes waits for a
    running one to close (or, ``wait`` False, fails with EXIT_BUSY)."""
    from desktop.core.instance import DataFolderLock

    lock = DataFolderLock(data_dir)
    owner = lock.acquire()
    if not owner and writes:
        if not wait:
            raise CliError(
                f"Confab is running with the data folder {data_dir}; close it and try again "
                "(or leave out --no-wait to wait for it).",
                EXIT_BUSY,
            )
        err.write(
            f"Confab is running with the data folder {data_dir}: waiting for it to close "
            "(Ctrl+C to stop)…\n"
        )
        err.flush()
        while not lock.acquire():
            time.sleep(LOCK_POLL_S)
        owner = True
    try:
        yield owner, lock if owner else None
    finally:
        if owner:
            lock.release()


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: --help, --version, or wrong arguments
        return int(exc.code or 0)
    from desktop.core.errors import StorageError
    from desktop.core.paths import prepare_data_dir, resolve_data_dir

    function, writes = _RUN[args.command]
    try:
        data_dir = prepare_data_dir(resolve_data_dir(args.data_dir))
        wait = not getattr(args, "no_wait", False)
        with _folder(data_dir, writes=writes, wait=wait, err=err) as (owner, lock):
            _log_to(data_dir, owner)
            ctx = Context(data_dir, owner, out, err, Progress(err), lock)
            return function(args, ctx)
    except CliError as exc:
        err.write(f"confab {args.command}: {exc.message}\n")
        return exc.status
    except StorageError as exc:
        err.write(f"confab {args.command}: cannot use the data folder: {exc.detail}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.write(f"\nconfab {args.command}: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `confab search … | head`
        return EXIT_OK
    except Exception as exc:  # the last resort: one line here, the traceback in the log
        log.exception("confab %s failed", args.command)
        err.write(
            f"confab {args.command}: failed: {type(exc).__name__}: {exc} "
            "(details in the data folder's logs)\n"
        )
        return EXIT_FAILED


def _log_to(data_dir: Path, owner: bool) -> None:
    """The app's log when no Confab runs with the folder; beside a running one, a log of the
    command's own (two processes rotating one file would lose lines, and on Windows fail)."""
    from desktop.core.logs import setup_logging

    setup_logging(data_dir, name="confab.log" if owner else "confab-cli.log")
