"""The process tests/e2e/test_kill_soak.py kills with SIGKILL, again and again.

    python tests/e2e/soak_child.py DATA_DIR --seed N [--streams N]

It runs the real controllers as desktop/app.py wires them (settings, conversations, chat) on
the real storage, offscreen and without a window, on DATA_DIR, whose settings.json points at
the loopback server of the test. It takes the data folder's lock as the app does, loads every
conversation, and then, until it is killed, keeps several replies streaming at once into
different conversations, new ones and old ones. It reports on stdout, one flushed line each:

    LOCKED                                the data folder's lock is ours
    READY <conversations loaded>          loaded, about to send
    SENT <conversation> <message> <text>  this question's write has ended well (message_saved)
    UNSAVED <error>                       a save failed (the test fails on this)
    REPLY <conversation> <message>        a reply ended (finished, failed or stopped) and its
                                          last save is on disk

A question's text is ``question_text(seed, n)``, so the test knows every word that was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["QT_QPA_PLATFORM"] = "offscreen"

LOCK_BUSY_EXIT = 3


def question_text(seed: int, number: int) -> str:
    return f"Question {number} of run {seed}: 你好, what is {seed * 1000 + number}?"


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def soak(data_dir: Path, seed: int, streams: int) -> None:
    from desktop.app import resources_dir
    from desktop.controllers.chat import ChatController
    from desktop.controllers.collector import UiThreadCollector
    from desktop.controllers.conversations import ConversationsController
    from desktop.controllers.settings import SettingsController
    from desktop.core.secrets import KeyStore
    from desktop.core.settings import SettingsStore
    from desktop.core.storage import ConversationStore
    from tests.support.keys import MemoryBackend

    settings = SettingsController(
        SettingsStore(data_dir),
        KeyStore(backend=MemoryBackend()),
        prices_path=resources_dir() / "pricing" / "prices.json",
    )
    conversations = ConversationsController(ConversationStore(data_dir))
    UiThreadCollector(conversations)  # as the app does
    conversations.load()
    chat = ChatController(conversations, settings)

    def on_message_saved(conversation_id: str, message_id: str) -> None:
        # Emitted by ChatController once the question's write has ended well (in the writer
        # thread), right before the request leaves.
        conversation = conversations.get(conversation_id)
        assert conversation is not None
        content = conversation.message(message_id).content
        say(f"SENT {conversation_id} {message_id} {content}")

    def on_save_failed(error: object) -> None:
        say(f"UNSAVED {error}")

    pending: set[asyncio.Task[None]] = set()

    async def say_when_written(conversation_id: str, message_id: str) -> None:
        # The reply's last save is handed to the writer thread as it ends: said once on disk.
        if await conversations.written(conversation_id):
            say(f"REPLY {conversation_id} {message_id}")

    def on_reply_ended(conversation_id: str, message_id: str, *_: object) -> None:
        task = asyncio.ensure_future(say_when_written(conversation_id, message_id))
        pending.add(task)
        task.add_done_callback(pending.discard)

    chat.message_saved.connect(on_message_saved)
    conversations.save_failed.connect(on_save_failed)
    chat.reply_finished.connect(on_reply_ended)
    chat.reply_stopped.connect(on_reply_ended)
    chat.reply_failed.connect(on_reply_ended)
    while not conversations.indexed:  # the list from the index, reconciled with the folder
        await asyncio.sleep(0.01)
    say(f"READY {len(conversations.summaries())}")

    rng = random.Random(seed)
    number = 0
    while True:
        saved = [s.id for s in conversations.summaries()]
        idle = [i for i in saved if not chat.is_streaming(i)]
        streaming = len(saved) - len(idle)
        if streaming >= streams:
            await asyncio.sleep(0.05)
            continue
        opened = await conversations.opened(rng.choice(idle)) if idle else None
        if opened is None or rng.random() < 0.3:
            conversation = conversations.new_conversation(None, None)
        else:
            conversation = opened
            conversations.select(conversation.id)
        if not chat.send(conversation, question_text(seed, number)):
            raise RuntimeError(f"send refused in {conversation.id}")
        number += 1
        # A burst at first, so that replies are streaming early in every run.
        await asyncio.sleep(0.0 if number < streams else rng.uniform(0.02, 0.25))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--streams", type=int, default=4)
    args = parser.parse_args()

    from desktop.core.instance import DataFolderLock

    # As desktop.app does before anything else touches the folder. After a SIGKILL the OS has
    # released the previous process's lock: this must succeed at once.
    lock = DataFolderLock(args.data_dir)
    if not lock.acquire():
        say("LOCK-BUSY")
        return LOCK_BUSY_EXIT
    say("LOCKED")

    import qasync
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication([sys.argv[0]])
    app.setApplicationName("Confab")
    qasync.run(soak(args.data_dir, args.seed, args.streams))
    return 0


if __name__ == "__main__":
    sys.exit(main())
