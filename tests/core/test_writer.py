"""The writer thread: writes land in order, the latest of one path wins, nothing is lost,
close() finishes the queue, and a failure reaches the caller's future."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop.core.errors import WriteFailedError
from desktop.core.models import Conversation, Message, utc_now
from desktop.core.storage import ConversationStore
from desktop.core.writer import FileWriter


class Disk:
    """A write function that records what it wrote, and can be held or made to fail."""

    def __init__(self) -> None:
        self.written: list[tuple[str, bytes]] = []
        self.threads: set[str] = set()
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()
        self.fail: set[str] = set()

    def __call__(self, path: Path, data: bytes) -> None:
        self.threads.add(threading.current_thread().name)
        self.started.set()
        assert self.hold.wait(10)
        if path.name in self.fail:
            raise WriteFailedError(f"{path.name}: No space left on device")
        self.written.append((path.name, data))


def test_writes_run_off_the_calling_thread_in_the_order_asked() -> None:
    disk = Disk()
    writer = FileWriter(disk)
    futures = [writer.submit(Path(f"{n}.json"), f"{n}".encode()) for n in "abc"]
    assert writer.wait(10)
    assert [f.result(0) for f in futures] == [None, None, None]
    assert disk.written == [("a.json", b"a"), ("b.json", b"b"), ("c.json", b"c")]
    assert threading.current_thread().name not in disk.threads
    assert all(name.startswith("confab-writer") for name in disk.threads)
    writer.close()


def test_the_latest_write_of_a_path_wins_and_none_is_lost() -> None:
    disk = Disk()
    writer = FileWriter(disk)
    disk.hold.clear()
    first = writer.submit(Path("a.json"), b"1")  # being written: held
    assert disk.started.wait(10)
    second = writer.submit(Path("a.json"), b"2")  # waits its turn...
    other = writer.submit(Path("b.json"), b"x")
    third = writer.submit(Path("a.json"), lambda: b"3")  # ...and is replaced by this one
    assert third is second
    assert not writer.idle
    disk.hold.set()
    assert writer.wait(10)
    assert writer.idle
    assert [f.done() for f in (first, second, other)] == [True, True, True]
    # The one being written finished; the waiting one was written with the newest data.
    assert disk.written == [("a.json", b"1"), ("a.json", b"3"), ("b.json", b"x")]
    writer.close()


def test_close_finishes_every_write_asked_for(tmp_path: Path) -> None:
    disk = Disk()
    writer = FileWriter(disk)
    disk.hold.clear()
    futures = [writer.submit(tmp_path / f"{n}.json", b"data") for n in range(20)]
    threading.Timer(0.05, disk.hold.set).start()
    writer.close()
    assert all(f.done() and f.exception() is None for f in futures)
    assert len(disk.written) == 20
    # Usable again after close: a new thread starts.
    assert writer.submit(tmp_path / "late.json", b"late").result(10) is None
    writer.close()


def test_a_failed_write_is_in_its_future_and_the_others_go_on() -> None:
    disk = Disk()
    disk.fail.add("full.json")
    writer = FileWriter(disk)
    failed = writer.submit(Path("full.json"), b"1")
    fine = writer.submit(Path("fine.json"), b"2")
    with pytest.raises(WriteFailedError, match="No space left"):
        failed.result(10)
    assert fine.result(10) is None
    # A value that cannot be made fails the same way, not the thread.
    broken = writer.submit(Path("x.json"), lambda: b"".join([b"a", "b"]))  # type: ignore[list-item]
    with pytest.raises(TypeError):
        broken.result(10)
    assert writer.submit(Path("after.json"), b"3").result(10) is None
    writer.close()


def test_wait_gives_up_after_its_timeout() -> None:
    disk = Disk()
    disk.hold.clear()
    writer = FileWriter(disk)
    writer.submit(Path("slow.json"), b"1")
    assert writer.wait(0.05) is False
    disk.hold.set()
    assert writer.wait(10) is True
    writer.close()


def test_the_store_writes_in_its_thread_and_save_waits(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = Conversation.new()
    conversation.append(Message("m1", None, "user", "你好", utc_now()))
    future = store.save_soon(conversation)
    conversation.messages[0].content = "changed after the save was asked for"
    future.result(10)
    store.save(conversation)  # ordered after it, and waited for
    assert store.load(conversation.id).messages[0].content.startswith("changed")
    store.delete(conversation.id)
    assert not store.path_of(conversation.id).exists()
    store.close()


def test_a_write_still_waiting_cannot_bring_a_deleted_file_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    disk = Disk()
    real = store.writer.write
    store.writer.write = lambda path, data: (disk(path, data), real(path, data))[1]
    conversation = Conversation.new()
    conversation.append(Message("m1", None, "user", "bye", utc_now()))
    disk.hold.clear()
    store.save_soon(conversation)
    threading.Timer(0.05, disk.hold.set).start()
    store.delete(conversation.id)  # waits for the write, then moves the file
    assert not store.path_of(conversation.id).exists()
    assert (store.trash / f"{conversation.id}.json").exists()
    store.close()
