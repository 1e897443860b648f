"""The main window's keyboard shortcuts: every action under a stable id, with its default
keys; the user's changes (settings.json ``shortcuts``, id → QKeySequence PortableText) on top.

The window registers each QAction (or QShortcut) once, at start, and applies the user's keys
then and whenever they change (Preferences → Shortcuts). Other parts of the window register
theirs the same way::

    window.shortcuts.register("compare", compare_action, "Ctrl+Shift+M")

Keys that widgets made later handle themselves (a message's actions, one QShortcut per
message) are declared once, with a label, and read where they are needed; ``changed`` says
when to read them again::

    window.shortcuts.declare("copy_message", "Ctrl+Shift+C", tr("Copy the Message"))
    keys = window.shortcuts.sequences("copy_message")

A target deleted since (a widget gone) is simply left out from then on.

An id is stable: settings.json refers to it. A default may be a standard key (Find, Find
Next…), which has the platform's keys (sometimes several).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut

PORTABLE = QKeySequence.SequenceFormat.PortableText
NATIVE = QKeySequence.SequenceFormat.NativeText

# The row of the global quick-ask shortcut (settings.json ``quick_ask_shortcut``) among the
# window's: listed and checked with them, though it is not one of the window's actions.
GLOBAL_QUICK_ASK = "global_quick_ask"
# A window action that does what the global shortcut does may share its key.
_SAME_AS_GLOBAL = frozenset({"quick_ask"})

Default = str | QKeySequence.StandardKey | Sequence[str]


def portable(keys: QKeySequence | str) -> str:
    """A key sequence as settings.json keeps it ("" for none); text is normalised."""
    sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
    return sequence.toString(PORTABLE)


def shown(keys: str) -> str:
    """A PortableText key sequence as this platform writes it (⌘N on macOS)."""
    return QKeySequence(keys).toString(NATIVE) if keys else ""


def _defaults(default: Default) -> tuple[str, ...]:
    if isinstance(default, QKeySequence.StandardKey):
        found = [portable(k) for k in QKeySequence.keyBindings(default)]
    elif isinstance(default, str):
        found = [portable(default)]
    else:
        found = [portable(k) for k in default]
    return tuple(dict.fromkeys(k for k in found if k))


def _label(text: str) -> str:
    """A menu text as a row's label: without its mnemonic (also the "(&N)" that Chinese and
    Japanese menus add) and its ellipsis."""
    text = _ADDED_MNEMONIC.sub("", text)
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


_ADDED_MNEMONIC = re.compile(r"\s*\(&\w\)")


@dataclass
class Entry:
    id: str
    label: str
    defaults: tuple[str, ...]
    targets: list[QAction | QShortcut] = field(default_factory=list)


class ShortcutRegistry(QObject):
    # The keys of the actions changed (the user's were applied).
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: dict[str, Entry] = {}
        self._overrides: dict[str, str] = {}

    def register(
        self,
        action_id: str,
        target: QAction | QShortcut,
        default: Default = "",
        label: str | None = None,
    ) -> None:
        """``target`` answers to ``action_id``'s keys: ``default`` until the user changes
        them. ``label`` is what Preferences shows (the action's text when not given). The
        same id twice adds a second target with the first one's keys."""
        if label is None:
            label = _label(target.text()) if isinstance(target, QAction) else action_id
        entry = self.declare(action_id, default, label)
        entry.targets.append(target)
        self._set(target, self.keys(action_id))

    def declare(self, action_id: str, default: Default = "", label: str = "") -> Entry:
        """An action whose keys are read (``sequences``) rather than set on a target; listed
        in Preferences as ``label``. The first declaration of an id wins."""
        entry = self._entries.get(action_id)
        if entry is None:
            entry = Entry(action_id, label or action_id, _defaults(default))
            self._entries[action_id] = entry
        return entry

    def sequences(self, action_id: str) -> list[QKeySequence]:
        """The keys an action has now, as Qt wants them."""
        return [QKeySequence(k) for k in self.keys(action_id)]

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def entry(self, action_id: str) -> Entry | None:
        return self._entries.get(action_id)

    def keys(self, action_id: str, overrides: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """The keys of an action with ``overrides`` (the ones applied when None)."""
        overrides = self._overrides if overrides is None else overrides
        entry = self._entries.get(action_id)
        if action_id in overrides:
            key = portable(overrides[action_id])
            return (key,) if key else ()
        return entry.defaults if entry is not None else ()

    def apply(self, overrides: Mapping[str, str]) -> None:
        """The user's keys (settings.json ``shortcuts``) on every target; ids that are not
        registered (yet, or any more) are kept for when they are."""
        self._overrides = dict(overrides)
        for entry in self._entries.values():
            entry.targets = [t for t in entry.targets if shiboken6.isValid(t)]
            for target in entry.targets:
                self._set(target, self.keys(entry.id))
        self.changed.emit()

    @staticmethod
    def _set(target: QAction | QShortcut, keys: Sequence[str]) -> None:
        sequences = [QKeySequence(k) for k in keys]
        if isinstance(target, QAction):
            target.setShortcuts(sequences)
        else:
            target.setKeys(sequences)


def conflicts(assigned: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """The ids whose keys another id has too: id → the ids it clashes with. Keys are
    compared as Qt reads them ("ctrl+n" and "Ctrl+N" are one)."""
    owners: dict[str, set[str]] = {}
    for action_id, keys in assigned.items():
        for key in keys:
            normal = portable(key)
            if normal:
                owners.setdefault(normal, set()).add(action_id)
    clashes: dict[str, set[str]] = {}
    for ids in owners.values():
        if GLOBAL_QUICK_ASK in ids and ids - {GLOBAL_QUICK_ASK} <= _SAME_AS_GLOBAL:
            continue
        if len(ids) > 1:
            for action_id in ids:
                clashes.setdefault(action_id, set()).update(ids - {action_id})
    return clashes
