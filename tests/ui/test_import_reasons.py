"""The readers' reasons (desktop/core/importers/reasons.py) reach the import report in the
user's language: the window's texts (desktop/ui/import_reasons.py) are the catalogue's, code
for code and field for field, and in Chinese the report says what a damaged export lacked in
Chinese, with the fields' values (names, types) as they are."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest

from desktop.core.importers import reasons
from desktop.core.importers.reasons import reason
from desktop.core.services.importing import ImportReport, Skipped
from desktop.ui import import_reasons
from desktop.ui.import_dialogs import ImportReportDialog, report_text


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_each_reason_has_the_windows_text_with_the_same_fields(qapp: Any) -> None:
    texts = import_reasons.texts()
    assert set(texts) == set(reasons.ENGLISH)
    for code, english in reasons.ENGLISH.items():
        assert texts[code] == english, code  # the English the window shows is the catalogue's
        assert fields(texts[code]) == fields(english)


def test_a_reason_reads_in_english_with_its_fields() -> None:
    why = reason(reasons.STOPPED_AFTER, count=12, error="bad zip")
    assert str(why) == "unreadable after conversation 12 (bad zip): those before were read"
    assert import_reasons.say(why) == str(why)
    with pytest.raises(KeyError):
        reason("no such reason")


def test_every_reason_is_chinese_in_chinese(chinese: None) -> None:
    for code, text in import_reasons.texts().items():
        assert text != reasons.ENGLISH[code], code
        assert fields(text) == fields(reasons.ENGLISH[code]), code


def test_the_report_of_a_damaged_export_is_chinese_in_chinese(
    chinese: None, qtbot: Any, tmp_path: Path
) -> None:
    from desktop.core.importers import CHATGPT, Item, Problem, Source, read

    # A real export: one whole conversation, one that is a number, one with an image the
    # export does not have, and the file cut short in the fourth.
    good = {"id": "c1", "title": "Good", "mapping": {}}
    with_image = {
        "id": "c2",
        "title": "Picture",
        "current_node": "n1",
        "mapping": {
            "n1": {
                "id": "n1",
                "parent": None,
                "children": [],
                "message": {
                    "id": "n1",
                    "author": {"role": "user"},
                    "content": {
                        "content_type": "multimodal_text",
                        "parts": [
                            {
                                "content_type": "image_asset_pointer",
                                "asset_pointer": "file-service://file-Missing1",
                            },
                            "Look",
                        ],
                    },
                },
            }
        },
    }
    text = json.dumps([good, 7, with_image, {"id": "c4", "title": "Cut"}])
    path = tmp_path / "conversations.json"
    path.write_text(text[: text.rindex('"title": "Cut"')], encoding="utf-8")
    events = list(read(Source(path, CHATGPT)))
    report = ImportReport(new=2, sources_read=1, written=["a", "b"])
    for event in events:
        if isinstance(event, Problem):
            report.skipped.append(Skipped.by_reader(Path(event.where).name, event.why))
        elif isinstance(event, Item):
            title = event.conversation.title
            report.notes += [Skipped.by_reader(title, note) for note in event.notes]
    assert [s.reason.code for s in report.skipped if s.reason] == [
        reasons.NOT_AN_OBJECT,
        reasons.ENDS_EARLY,
    ]

    dialog = ImportReportDialog(report)
    qtbot.addWidget(dialog)
    shown = dialog.skipped.toPlainText()
    english = [str(s.reason) for s in (*report.skipped, *report.notes) if s.reason]
    assert len(english) == 3
    for line in english:
        assert line not in shown
    assert "conversations.json #2" in shown and "int" in shown  # the values stay as they are
    assert "'file-service://file-Missing1'" in shown
    assert import_reasons.say(report.notes[0].reason) in shown  # type: ignore[arg-type]
    assert dialog.skipped_title.text() != "Skipped, and why:"
    # Copy takes the skipped and, under their own heading, the notes, in Chinese too.
    copied = report_text(report)
    assert import_reasons.say(report.skipped[1].reason) in copied  # type: ignore[arg-type]
    assert import_reasons.say(report.notes[0].reason) in copied  # type: ignore[arg-type]
