"""The writer thread must never hold the last reference to a Qt object: if it dropped it, the
object would be destroyed in that thread, which Qt does not survive (a segfault seen after a
failed test, when a controller outlived its test only through a write's callback)."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path
from typing import Any

from desktop.controllers.collector import UiThreadCollector, collect_due
from desktop.controllers.conversations import ConversationsController
from desktop.core.atomic import write_bytes_atomic
from desktop.core.storage import ConversationStore


def test_a_write_under_way_keeps_no_reference_to_the_controller(tmp_path: Path, qapp: Any) -> None:
    release = threading.Event()
    started = threading.Event()

    def held(path: Path, data: Any) -> None:
        started.set()
        release.wait(10)
        write_bytes_atomic(path, data)

    store = ConversationStore(tmp_path)
    store.writer.write = held
    controller = ConversationsController(store)
    conversation = controller.new_conversation(None, "m")
    assert controller.save(conversation)
    assert started.wait(10)
    gone = weakref.ref(controller)
    del controller
    gc.collect()  # on this thread, while the write is still under way
    try:
        assert gone() is None, "the writer thread keeps the controller alive"
    finally:
        release.set()
        store.close()
    assert (tmp_path / "conversations" / f"{conversation.id}.json").exists()


def test_cycles_are_collected_on_the_ui_thread_only(qapp: Any, qtbot: Any) -> None:
    was_enabled = gc.isenabled()
    gc.enable()
    collector = UiThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()  # no thread of ours can start a collection

        class Cycle:
            def __init__(self) -> None:
                self.me = self

        threads: list[str] = []

        def note(phase: str, info: dict[str, Any]) -> None:
            if phase == "start":
                threads.append(threading.current_thread().name)

        gc.callbacks.append(note)
        try:
            dead = weakref.ref(Cycle())
            # Allocations in another thread pass the threshold: nothing is collected there.
            kept: list[list[int]] = []
            count = 2 * gc.get_threshold()[0]
            worker = threading.Thread(target=lambda: kept.extend([] for _ in range(count)))
            worker.name = "worker"
            worker.start()
            worker.join()
            assert gc.get_count()[0] > gc.get_threshold()[0]
            assert "worker" not in threads
            qtbot.waitUntil(lambda: dead() is None, timeout=5000)  # the timer collected it
            assert set(threads) == {threading.main_thread().name}
        finally:
            gc.callbacks.remove(note)
    finally:
        collector.stop()
        if not was_enabled:
            gc.disable()


def test_collect_due_collects_the_generations_past_their_threshold() -> None:
    gc.collect()
    assert collect_due() == -1
    keep = [[] for _ in range(gc.get_threshold()[0] + 10)]
    assert collect_due() >= 0
    del keep
