"""Topic loggers writing to logs/confab.log, with keys and Authorization headers redacted."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,})")
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a key so that it is masked wherever it would appear in a log line."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _BEARER.sub(r"\1***", text)
    return _KEYLIKE.sub("sk-***", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path:
    folder = data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "confab.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("confab")
    root.setLevel(level)
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.propagate = False
    # httpx logs each request URL at INFO; keep that out of the user's log noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path
