"""The Chinese translation: complete, in step with the code, compiled, and shown in the window.

After adding or changing a string in desktop/: run resources/translations/update.py, translate
what it lists in confab_zh_CN.ts, run it again (that rebuilds the .qm), commit both files.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
LOCALE = "zh_CN"
TS = TRANSLATIONS / f"confab_{LOCALE}.ts"
QM = TRANSLATIONS / f"confab_{LOCALE}.qm"
HOW_TO_FIX = (
    "Run `.venv/bin/python resources/translations/update.py`, translate what it lists in "
    f"{TS.relative_to(ROOT)}, and run it again to rebuild the .qm."
)

# A {field} for str.format, a Qt %n / %1 argument, a key that must stay Latin.
FIELD = re.compile(r"\{[^{}]*\}")
QT_ARG = re.compile(r"%(?:L?n|L?\d+)")
KEY_HINT = re.compile(r"\b(?:(?:Ctrl|Shift|Alt|Meta|Cmd)\+\w+|Enter|Esc|Tab)\b")
MNEMONIC = re.compile(r"&(?!&)\S")

# Calls whose strings lupdate cannot read. Each one is a string left in English: fix the call
# rather than adding to this list. Keyed by file and call text, so line shifts do not matter.
KNOWN_BLIND_SPOTS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    numerus: bool
    kind: str  # translation type: "" (finished), unfinished, vanished or obsolete
    forms: tuple[str, ...]  # the translation, or one entry per plural form

    @property
    def key(self) -> tuple[str, str, str, bool]:
        return (self.context, self.source, self.comment, self.numerus)

    @property
    def live(self) -> bool:
        return self.kind not in ("vanished", "obsolete")

    def __str__(self) -> str:
        source = self.source.replace("\n", "\\n")
        return f"{self.context}: {source!r}" + (f" ({self.comment})" if self.comment else "")


def parse_ts(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            numerus = message.get("numerus") == "yes"
            if translation is None:
                kind, forms = "unfinished", ()
            elif numerus:
                kind = translation.get("type", "")
                forms = tuple(f.text or "" for f in translation.iter("numerusform"))
            else:
                kind, forms = translation.get("type", ""), (translation.text or "",)
            messages.append(
                Message(
                    name,
                    message.findtext("source", ""),
                    message.findtext("comment", ""),
                    numerus,
                    kind,
                    forms,
                )
            )
    return messages


def listing(items: Any) -> str:
    return "\n".join(f"  {item}" for item in sorted(str(i) for i in items))


@pytest.fixture(scope="module")
def update() -> ModuleType:
    """resources/translations/update.py, so the tests run lupdate exactly as developers do."""
    spec = importlib.util.spec_from_file_location(
        "confab_update_translations", TRANSLATIONS / "update.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def messages() -> list[Message]:
    return parse_ts(TS)


@pytest.fixture(scope="module")
def live(messages: list[Message]) -> list[Message]:
    return [m for m in messages if m.live]


# ---- the .ts itself ---------------------------------------------------------------------


def test_ts_is_for_chinese(live: list[Message]) -> None:
    root = ET.parse(TS).getroot()
    assert root.get("language") == LOCALE
    assert root.get("sourcelanguage") == "en"
    assert len(live) > 40  # sanity: the file is the real one, not an empty shell


def test_every_string_is_translated(live: list[Message]) -> None:
    waiting = [m for m in live if m.kind == "unfinished"]
    empty = [m for m in live if m.kind != "unfinished" and not all(f.strip() for f in m.forms)]
    plural_forms = [m for m in live if m.numerus and len(m.forms) != 1]  # Chinese has one form
    assert not waiting, f"unfinished translations:\n{listing(waiting)}\n{HOW_TO_FIX}"
    assert not empty, f"empty translations:\n{listing(empty)}\n{HOW_TO_FIX}"
    assert not plural_forms, f"want exactly one plural form:\n{listing(plural_forms)}"


def test_translations_keep_placeholders_arguments_keys_and_mnemonics(
    messages: list[Message],
) -> None:
    """Vanished entries too: their translations come back as they are when the string does."""
    problems = []
    for message in messages:
        source = message.source
        for form in message.forms:
            if not form:
                continue
            if sorted(FIELD.findall(form)) != sorted(FIELD.findall(source)):
                problems.append(f"{message}: {{fields}} differ in {form!r}")
            elif FIELD.search(source):
                names = {f[1:-1] for f in FIELD.findall(source)}
                try:
                    form.format(**dict.fromkeys(names, "x"))
                except (IndexError, KeyError, ValueError) as exc:
                    problems.append(f"{message}: .format() fails on {form!r}: {exc!r}")
            if sorted(QT_ARG.findall(form)) != sorted(QT_ARG.findall(source)):
                problems.append(f"{message}: %n/%1 arguments differ in {form!r}")
            missing_keys = set(KEY_HINT.findall(source)) - set(KEY_HINT.findall(form))
            if missing_keys:
                problems.append(f"{message}: keys {sorted(missing_keys)} missing in {form!r}")
            if len(MNEMONIC.findall(form)) != len(MNEMONIC.findall(source)):
                problems.append(f"{message}: & mnemonic differs in {form!r}")
    assert not problems, "\n".join(problems)


# ---- the .ts against the code, the .qm against the .ts -----------------------------------


def test_ts_has_exactly_the_strings_in_the_code(
    update: ModuleType, live: list[Message], tmp_path: Path
) -> None:
    fresh = tmp_path / TS.name
    update.lupdate(fresh, prune=True, extra=("-silent",))
    in_code = {m.key: m for m in parse_ts(fresh)}
    in_ts = {m.key: m for m in live}
    missing = [in_code[k] for k in in_code.keys() - in_ts.keys()]
    gone = [in_ts[k] for k in in_ts.keys() - in_code.keys()]
    assert not missing, (
        f"{len(missing)} string(s) in desktop/ are not in {TS.name}:\n{listing(missing)}\n"
        f"{HOW_TO_FIX}"
    )
    assert not gone, (
        f"{TS.name} still has string(s) no longer in desktop/:\n{listing(gone)}\n{HOW_TO_FIX}"
    )


def test_qm_is_built_from_the_current_ts(qapp: Any, live: list[Message]) -> None:
    """Every translation in the .ts comes out of the committed .qm as written.

    Compared through QTranslator rather than byte for byte, so another lrelease version
    building the same translations does not fail the test, while any edit to the .ts that
    was not followed by a rebuild does."""
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(QM)), f"cannot load {QM}. {HOW_TO_FIX}"
    stale = []
    for message in live:
        got = translator.translate(
            message.context, message.source, message.comment or None, 2 if message.numerus else -1
        )
        if got != message.forms[0]:
            stale.append(f"{message}: .qm has {got!r}, .ts has {message.forms[0]!r}")
    assert not stale, f"{QM.name} is out of date:\n" + "\n".join(stale) + f"\n{HOW_TO_FIX}"


def translate_calls_lupdate_cannot_read() -> set[tuple[str, str]]:
    """tr()/translate() calls with a non-literal text or context, or tr() on another object.

    lupdate extracts literals only (a variable is skipped, an f-string is extracted as its
    template and never matches), and takes tr()'s context from the enclosing class, which is
    type(self).__name__ at run time only when the receiver is self."""
    found = set()
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            receiver = ast.unparse(node.func.value)
            if node.func.attr == "tr":
                literals, receiver_ok = node.args[:2], receiver == "self"
            elif node.func.attr == "translate" and receiver in (
                "QCoreApplication",
                "QGuiApplication",
                "QApplication",
            ):
                literals, receiver_ok = node.args[:3], True
            else:
                continue
            literal = all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in literals
            )
            if not (literals and literal and receiver_ok):
                found.add((path.relative_to(ROOT).as_posix(), ast.unparse(node)))
    return found


def test_lupdate_can_read_every_translate_call() -> None:
    found = translate_calls_lupdate_cannot_read()
    new = found - KNOWN_BLIND_SPOTS
    fixed = KNOWN_BLIND_SPOTS - found
    assert not new, (
        "lupdate cannot extract the strings of these calls, so they stay English; pass the "
        "literal to self.tr()/QCoreApplication.translate() directly:\n" + listing(new)
    )
    assert not fixed, f"fixed, remove from KNOWN_BLIND_SPOTS:\n{listing(fixed)}"


def test_english_has_both_plural_forms_of_every_plural(live: list[Message]) -> None:
    """ "1 file", "2 files": never "1 file(s)" on screen. confab_en.ts holds the plural forms
    of every %n string the Chinese file (which matches the code) has."""
    english = [m for m in parse_ts(TRANSLATIONS / "confab_en.ts") if m.live]
    wanted = {m.key for m in live if m.numerus}
    assert {m.key for m in english} == wanted, HOW_TO_FIX
    for message in english:
        assert message.kind == "" and len(message.forms) == 2, message
        for form in message.forms:
            assert form and "(s)" not in form, message
            assert QT_ARG.findall(form) == QT_ARG.findall(message.source), message
    # And the committed .qm holds them (read back through QTranslator, as for Chinese).
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(TRANSLATIONS / "confab_en.qm")), HOW_TO_FIX
    for message in english:
        for count, form in ((1, message.forms[0]), (2, message.forms[1])):
            got = translator.translate(message.context, message.source, None, count)
            assert got == form, f"confab_en.qm is out of date: {message}. {HOW_TO_FIX}"


def test_english_plurals_are_used(qapp: Any) -> None:
    from PySide6.QtCore import QCoreApplication

    def tr(count: int) -> str:
        return QCoreApplication.translate(
            "TrashDialog", "Delete %n conversation(s) for good?", "", count
        )

    assert tr(1) == "Delete 1 conversation for good?"
    assert tr(3) == "Delete 3 conversations for good?"


# ---- the real window ---------------------------------------------------------------------


def test_main_window_speaks_chinese(
    qapp: Any, chinese: None, start_app: Any, openai_server: Any, tmp_path: Path
) -> None:
    from PySide6.QtCore import QCoreApplication, QTranslator

    from desktop.core.models import ReplyError
    from desktop.ui import formats
    from desktop.ui.error_text import describe_saved_error
    from tests.conftest import write_settings

    provider = {
        "id": "local",
        "name": "Loopback",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }
    write_settings(tmp_path / "data", [provider])
    files = [Path(t.filePath()).name for t in qapp.findChildren(QTranslator)]
    assert f"confab_{LOCALE}.qm" in files
    assert f"qtbase_{LOCALE}.qm" in files

    window = start_app().window
    assert window.composer.send_button.text() == "发送"
    assert window.composer.send_button.toolTip() == "发送（Enter）"
    assert window.sidebar.new_button.text() == "新建对话"
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["文件(&F)", "搜索(&S)", "帮助(&H)"]
    assert window.new_action.text() == "新建对话(&N)"
    assert window.title_label.text() == "新对话"
    assert window.windowTitle() == "新对话 — Confab"
    # A plural, a module-level translate() and Qt's own strings (the delete dialog's Cancel).
    assert QCoreApplication.translate("ChatView", "Show %Ln earlier message(s)", "", 3) == (
        "显示更早的 3 条消息"
    )
    assert QCoreApplication.translate("ChatView", "Show %Ln earlier message(s)", "", 1970) == (
        "显示更早的 1,970 条消息"
    )
    assert formats.when(datetime(2025, 1, 2, 9, 0), now=datetime(2026, 6, 1)) == "2025年1月2日"
    assert formats.when(datetime(2026, 1, 2, 9, 0), now=datetime(2026, 6, 1)) == "1月2日"
    assert describe_saved_error(ReplyError.stopped()) == "已停止"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
