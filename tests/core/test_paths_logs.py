"""Data folder resolution, the redacting log, and what a request carries."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
import pytest

from desktop.core import logs
from desktop.core.context import request_messages
from desktop.core.errors import StorageError
from desktop.core.models import Conversation, Message
from desktop.core.paths import ENV_DATA_DIR, prepare_data_dir, resolve_data_dir

# --- data folder -----------------------------------------------------------------------------


def test_cli_wins_over_env_and_platform(tmp_path: Path) -> None:
    env = {ENV_DATA_DIR: str(tmp_path / "from-env")}
    assert resolve_data_dir(str(tmp_path / "from-cli"), env) == tmp_path / "from-cli"


def test_env_wins_over_platform(tmp_path: Path) -> None:
    env = {ENV_DATA_DIR: str(tmp_path / "from-env")}
    assert resolve_data_dir(None, env) == tmp_path / "from-env"
    assert resolve_data_dir("", env) == tmp_path / "from-env"


def test_platformdirs_when_nothing_given() -> None:
    expected = Path(platformdirs.user_data_dir("Confab", appauthor=False))
    assert resolve_data_dir(None, {}) == expected
    assert resolve_data_dir(None, {ENV_DATA_DIR: ""}) == expected


def test_reads_the_real_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env-dir"))
    assert resolve_data_dir(None) == tmp_path / "env-dir"


def test_paths_are_expanded_and_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir("~/confab", {}) == tmp_path / "confab"
    assert resolve_data_dir("relative", {}) == tmp_path / "relative"
    assert resolve_data_dir(None, {ENV_DATA_DIR: "~/e"}) == tmp_path / "e"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_prepare_makes_a_private_folder(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "Confab"
    assert prepare_data_dir(target) == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert (target / "conversations").is_dir()  # logs/ comes with the log (setup_logging)


def test_a_file_named_logs_does_not_stop_the_data_folder(tmp_path: Path) -> None:
    target = tmp_path / "Confab"
    target.mkdir()
    (target / "logs").write_text("not a folder")
    assert prepare_data_dir(target) == target


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_prepare_tightens_an_existing_open_folder(tmp_path: Path) -> None:
    target = tmp_path / "Confab"
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    prepare_data_dir(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_prepare_on_a_file_raises_storage_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(StorageError):
        prepare_data_dir(target)


# --- logs ------------------------------------------------------------------------------------


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(logs, "_secrets", set())
    root = logging.getLogger("confab")
    saved = (root.level, root.propagate, list(root.handlers))
    httpx_level = logging.getLogger("httpx").level
    path = logs.setup_logging(tmp_path)
    try:
        yield path
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        root.setLevel(saved[0])
        root.propagate = saved[1]
        for handler in saved[2]:
            root.addHandler(handler)
        logging.getLogger("httpx").setLevel(httpx_level)


def read_log(path: Path) -> str:
    for handler in logging.getLogger("confab").handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_log_goes_to_logs_folder(log_file: Path, tmp_path: Path) -> None:
    assert log_file == tmp_path / "logs" / "confab.log"
    logging.getLogger("confab.storage").info("saved %s", "abc")
    text = read_log(log_file)
    assert "confab.storage" in text and "saved abc" in text


def test_authorization_header_is_redacted(log_file: Path) -> None:
    key = "sk-proj-AbCdEf0123456789xyz"
    log = logging.getLogger("confab.client")
    log.info("headers: {'Authorization': 'Bearer %s', 'Accept': 'text/event-stream'}", key)
    log.warning("Authorization: Bearer %s", key)
    log.info("key in a url ?key=%s&x=1", key)

    text = read_log(log_file)
    assert key not in text
    assert "AbCdEf0123456789xyz" not in text
    assert "Bearer ***" in text
    assert "text/event-stream" in text


def test_registered_secrets_are_redacted_even_without_a_known_shape(log_file: Path) -> None:
    secret = "gsk_local-server-token-42"
    logs.register_secret(secret)
    log = logging.getLogger("confab.secrets")
    log.info("the server said: invalid key %s", secret)
    try:
        raise ValueError(f"rejected {secret}")
    except ValueError:
        log.exception("request failed")

    text = read_log(log_file)
    assert secret not in text
    assert "invalid key ***" in text
    assert "rejected ***" in text  # in the traceback too


def test_redact_keeps_ordinary_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "_secrets", set())
    logs.register_secret("abc")  # too short to register: it would mask ordinary words
    logs.register_secret(None)
    assert logs.redact("abc sk-short task-1234567890") == "abc sk-short task-1234567890"
    assert logs.redact("sk-1234567890abcdef") == "sk-***"


# --- what a request carries ------------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def msg(mid: str, parent: str | None, role: str, content: str, error: str | None = None) -> Message:
    return Message(id=mid, parent=parent, role=role, content=content, created_at=T0, error=error)


def test_request_has_system_prompt_and_current_thread_only() -> None:
    conversation = Conversation(
        id="c", title="", created_at=T0, updated_at=T0, system_prompt="You are terse."
    )
    conversation.messages = [
        msg("u1", None, "user", "first question"),
        msg("a1", "u1", "assistant", "first answer"),
        msg("u2-old", "a1", "user", "old wording"),
        msg("a2-old", "u2-old", "assistant", "old answer"),
        msg("u2", "a1", "user", "new wording"),
    ]
    conversation.head = "u2"

    assert request_messages(conversation) == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "new wording"},
    ]


def test_request_skips_empty_failed_replies_but_keeps_partial_ones() -> None:
    conversation = Conversation(id="c", title="", created_at=T0, updated_at=T0)
    conversation.messages = [
        msg("u1", None, "user", "q1"),
        msg("a1", "u1", "assistant", "", error="interrupted"),
        msg("u2", "a1", "user", "q2"),
        msg("a2", "u2", "assistant", "half an ans", error="stopped"),
        msg("t", "a2", "tool", "tool output"),
        msg("u3", "t", "user", "q3"),
    ]
    conversation.head = "u3"

    assert request_messages(conversation) == [
        {"role": "user", "content": "q1"},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "content": "half an ans"},
        {"role": "user", "content": "q3"},
    ]


def test_blank_system_prompt_is_not_sent() -> None:
    conversation = Conversation(
        id="c", title="", created_at=T0, updated_at=T0, system_prompt="  \n "
    )
    conversation.append(msg("u1", None, "user", "hi"))
    assert request_messages(conversation) == [{"role": "user", "content": "hi"}]
