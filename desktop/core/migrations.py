"""Upgrading conversation files written in an older format version.

A migration turns the parsed JSON of version ``n`` into version ``n + 1``. Storage backs the
original file up to ``backups/`` before it writes the upgraded one, so an upgrade can never
lose what the older Confab wrote. Version 1 is the first format: there is nothing to migrate
yet, and the table stays empty until the format changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from desktop.core.errors import CorruptFileError

Migration = Callable[[dict[str, Any]], dict[str, Any]]

# CONVERSATION_MIGRATIONS[n] upgrades a version-n conversation to version n + 1.
CONVERSATION_MIGRATIONS: dict[int, Migration] = {}


def upgrade(
    data: dict[str, Any], version: int, target: int, migrations: Mapping[int, Migration]
) -> dict[str, Any]:
    """``data`` (of ``version``) brought to ``target``, one step at a time."""
    while version < target:
        step = migrations.get(version)
        if step is None:
            raise CorruptFileError(f"format version {version} cannot be upgraded")
        try:
            data = step(dict(data))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorruptFileError(f"upgrading from version {version} failed: {exc}") from exc
        version += 1
        data["version"] = version
    return data
