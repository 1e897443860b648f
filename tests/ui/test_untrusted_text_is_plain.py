"""Untrusted text is data: a title, a model name, a fence's info string, an error or a reply
never reaches Qt's rich-text engine as markup (it loads the files and images markup names:
``<style>@import"/dev/zero";</style>`` in a code fence's info string aborted Confab, again at
every reopening).

Every label in the real window and its dialogs shows text plainly; the only rich labels are the
Markdown blocks, whose HTML Confab writes itself and which must never name a local resource.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop.ui.message_view import BlockLabel
from tests.conftest import write_settings

# Harmless here (no such file), but markup all the same: rendered as rich text, the label's
# document would try to load it and the tag would vanish from what is shown.
MARK = '<img src="/nonexistent/confab-probe.png"><b>bold</b><style>@import"/nonexistent";</style>'
ONE_LINE_MARK = MARK.replace("\n", " ")


def _hostile_conversation(data_dir: Path) -> None:
    messages = [
        {"id": "q1", "parent": None, "role": "user", "content": "Q " + MARK,
         "created_at": "2026-11-01T10:00:00Z"},
        {"id": "a1", "parent": "q1", "role": "assistant",
         "content": (
             f"```{ONE_LINE_MARK}\nprint(1)\n```\n\n"
             "![x](file:///nonexistent/img.png) <img src=/nonexistent/raw.png> "
             "[local](file:///etc/passwd) [web](https://example.org)\n\n" + MARK
         ),
         "created_at": "2026-11-01T10:00:05Z", "model": "model " + MARK,
         "finish_reason": None, "usage": None, "error": "Failed " + MARK},
    ]  # fmt: skip
    data = {
        "format": "confab.conversation",
        "version": 1,
        "id": "hostile",
        "title": "Title " + MARK,
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:05Z",
        "model": "model " + MARK,
        "head": "a1",
        "messages": messages,
    }
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.json").write_text(json.dumps(data), encoding="utf-8")


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The start tags of ``html`` with their attributes (escaped text is not a tag)."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def _translated_constants(root: QWidget) -> set[str]:
    """The texts of form labels as the code wrote them (none of them holds data)."""
    from PySide6.QtWidgets import QFormLayout

    texts = set()
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                texts.add(widget.text())
    return texts


def _labels(root: QWidget) -> list[QLabel]:
    return [label for label in root.findChildren(QLabel) if label.text()]


def _assert_plain(root: QWidget) -> None:
    for label in _labels(root):
        if isinstance(label, BlockLabel) and label.textFormat() == Qt.TextFormat.RichText:
            tags = _tags(label.text())
            names = {name for name, _ in tags}
            assert not names & {"img", "style", "link", "object", "iframe", "script"}, names
            for _, attrs in tags:
                for key, value in attrs:
                    if key in ("href", "src", "background"):
                        assert (value or "").startswith(("https://", "http://", "mailto:")), value
                    assert "@import" not in (value or "") and "url(" not in (value or "")
            continue
        if label.buddy() is not None and label.text() in _translated_constants(root):
            continue  # a form's row label: the dialog's own words, never data
        assert label.textFormat() == Qt.TextFormat.PlainText, (
            f"{type(label).__name__} {label.objectName()!r} may show markup: {label.text()!r}"
        )
    for widget in [root, *root.findChildren(QWidget)]:
        assert "<img" not in widget.toolTip() and "<b>" not in widget.toolTip(), (
            widget.objectName(),
            widget.toolTip(),
        )


def test_every_label_shows_data_as_plain_text(start_app: Any, qtbot: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_settings(
        data, [{"id": "local", "name": "Local " + MARK, "base_url": "http://127.0.0.1:9/v1"}]
    )
    _hostile_conversation(data)
    app = start_app(data)
    window = app.window
    sidebar = window.sidebar
    index = sidebar.model.index(sidebar.model.row_of("hostile"))
    sidebar.view.setCurrentIndex(index)
    qtbot.waitUntil(lambda: len(window.chat_view.message_widgets()) == 2)
    window.chat_view.flush()

    # What is shown is the text itself, markup and all.
    assert window.title_label.text() == "Title " + MARK
    assert "<img" not in str(index.data(Qt.ItemDataRole.ToolTipRole))
    _question, reply = window.chat_view.message_widgets()
    assert reply.header.text() == "model " + MARK
    code = reply.findChildren(QLabel, "codeLanguage")
    assert code and code[0].text().startswith("<img")
    _assert_plain(window)

    # The dialogs that show the same data.
    window.open_conversation_settings()
    qtbot.waitUntil(lambda: window.conversation_settings_dialog is not None)
    dialog = window.conversation_settings_dialog
    _assert_plain(dialog)
    dialog.reject()

    sidebar.confirm_delete("hostile")
    box = sidebar.confirm_box
    assert box is not None and "<img" in box.text()
    _assert_plain(box)
    box.reject()


def test_the_trash_lists_a_hostile_title_plainly(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_settings(data, [{"id": "local", "name": "Local", "base_url": "http://127.0.0.1:9/v1"}])
    _hostile_conversation(data)
    app = start_app(data)
    app.conversations.delete("hostile")
    window = app.window
    window.open_trash()
    qtbot.waitUntil(lambda: window.trash_dialog is not None)
    dialog = window.trash_dialog
    item = dialog.list.topLevelItem(0)
    assert item is not None and item.text(0) == "Title " + MARK
    # Item views draw their text plainly; their tooltips would not be.
    assert not item.toolTip(0)
    _assert_plain(dialog)
    dialog.close()
    QApplication.processEvents()
