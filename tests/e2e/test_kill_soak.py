"""kill -9 at any moment loses nothing the user sent and leaves every file readable.

A child process (tests/e2e/soak_child.py: the real controllers and storage, no window) keeps
several replies streaming from the loopback server into different conversations, and is
killed with SIGKILL at random moments, then started again on the same data folder. After
every kill each conversation file must load with the real loader, nothing may be in
quarantine/, every question the child reported as saved must be in its file, and every reply
must be a prefix of what the server sent (absent, partial or whole; never garbled).

The kill moments come from a seed printed at the start (and in every failure):
CONFAB_SOAK_SEED=<seed> kills at the same moments again (what the child has done by then
still depends on the machine's timing).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from desktop.core.errors import ConfabError
from desktop.core.models import Conversation
from desktop.core.storage import ConversationStore
from tests.benchmarks.procs import die_with_parent, tail
from tests.conftest import write_settings
from tests.e2e.soak_child import LOCK_BUSY_EXIT
from tests.e2e.test_process import _env, _launch, _wait_for_log
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.written_files import problems

CHILD = Path(__file__).with_name("soak_child.py")
KILLS = 25
STREAMS = 4  # replies streaming at once in the child
# Replies stream for 3 s or 0.6 s (long, short, long, …), so some end between two kills and
# many are cut, some after the periodic save (every second) has written part of them. A short
# reply is the start of a long one: whatever is on disk must be a prefix of REPLY_TEXT.
REPLY_TEXT = "".join(f"w{i:03d} " for i in range(150))
LONG = Reply(text=REPLY_TEXT, chunk_size=5, delay=0.02)
SHORT = Reply(text=REPLY_TEXT[:200], chunk_size=5, delay=0.015)


@dataclass
class Sent:
    conversation: str
    message: str
    text: str
    kill: int


@dataclass
class Soak:
    seed: int
    data: Path
    sent: list[Sent] = field(default_factory=list)
    finished: list[tuple[str, str, int]] = field(default_factory=list)  # REPLY lines
    partial_replies: int = 0  # on disk at the last check
    temp_files: int = 0

    def where(self, kill: int | None = None) -> str:
        after = "" if kill is None else f"after kill {kill + 1}/{KILLS}; "
        return f"({after}replay with CONFAB_SOAK_SEED={self.seed})"


class Child:
    """One soak_child.py run; its stdout lines are collected by a thread as they come."""

    def __init__(self, data: Path, seed: int, stderr: IO[bytes]) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(data), "--seed", str(seed), "--streams", str(STREAMS)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=_env(QT_QPA_PLATFORM="offscreen"),
            preexec_fn=die_with_parent,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            if not raw.endswith(b"\n"):
                break  # cut by the kill mid-line (a pipe write that short is atomic: never)
            line = raw.decode("utf-8").rstrip("\n")
            self.lines.append(line)
            if line.startswith("READY"):
                self.ready.set()
        self.ready.set()  # ended: nobody waits any longer

    def kill(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(10)
        self._reader.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code


def _load_every_file(soak: Soak, kill: int) -> dict[str, Conversation]:
    """Each conversations/*.json through the real loader, as the app would read it, after its
    schema (resources/schema/)."""
    store = ConversationStore(soak.data)
    loaded: dict[str, Conversation] = {}
    for path in sorted(store.folder.glob("*.json")):
        # Written by the killed Confab, not through this process: checked here.
        wrong = problems(path, path.read_bytes())
        assert wrong == [], f"{path.name} does not match its schema: {wrong} {soak.where(kill)}"
        try:
            conversation = store.load(path.stem)
        except ConfabError as exc:
            size = path.stat().st_size
            pytest.fail(f"{path.name} ({size} bytes) does not load: {exc} {soak.where(kill)}")
        assert conversation.id == path.stem, soak.where(kill)
        loaded[conversation.id] = conversation
    return loaded


def _check_folder(soak: Soak, kill: int) -> None:
    quarantine = soak.data / "quarantine"
    assert not quarantine.exists() or not any(quarantine.iterdir()), (
        f"files were quarantined: {sorted(p.name for p in quarantine.iterdir())} {soak.where(kill)}"
    )
    loaded = _load_every_file(soak, kill)
    for sent in soak.sent:
        conversation = loaded.get(sent.conversation)
        assert conversation is not None, (
            f"conversation {sent.conversation} (question sent before kill {sent.kill + 1}) "
            f"has no file {soak.where(kill)}"
        )
        assert conversation.has_message(sent.message), (
            f"question {sent.text!r}, reported saved before kill {sent.kill + 1}, is missing "
            f"from {sent.conversation}.json {soak.where(kill)}"
        )
        message = conversation.message(sent.message)
        assert (message.role, message.content) == ("user", sent.text), soak.where(kill)
    for conversation_id, reply_id, ended_in in soak.finished:
        # The child saw the reply end: it was saved whole, or saved marked as failed/stopped.
        reply = loaded[conversation_id].message(reply_id)
        assert reply.content in (LONG.text, SHORT.text) or reply.error, (
            f"reply {reply_id} ended before kill {ended_in + 1} but its file holds "
            f"{len(reply.content)} characters, no error {soak.where(kill)}"
        )
    partial = 0
    for conversation in loaded.values():
        for message in conversation.messages:
            if message.role != "assistant":
                continue
            assert REPLY_TEXT.startswith(message.content), (
                f"reply {message.id} in {conversation.id}.json is not what the server sent: "
                f"{message.content[-80:]!r} {soak.where(kill)}"
            )
            if message.content and not message.finish_reason and not message.error:
                partial += 1  # cut by a kill after a periodic save
                # ... and marked so, for the next start to say it was interrupted.
                assert message.streaming, (
                    f"reply {message.id} in {conversation.id}.json was cut short and is not "
                    f"marked as streaming {soak.where(kill)}"
                )
    soak.partial_replies = partial


def _run_once(soak: Soak, kill: int, rng: random.Random, work: Path) -> None:
    child_seed = soak.seed * 100 + kill
    early = rng.random() < 0.2  # during start-up: imports, taking the lock, loading
    delay = rng.uniform(0.0, 0.3) if early else rng.uniform(0.05, 1.8)
    if kill == KILLS - 1:
        # Surely after the first periodic save and before the long replies end.
        early, delay = False, 2.3
    with tempfile.TemporaryFile(dir=work) as stderr:
        child = Child(soak.data, child_seed, stderr)
        try:
            if not early:
                child.ready.wait(30)
                assert "READY" in " ".join(child.lines[:2]), (
                    f"the child did not start: {child.lines}\n{tail(stderr)} {soak.where(kill)}"
                )
            time.sleep(delay)
        finally:
            code = child.kill()
        assert code != LOCK_BUSY_EXIT, f"the lock outlived its process {soak.where(kill)}"
        assert code == -signal.SIGKILL, (
            f"the child exited with {code} before the kill:\n{tail(stderr)} {soak.where(kill)}"
        )
    for line in child.lines:
        word, *rest = line.split(" ", 3)
        assert word != "UNSAVED", f"a save failed: {line} {soak.where(kill)}"
        if word == "SENT":
            conversation_id, message_id, text = rest
            assert text.startswith("Question ") and f" run {child_seed}:" in text, line
            soak.sent.append(Sent(conversation_id, message_id, text, kill))
        elif word == "REPLY":
            soak.finished.append((rest[0], rest[1], kill))
    soak.temp_files = sum(1 for p in (soak.data / "conversations").glob("*.tmp"))
    _check_folder(soak, kill)


@pytest.mark.slow
def test_kill_9_at_any_moment_loses_no_sent_message(tmp_path: Path) -> None:
    seed = int(os.environ.get("CONFAB_SOAK_SEED") or random.SystemRandom().randrange(10**6))
    print(f"kill soak: CONFAB_SOAK_SEED={seed}")
    rng = random.Random(seed)
    data = tmp_path / "data"
    soak = Soak(seed, data)
    with OpenAIServer(models=["test-model"]) as server:
        server.default = LONG
        server.enqueue(*[LONG, SHORT, LONG] * 400)
        provider = {
            "id": "local",
            "name": "Loopback",
            "base_url": server.base_url,
            "default_model": "test-model",
        }
        write_settings(data, [provider])
        started = time.monotonic()
        for kill in range(KILLS):
            _run_once(soak, kill, rng, tmp_path)
        soaked = time.monotonic() - started
        print(
            f"{KILLS} kills in {soaked:.1f} s: {len(soak.sent)} questions saved, "
            f"{len(soak.finished)} replies ended, {len(list(data.glob('conversations/*.json')))} "
            f"files, {soak.partial_replies} replies cut by a kill after a periodic save, "
            f"{soak.temp_files} temporary files left by kills"
        )
        assert len(soak.sent) >= KILLS, "too few questions were sent to mean anything"
        assert soak.partial_replies > 0, (
            f"no reply was ever found half-saved: the periodic save did not run {soak.where()}"
        )
        _check_the_app_opens_it_all(soak)


def _check_the_app_opens_it_all(soak: Soak) -> None:
    """What the user does next: start Confab on the folder. Every file opens, none is set
    aside, and the leftover temporary files of the kills are not taken for conversations."""
    files = sorted(p.name for p in (soak.data / "conversations").glob("*.json"))
    proc = _launch(soak.data, _env(QT_QPA_PLATFORM="offscreen"))
    try:
        _wait_for_log(soak.data, "window ready", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    store = ConversationStore(soak.data)
    conversations, quarantined = store.load_all()
    assert quarantined == [] and store.copies == []
    assert sorted(f"{c.id}.json" for c in conversations) == files
    _check_folder(soak, KILLS - 1)
