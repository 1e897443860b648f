"""Usage: tokens and cost per provider and model, per day or month; export as CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.chat import ChatController
from desktop.core.errors import ConfabError
from desktop.ui import formats, usage_text
from desktop.ui.error_text import detail, explain


class UsageDialog(QDialog):
    def __init__(self, chat: ChatController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageDialog")
        self.setWindowTitle(self.tr("Usage"))
        self.resize(760, 420)
        self._chat = chat
        self.period = QComboBox()
        self.period.setObjectName("usagePeriod")
        self.period.addItem(self.tr("By day"), "day")
        self.period.addItem(self.tr("By month"), "month")
        self.period.currentIndexChanged.connect(self.refresh)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("usageTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Period"),
                self.tr("Provider"),
                self.tr("Model"),
                self.tr("Replies"),
                self.tr("Tokens in"),
                self.tr("Tokens out"),
                self.tr("Cost"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.note = QLabel(
            self.tr(
                "≈ marks figures counted by Confab because the server sent "
                "none. Costs use the price table; unknown models show none."
            )
        )
        self.note.setObjectName("usageNote")
        self.note.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("usageStatus")
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setObjectName("exportUsage")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeUsage")
        layout.addWidget(self.buttons)
        self.refresh()

    @property
    def by(self) -> str:
        return str(self.period.currentData())

    def refresh(self) -> None:
        rows = self._chat.usage_rows(self.by)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            exact = not row.estimated
            cells = [
                row.period,
                row.provider_name or row.provider,
                row.model,
                formats.number(row.replies),
                usage_text.tokens(row.prompt_tokens, exact),
                usage_text.tokens(row.completion_tokens, exact),
                usage_text.money(row.cost) if row.cost is not None else "—",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)

    def export_to(self, path: Path) -> bool:
        try:
            self._chat.export_usage(path, self.by)
        except ConfabError as exc:
            self.status.setText(explain(exc) + (" " + detail(exc) if detail(exc) else ""))
            return False
        self.status.setText(self.tr("Saved {name}.").format(name=path.name))
        return True

    def _on_export_button_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export usage"), f"confab-usage-{self.by}.csv", "CSV (*.csv)"
        )
        if name:
            self.export_to(Path(name))
