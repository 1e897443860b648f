"""Prices: the shipped table with the user's own prices on top, editable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.settings import SettingsController
from desktop.ui import formats

COLUMNS = 6  # model, input, cached input, output, context, checked
NUMBER_COLUMNS = (1, 2, 3, 4)
CONTEXT_COLUMN = 4
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def parse_integer(text: str) -> int:
    """A whole number as the table shows it ("1,000,000", grouped in the display locale) or
    as typed (with or without grouping). ValueError if it is not one."""
    separators = {formats.display_locale().groupSeparator(), ",", " ", "\u00a0", "\u202f", "_"}
    for separator in separators:
        text = text.replace(separator, "")
    return int(text)


class PricesDialog(QDialog):
    def __init__(self, settings: SettingsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pricesDialog")
        self.setWindowTitle(self.tr("Prices"))
        self.resize(780, 460)
        self._settings = settings
        self._loading = False
        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("pricesTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Model"),
                self.tr("Input $/1M"),
                self.tr("Cached input $/1M"),
                self.tr("Output $/1M"),
                self.tr("Context"),
                self.tr("Checked"),
            ]
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        # The model's name takes the room left; the figures are as wide as they need.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in NUMBER_COLUMNS:
            header_item = self.table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setTextAlignment(NUMBER_ALIGNMENT)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.note = QLabel(
            self.tr(
                "Prices per million tokens, as each provider lists them on the date shown. Edit a "
                "cell to use your own price; your prices are kept in settings.json."
            )
        )
        self.note.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("pricesStatus")
        self.add_button = QPushButton(self.tr("Add Model"))
        self.add_button.setObjectName("addPrice")
        self.add_button.clicked.connect(self.add_row)
        self.reset_button = QPushButton(self.tr("Use Shipped Price"))
        self.reset_button.setObjectName("resetPrice")
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self._loading = True
        overrides = set(self._settings.price_overrides())
        items = self._settings.prices.items()
        self.table.setRowCount(len(items))
        for row, (model, price) in enumerate(items):
            values = [
                model,
                f"{price.input:g}",
                f"{price.cached_input:g}",
                f"{price.output:g}",
                formats.number(price.context) if price.context else "",
                price.checked,
            ]
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column in NUMBER_COLUMNS:
                    item.setTextAlignment(NUMBER_ALIGNMENT)
                if column in (0, 5):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if model in overrides:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self._loading = False

    def add_row(self) -> None:
        self._loading = True
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column in range(COLUMNS):
            item = QTableWidgetItem("0" if column in (1, 2, 3) else "")
            if column in NUMBER_COLUMNS:
                item.setTextAlignment(NUMBER_ALIGNMENT)
            self.table.setItem(row, column, item)
        self._loading = False
        self.table.setCurrentCell(row, 0)
        first = self.table.item(row, 0)
        if first is not None:
            # The model name of a new row is typed by the user, so it is editable here.
            first.setFlags(first.flags() | Qt.ItemFlag.ItemIsEditable)
            self.table.editItem(first)

    def save_row(self, row: int) -> bool:
        def text(column: int) -> str:
            item = self.table.item(row, column)
            return item.text().strip() if item is not None else ""

        model = text(0)
        if not model:
            return False
        try:
            input_price, cached, output = (float(text(c) or 0) for c in (1, 2, 3))
            context = parse_integer(text(CONTEXT_COLUMN)) if text(CONTEXT_COLUMN) else None
        except ValueError:
            self.status.setText(self.tr("Prices and the context must be numbers."))
            return False
        if min(input_price, cached, output) < 0:
            self.status.setText(self.tr("Prices cannot be negative."))
            return False
        self._settings.set_price(model, input_price, cached, output, context)
        shown = self.table.item(row, CONTEXT_COLUMN)
        if shown is not None and context is not None:
            self._loading = True  # the same figure, grouped as the other rows show it
            shown.setText(formats.number(context))
            self._loading = False
        self.status.setText(self.tr("Saved the price of {model}.").format(model=model))
        return True

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        # Saved cell by cell; the table is not re-sorted under the user's hands.
        self.save_row(item.row())

    def _on_reset_button_clicked(self) -> None:
        item = self.table.item(self.table.currentRow(), 0)
        if item is not None:
            self._settings.remove_price_override(item.text())
            self.reload()
