"""An index.sqlite3 as an older Confab left it: schema version 3 (before the attachments
table), 2 (before search's tables and the archived column too) or 1 (before the usage table
too), made from a current index by dropping what the later versions added, the rows kept as
they are."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def downgrade_to_version_3(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("DROP TABLE attachments")
        db.execute("PRAGMA user_version = 3")
    finally:
        db.close()


def downgrade_to_version_2(path: Path) -> None:
    downgrade_to_version_3(path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for table in ("search_fts", "search_text", "search_tags", "search_state"):
            db.execute(f"DROP TABLE {table}")
        db.execute("DROP INDEX conversations_listed")
        db.execute("ALTER TABLE conversations DROP COLUMN archived")
        db.execute(
            "CREATE INDEX conversations_listed ON conversations "
            "(updated_us DESC, id DESC, title, pinned)"
        )
        db.execute("PRAGMA user_version = 2")
    finally:
        db.close()


def downgrade_to_version_1(path: Path) -> None:
    downgrade_to_version_2(path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("DROP TABLE usage")
        db.execute("DROP INDEX conversations_usage_unknown")
        db.execute("ALTER TABLE conversations DROP COLUMN usage_known")
        db.execute("PRAGMA user_version = 1")
    finally:
        db.close()
