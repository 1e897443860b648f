"""The reading loop of the exports made of lists of conversations (ChatGPT's and Claude's
conversations.json, ChatGPT's split files): each file streamed (jsonstream.py), each
conversation handed to the reader's function, what goes wrong turned into a ``Problem``
that names the file and the conversation (its number, and its title when it has one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop.core.importers import Cancelled, Event, Item, Problem, Progress
from desktop.core.importers.container import MEMBER_ERRORS, READ_ERRORS, Container
from desktop.core.importers.detection import export_files
from desktop.core.importers.jsonstream import (
    Broken,
    Ended,
    JsonStreamError,
    ListReader,
    NotAList,
    TooLarge,
)
from desktop.core.importers.reasons import (
    CONVERSION_FAILED,
    ENDS_EARLY,
    NO_CONVERSATIONS_JSON,
    NOT_A_LIST,
    NOT_AN_OBJECT,
    NOT_JSON,
    NOT_READABLE,
    SOURCE_TOO_LARGE,
    STOPPED_AFTER,
    STOPPED_AT,
    Reason,
    error_text,
    reason,
)

ReadOne = Callable[[dict[str, Any]], Item]
# What a reader's function may raise on a conversation it cannot make sense of.
CONVERSION_ERRORS = (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError)
OPEN_ERRORS = READ_ERRORS


def read_lists(
    path: Path, prepare: Callable[[Container], ReadOne], cancelled: Cancelled
) -> Iterator[Event]:
    """Every conversation of the export at ``path``; ``prepare(container)`` gives the
    function that reads one (it may first look at the other files, the images)."""
    container = Container.open_or_problem(path)
    if isinstance(container, Problem):
        yield container
        return
    with container:
        files = export_files(container)
        if not files:
            yield Problem(str(path), reason(NO_CONVERSATIONS_JSON))
            return
        read_one = prepare(container)
        total = sum(container.size(name) for name in files)
        done = 0
        before = 0
        for name in files:
            where = name if container.is_zip or path.is_dir() else str(path)
            for event in _read_file(container, name, where, read_one, cancelled):
                if isinstance(event, Progress):
                    yield Progress(done, None, before + event.bytes_done, total)
                    continue
                if isinstance(event, Item):
                    done += 1
                yield event
            if cancelled():
                return
            before += container.size(name)
        yield Progress(done, done, total, total)


def _read_file(
    container: Container, name: str, where: str, read_one: ReadOne, cancelled: Cancelled
) -> Iterator[Event]:
    try:
        stream = container.open_member(name)
    except MEMBER_ERRORS as exc:
        yield Problem(where, reason(NOT_READABLE, error=exc))
        return
    with stream:
        reader = ListReader(stream)
        count = 0
        try:
            for index, element in enumerate(reader):
                if cancelled():
                    return
                yield _one(element, f"{where} #{index + 1}", read_one)
                count = index + 1
                yield Progress(0, None, reader.bytes_read)
        except JsonStreamError as exc:
            at = where if exc.index < 0 else f"{where} #{exc.index + 1}"
            yield Problem(at, _stopped(exc))
        except OPEN_ERRORS as exc:
            yield Problem(where, reason(STOPPED_AFTER, count=count, error=exc))


def _one(data: Any, where: str, read_one: ReadOne) -> Item | Problem:
    if isinstance(data, Broken):
        return Problem(where, reason(NOT_JSON, error=data))
    if not isinstance(data, dict):
        return Problem(where, reason(NOT_AN_OBJECT, type=type(data).__name__))
    title = data.get("title", data.get("name"))
    if isinstance(title, str) and title.strip():
        where = f"{where} ({title.strip()[:60]})"
    try:
        return read_one(data)
    except CONVERSION_ERRORS as exc:
        return Problem(where, reason(CONVERSION_FAILED, error=error_text(exc)))


def _stopped(exc: JsonStreamError) -> Reason:
    if isinstance(exc, Ended):
        return reason(ENDS_EARLY)
    if isinstance(exc, NotAList):
        return reason(NOT_A_LIST)
    if isinstance(exc, TooLarge):
        return reason(SOURCE_TOO_LARGE, error=exc)
    return reason(STOPPED_AT, error=exc)
