"""An index.sqlite3 as a Confab of schema version 1 left it (before the usage table): made from
a version-2 index by dropping what version 2 added, the rows kept as they are."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def downgrade_to_version_1(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("DROP TABLE usage")
        db.execute("DROP INDEX conversations_usage_unknown")
        db.execute("ALTER TABLE conversations DROP COLUMN usage_known")
        db.execute("PRAGMA user_version = 1")
    finally:
        db.close()
