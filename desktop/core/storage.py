"""One JSON file per conversation in ``conversations/``; deleted ones go to ``trash/``;
unreadable ones are moved to ``quarantine/`` and never deleted."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.atomic import write_json_atomic
from desktop.core.errors import CorruptFileError, StorageError
from desktop.core.models import Conversation, ConversationSummary, new_id, sort_newest_first

log = logging.getLogger("confab.storage")

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass
class LoadReport:
    summaries: list[ConversationSummary] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)


class ConversationStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.folder = data_dir / "conversations"
        self.trash = data_dir / "trash"
        self.quarantine = data_dir / "quarantine"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.copies: list[str] = []

    def path_of(self, conversation_id: str) -> Path:
        if not _SAFE_ID.match(conversation_id):
            raise StorageError(f"invalid conversation id {conversation_id!r}")
        return self.folder / f"{conversation_id}.json"

    def save(self, conversation: Conversation) -> None:
        write_json_atomic(self.path_of(conversation.id), conversation.to_dict())

    def load(self, conversation_id: str) -> Conversation:
        return self._read(self.path_of(conversation_id))

    def load_all(self) -> tuple[list[Conversation], list[str]]:
        """Every readable conversation, and the file names that had to be quarantined.

        A file whose name is not its conversation's id (a sync tool's conflict copy such as
        ``<id>.sync-conflict-….json``, or a copy made by hand) would shadow the real file, and
        the next save would overwrite one with the other. Such a copy is opened as a separate
        conversation under a new id; the original file is moved to quarantine/, never deleted.
        Their names are in ``self.copies``.
        """
        conversations: list[Conversation] = []
        quarantined: list[str] = []
        self.copies = []
        seen: set[str] = set()
        # The files named after their id first: they are the real ones.
        paths = sorted(self.folder.glob("*.json"))
        for path in sorted(paths, key=lambda p: not _SAFE_ID.match(p.stem)):
            try:
                conversation = self._read(path)
            except CorruptFileError as exc:
                log.warning("quarantining %s: %s", path.name, exc.detail)
                self._quarantine(path)
                quarantined.append(path.name)
                continue
            except StorageError as exc:
                log.warning("cannot read %s: %s", path.name, exc.detail)
                continue
            if path.stem != conversation.id or conversation.id in seen:
                adopted = self._adopt_copy(path, conversation)
                if adopted is None:
                    continue
                conversation = adopted
            seen.add(conversation.id)
            conversations.append(conversation)
        return conversations, quarantined

    def _adopt_copy(self, path: Path, conversation: Conversation) -> Conversation | None:
        conversation.extra["copied_from"] = path.name
        conversation.id = new_id()
        try:
            self.save(conversation)
        except StorageError as exc:
            log.error("could not keep the copy %s: %s", path.name, exc.detail)
            return None
        log.warning(
            "%s is a copy of another conversation: opened as %s", path.name, conversation.id
        )
        self._quarantine(path)
        self.copies.append(path.name)
        return conversation

    def scan(self) -> LoadReport:
        conversations, quarantined = self.load_all()
        return LoadReport(
            sort_newest_first(ConversationSummary.of(c) for c in conversations), quarantined
        )

    def delete(self, conversation_id: str) -> None:
        """Move the file to trash/ (restorable), replacing an older trashed copy."""
        source = self.path_of(conversation_id)
        if not source.exists():
            return
        self.trash.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, self.trash / source.name)
        except OSError as exc:
            raise StorageError(f"{source.name}: {exc.strerror or exc}") from exc

    def restore(self, conversation_id: str) -> Conversation:
        source = self.trash / self.path_of(conversation_id).name
        conversation = self._read(source)
        os.replace(source, self.path_of(conversation_id))
        return conversation

    def _read(self, path: Path) -> Conversation:
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"{path.name} does not exist") from exc
        except OSError as exc:
            raise StorageError(f"{path.name}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise CorruptFileError(f"{path.name}: {exc}") from exc
        return Conversation.from_dict(data)

    def _quarantine(self, path: Path) -> None:
        self.quarantine.mkdir(parents=True, exist_ok=True)
        target = self.quarantine / path.name
        counter = 1
        while target.exists():
            target = self.quarantine / f"{path.stem}.{counter}{path.suffix}"
            counter += 1
        try:
            shutil.move(str(path), target)
        except OSError as exc:
            log.error("could not quarantine %s: %s", path.name, exc)
