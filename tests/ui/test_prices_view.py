"""Users override or add prices; the meter and the replies use them at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import write_settings


def test_adding_and_overriding_prices_changes_costs_and_is_kept(
    start_app: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    write_settings(
        tmp_path / "data",
        [
            {
                "id": "local",
                "name": "Loopback",
                "base_url": openai_server.base_url,
                "default_model": "my-local-model",
            }
        ],
    )
    app = start_app()
    qtbot.keyClicks(app.window.composer.edit, "hello")
    meter = app.window.composer.meter
    qtbot.waitUntil(lambda: "Next send" in meter.text())
    assert "$" not in meter.text()  # unknown model: no invented cost
    dialog = app.window.open_prices()
    models = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert "gpt-4o-mini" in models and "deepseek-chat" in models
    dialog.add_row()
    row = dialog.table.rowCount() - 1
    for column, text in enumerate(["my-local-model", "1000", "500", "2000", "32000"]):
        dialog.table.item(row, column).setText(text)
    assert dialog.save_row(row)
    dialog.close()
    qtbot.waitUntil(lambda: "$" in meter.text())
    assert "of the 32k context" in meter.text()
    app.settings.wait_for_writes()  # settings.json is written in its thread
    saved = json.loads((app.data_dir / "settings.json").read_text())["prices"]
    assert saved["my-local-model"]["input"] == 1000.0
    assert saved["my-local-model"]["context"] == 32000

    again = app.window.open_prices()
    rows = {again.table.item(r, 0).text(): r for r in range(again.table.rowCount())}
    r = rows["gpt-4o-mini"]
    again.table.item(r, 1).setText("abc")
    assert "must be numbers" in again.status.text()
    again.table.setCurrentCell(rows["my-local-model"], 0)
    again.reset_button.click()
    app.settings.wait_for_writes()  # settings.json is written in its thread
    assert "my-local-model" not in json.loads((app.data_dir / "settings.json").read_text()).get(
        "prices", {}
    )
    again.close()


def test_the_table_shows_whole_names_and_grouped_right_aligned_figures(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QHeaderView

    from desktop.ui import formats

    write_settings(tmp_path / "data", [])
    app = start_app()
    dialog = app.window.open_prices()
    table = dialog.table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    context = table.item(rows["gemini-1.5-flash"], 4)
    assert context.text() == formats.number(1_000_000) == "1,000,000"  # the C locale, grouped
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for column in (1, 2, 3, 4):
        assert Qt.AlignmentFlag(table.item(rows["gpt-4o-mini"], column).textAlignment()) == right
    assert Qt.AlignmentFlag(table.item(rows["gpt-4o-mini"], 0).textAlignment()) != right
    header = table.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    for column in range(1, 6):
        assert header.sectionResizeMode(column) == QHeaderView.ResizeMode.ResizeToContents
        # No figure and no column title is cut: each column is as wide as its contents.
        assert header.sectionSize(column) >= header.sectionSizeHint(column)

    # A grouped figure, as shown or as typed, is read back as the number it is.
    context.setText("2,000,000")
    assert "Saved" in dialog.status.text()
    assert app.settings.prices.price("gemini-1.5-flash").context == 2_000_000
    dialog.add_row()
    row = table.rowCount() - 1
    assert Qt.AlignmentFlag(table.item(row, 4).textAlignment()) == right
    for column, text in enumerate(["my-model", "1", "0.5", "2", "128000"]):
        table.item(row, column).setText(text)
    assert app.settings.prices.price("my-model").context == 128_000
    assert table.item(row, 4).text() == "128,000"
    table.item(row, 4).setText("12.5k")
    assert "must be numbers" in dialog.status.text()
    dialog.close()
