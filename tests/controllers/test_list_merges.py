"""A cold start's big batches of rows reach the list without the UI thread going over the whole
list at each batch (a merge of 100,000 rows there stalled the window 60-130 ms): the merge is
made in the list's thread, and what Confab changed meanwhile (a save, a delete) survives it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from desktop.controllers.conversations import ConversationsController
from desktop.core.index import Library, Listing, ListRow, ScanReport
from desktop.core.merge import Merged
from desktop.core.models import Conversation, Message
from desktop.core.storage import ConversationStore
from desktop.ui.sidebar import ConversationIdRole, Sidebar
from tests.core.test_versions_trash import conversation_data, write

UI_THREAD = threading.main_thread()


class Touches:
    """Rows looked at in Python (an id read, a comparison), counted per thread."""

    def __init__(self) -> None:
        self.ui = 0
        self.elsewhere = 0

    def count(self) -> None:
        if threading.current_thread() is UI_THREAD:
            self.ui += 1
        else:
            self.elsewhere += 1


TOUCHES = Touches()


class CountedRow(ListRow):
    """A ListRow that counts every Python look at it (tuples compare in C, unseen)."""

    __slots__ = ()

    @property
    def id(self) -> str:  # type: ignore[override]
        TOUCHES.count()
        return tuple.__getitem__(self, 1)  # type: ignore[no-any-return]

    def __lt__(self, other: object) -> bool:
        TOUCHES.count()
        return tuple.__lt__(self, other)  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        TOUCHES.count()
        return tuple.__eq__(self, other)

    __hash__ = tuple.__hash__


def row(n: int, title: str = "Row {n}") -> CountedRow:
    return CountedRow(1_700_000_000_000_000 + n * 1_000_000, f"r{n:06d}", title.format(n=n))


class FedLibrary(Library):
    """The real Library (its list thread, its merges) on an empty folder, with the index's
    listing and a reconcile's reports fed by the test."""

    def __init__(self, store: ConversationStore, listing: list[CountedRow]) -> None:
        super().__init__(store)
        self.listing = listing
        self.report: Callable[[ScanReport], None] | None = None
        self.scan: Future[ScanReport] = Future()
        self.gate = threading.Event()
        self.gate.set()
        self.merges = 0

    def open(self) -> Future[Listing]:
        future: Future[Listing] = Future()
        order = sorted(self.listing)
        future.set_result(Listing(order, {tuple.__getitem__(r, 1): r for r in order}))
        return future

    def reconcile(self, report: Any = None, **_options: Any) -> Future[ScanReport]:
        self.report = report
        return self.scan

    def merge(self, *args: Any, **kwargs: Any) -> Future[Merged]:
        self.merges += 1
        real = super().merge

        def gated() -> Merged:
            self.gate.wait(30)
            return real(*args, **kwargs).result()

        future: Future[Merged] = Future()
        thread = threading.Thread(target=lambda: future.set_result(gated()), daemon=True)
        thread.start()
        return future


def started(qtbot: Any, tmp_path: Path, listed: int) -> tuple[ConversationsController, Any]:
    store = ConversationStore(tmp_path / "data")
    library = FedLibrary(store, [row(n) for n in range(listed)])
    controller = ConversationsController(store, library=library)
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    controller.conversations_reset.connect(
        lambda: sidebar.set_conversations(controller.summaries(), None)
    )
    controller.conversation_changed.connect(
        lambda _id: sidebar.set_conversations(controller.summaries(), None)
    )
    controller.load()
    qtbot.waitUntil(lambda: library.report is not None)  # the scan has started
    return controller, sidebar


def shown_ids(sidebar: Sidebar) -> list[str]:
    model = sidebar.model
    return [model.index(r).data(ConversationIdRole) for r in range(model.rowCount())]


def test_each_big_batch_costs_the_ui_thread_the_same_however_long_the_list(
    qtbot: Any, tmp_path: Path
) -> None:
    # Each batch a quarter of the list or more: merged at once.
    listed, batch, batches = 20_000, 10_000, 3
    controller, sidebar = started(qtbot, tmp_path, listed)
    library = controller._library
    assert isinstance(library, FedLibrary)
    assert sidebar.model.rowCount() == listed
    total = listed
    for b in range(batches):
        # Rows all over the list's order (a cold start reads files in the order of their
        # names, not of their times).
        rows = [row(listed + b + batches * k) for k in range(batch)]
        # And rows replaced (files changed since they were indexed).
        rows += [row(batches * k + b, "Row {n}, changed") for k in range(batch // 20)]
        TOUCHES.ui = TOUCHES.elsewhere = 0
        total += batch
        assert library.report is not None
        library.report(ScanReport(changed=rows, done=(b + 1) * batch, total=batches * batch))
        qtbot.waitUntil(lambda total=total: sidebar.model.rowCount() == total)
        # The merge went over the whole list, in the list's thread; the UI thread looked at
        # no more rows than a fixed few, not the list's length nor the batch's.
        assert TOUCHES.ui < 100, TOUCHES.ui
        assert TOUCHES.elsewhere >= total
    assert library.merges == batches
    library.scan.set_result(ScanReport(finished=True))
    library.report(ScanReport(finished=True, done=batches * batch, total=batches * batch))
    qtbot.waitUntil(lambda: controller.indexed)
    # Every row once, newest first, the replaced ones with their new title.
    expected = [f"r{n:06d}" for n in reversed(range(total))]
    assert [tuple.__getitem__(r, 1) for r in controller.summaries()] == expected
    assert shown_ids(sidebar) == expected
    titles = {tuple.__getitem__(r, 1): r.title for r in controller.summaries()}
    assert titles["r000000"] == "Row 0, changed" and titles["r019999"] == "Row 19999"
    controller.close()


def test_a_save_and_a_delete_during_a_merge_survive_it(qtbot: Any, tmp_path: Path) -> None:
    # r000005 has a file, so that it can go to the trash.
    folder = tmp_path / "data" / "conversations"
    write(folder, "r000005.json", conversation_data("r000005"))
    controller, sidebar = started(qtbot, tmp_path, 300)
    library = controller._library
    assert isinstance(library, FedLibrary)
    library.gate.clear()  # the merge waits until the test has saved and deleted
    library.report(ScanReport(changed=[row(n) for n in range(300, 1300)], done=1000, total=1000))
    qtbot.waitUntil(lambda: library.merges == 1)
    conversation = Conversation.new(provider=None, model=None)
    conversation.title = "Saved while indexing"
    conversation.append(Message("m1", None, "user", "hello", conversation.created_at))
    assert controller.save(conversation)
    controller.wait_for_writes()
    controller.delete("r000005")  # listed before the batch: leaves the list
    assert not controller.is_listed("r000005")
    library.gate.set()
    qtbot.waitUntil(lambda: sidebar.model.rowCount() == 1300)  # 300 + 1000 + 1 - 1
    assert controller.is_listed(conversation.id)
    assert not controller.is_listed("r000005")
    ids = shown_ids(sidebar)
    assert ids[0] == conversation.id  # the newest
    assert "r000005" not in ids and "r001299" in ids
    controller.close()
