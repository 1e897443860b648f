"""Draw README's screenshot: the real main window on a sample conversation (a formula, a
tool call and its result, a code block, a table), in either theme and language.

    .venv/bin/python resources/screenshots/make_screenshot.py OUT.png [--dark] [--lang zh_CN]
        [--width 1100] [--height 720]

Run it under a display (``xvfb-run -a -s "-screen 0 1400x900x24"``) or with
``QT_QPA_PLATFORM=offscreen``; fonts differ between the two, README's is drawn under Xvfb.
resources/screenshots/main-window.png is ``make_screenshot.py main-window.png``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CONVERSATION_ID = "7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"
TIME = "2026-12-01T09:30:00Z"

QUESTION = (
    "How much do 1,000 € grow to in 10 years at 5 % a year, compounded monthly? "
    "Give me the formula and check it."
)
FIRST = "Compound interest, with $r$ the yearly rate and $n$ compoundings a year:"
FORMULA = "$$A = P\\left(1 + \\frac{r}{n}\\right)^{nt}$$"
CODE = "P, r, n, t = 1000, 0.05, 12, 10\nprint(round(P * (1 + r / n) ** (n * t), 2))"
ANSWER = (
    "So **1,000 €** grow to about **1,647.01 €**. The same in a reusable function:\n\n"
    "```python\n"
    "def compound(principal: float, rate: float, times: int, years: float) -> float:\n"
    '    """What `principal` grows to at `rate` a year, compounded `times` a year."""\n'
    "    return principal * (1 + rate / times) ** (times * years)\n"
    "```\n\n"
    "| compounded | after 10 years |\n|---|---|\n| yearly | 1,628.89 € |\n"
    "| monthly | 1,647.01 € |\n"
)
FOLLOW_UP = "And if I add 50 € every month?"


def _message(index: int, parent: str | None, role: str, content: str, **extra: object) -> dict:
    message: dict[str, object] = {
        "id": f"m{index:031d}",
        "parent": parent,
        "role": role,
        "content": content,
        "created_at": TIME,
    }
    message.update(extra)
    return message


def sample_data(folder: Path) -> None:
    """A data folder with one provider and the sample conversation (and a few others in the
    list)."""
    settings = {
        "format": "confab.settings",
        "version": 1,
        "providers": [
            {
                "id": "local",
                "name": "OpenAI",
                "base_url": "http://127.0.0.1:9/v1",
                "default_model": "gpt-4o-mini",
            }
        ],
        "default_provider": "local",
        "auto_title": False,
    }
    (folder / "conversations").mkdir(parents=True)
    (folder / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    usage = {"prompt_tokens": 61, "completion_tokens": 48, "total_tokens": 109}
    call = {"id": "call_1", "type": "function", "name": "python", "arguments": CODE}
    user = _message(1, None, "user", QUESTION)
    asked = _message(
        2,
        user["id"],
        "assistant",
        f"{FIRST}\n\n{FORMULA}\n\nLet me check it:",
        model="gpt-4o-mini",
        provider="local",
        finish_reason="tool_calls",
        usage=usage,
        tool_calls=[call],
    )
    result = _message(
        3,
        asked["id"],
        "tool",
        "1647.01",
        tool_call_id="call_1",
        tool_name="python",
        tool_server="python",
        duration_ms=212,
    )
    answer = _message(
        4,
        result["id"],
        "assistant",
        ANSWER,
        model="gpt-4o-mini",
        provider="local",
        finish_reason="stop",
        usage={"prompt_tokens": 140, "completion_tokens": 96, "total_tokens": 236},
    )
    thread = [user, asked, result, answer]
    _write(folder, CONVERSATION_ID, "Compound interest, checked", thread, "2026-12-01T09:31:00Z")
    others = [
        ("Tuples or lists in Python", "2026-11-30T18:00:00Z"),
        ("Trip plan for Hangzhou", "2026-11-23T08:00:00Z"),
        ("北国春光 — 词牌格律", "2026-11-21T08:00:00Z"),
        ("Regex for ISO dates", "2026-11-15T08:00:00Z"),
    ]
    for number, (title, when) in enumerate(others):
        first = _message(10 + number, None, "user", title)
        _write(folder, f"{number:032x}", title, [first], when)


def _write(folder: Path, ident: str, title: str, messages: list[dict], when: str) -> None:
    conversation = {
        "format": "confab.conversation",
        "version": 1,
        "id": ident,
        "title": title,
        "created_at": when,
        "updated_at": when,
        "provider": "local",
        "model": "gpt-4o-mini",
        "head": messages[-1]["id"],
        "messages": messages,
    }
    path = folder / "conversations" / f"{ident}.json"
    path.write_text(json.dumps(conversation, ensure_ascii=False), encoding="utf-8")


async def _settle(app: object, done: object, seconds: float) -> None:
    import asyncio

    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.02)


async def shoot(args: argparse.Namespace, data: Path) -> None:
    """The window on the sample data, drawn into ``args.out``."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QCursor
    from PySide6.QtWidgets import QApplication

    from desktop.app import build

    app = QApplication.instance()
    parts = build(data, dark=args.dark)
    window = parts.window
    parts.conversations.load()
    parts.conversations.wait_for_index()
    window.resize(args.width, args.height)
    window.show()
    window.start()
    parts.conversations.select(CONVERSATION_ID)
    view = window.chat_view
    await _settle(app, lambda: len(view.message_widgets()) >= 3 and not view.building, 10)
    window.composer.edit.setPlainText(FOLLOW_UP)
    window.composer.edit.setFocus()
    await _settle(app, lambda: False, 1.5)  # the formulas drawn, the scroll settled
    if args.hover:
        last = view.message_widgets()[-1]
        QCursor.setPos(last.mapToGlobal(QPoint(last.width() // 2, 30)))
        await _settle(app, lambda: False, 0.5)
    window.grab().save(str(args.out))
    window.close()
    await parts.shutdown()
    window.allow_close()
    window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--hover", action="store_true", help="the pointer on the last reply")
    args = parser.parse_args(argv)

    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.app import install_translators, resources_dir
    from desktop.ui.theme import apply_theme

    app = QApplication([sys.argv[0]])
    install_translators(app, args.lang)
    apply_theme(app, resources_dir(), args.dark)
    with tempfile.TemporaryDirectory() as temp:
        data = Path(temp) / "data"
        sample_data(data)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(shoot(args, data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
