"""Usage: tokens and cost per provider and model, per day or month; export as CSV.

The figures come from the index (ChatController.usage_table: a query in a thread of its own,
no conversation file read), so the dialog opens at once with "Counting usage…" and fills in
when the answer comes; it asks again whenever the figures may have changed while it is open
(a reply saved, a sync tool's file, the index still counting: ``usage_changed``), one query
at a time. Figures the index has not finished counting are shown as such, never as final,
and cannot be exported until they are. The table is a model over the rows, so a library of
thirty years by day (10,000 rows and more) costs the UI thread only the rows on screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.chat import ChatController
from desktop.core.errors import ConfabError
from desktop.core.tasks import TaskSet
from desktop.core.usage import UsageFigures, UsageRow, UsageTable
from desktop.ui import formats, usage_text
from desktop.ui.error_text import detail

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class UsageModel(QAbstractTableModel):
    """The rows of the Usage table, each cell made as Qt asks for it (the rows on screen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[UsageRow] = []
        # The dialog's words (translated as they were when the table was the dialog's own).
        self._headers = [
            QCoreApplication.translate("UsageDialog", "Period"),
            QCoreApplication.translate("UsageDialog", "Provider"),
            QCoreApplication.translate("UsageDialog", "Model"),
            QCoreApplication.translate("UsageDialog", "Replies"),
            QCoreApplication.translate("UsageDialog", "Tokens in"),
            QCoreApplication.translate("UsageDialog", "Tokens out"),
            QCoreApplication.translate("UsageDialog", "Cost"),
        ]

    def set_rows(self, rows: list[UsageRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 3:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (1, 2):
            return self.text(index.row(), index.column())  # shown in full, should it be cut
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.text(index.row(), index.column())

    def text(self, row_number: int, column: int) -> str:
        row = self.rows[row_number]
        exact = not row.estimated
        if column == 0:
            return row.period
        if column == 1:
            return row.provider_name or row.provider
        if column == 2:
            return row.model
        if column == 3:
            return formats.number(row.replies)
        if column == 4:
            return usage_text.tokens(row.prompt_tokens, exact)
        if column == 5:
            return usage_text.tokens(row.completion_tokens, exact)
        return usage_text.money(row.cost) if row.cost is not None else "—"


class UsageDialog(QDialog):
    def __init__(self, chat: ChatController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageDialog")
        self.setWindowTitle(self.tr("Usage"))
        self.resize(860, 440)
        self._chat = chat
        self._tasks = TaskSet()
        self._asking = False  # a query is under way
        self._ask_again = False  # the figures changed (or the period) while it ran
        self.shown: UsageTable | None = None  # what the table shows (None: nothing yet)
        self.period = QComboBox()
        self.period.setObjectName("usagePeriod")
        self.period.addItem(self.tr("By day"), "day")
        self.period.addItem(self.tr("By month"), "month")
        self.period.currentIndexChanged.connect(self._on_period_current_index_changed)
        self.model = UsageModel(self)
        self.table = QTableView()
        self.table.setObjectName("usageTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self._size_columns()
        self.progress = QLabel()
        self.progress.setObjectName("usageProgress")
        self.progress.setWordWrap(True)
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
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeUsage")
        layout.addWidget(self.buttons)
        chat.usage_changed.connect(self.refresh)
        self.finished.connect(self._on_finished)
        self.refresh()

    def _size_columns(self) -> None:
        """The model's column takes the room left: the others hold a date and figures of a
        known width. (All alike, model names such as "deepseek-chat" were cut short beside
        half-empty columns of figures; sized to the contents, every answer while counting
        would measure the rows again.)"""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        samples = {0: "2026-12-31", 1: "OpenRouter", 3: "1,000,000", 4: "≈100,000,000"}
        samples |= {5: samples[4], 6: "$10,000.00"}
        for column, sample in samples.items():
            wanted = metrics.horizontalAdvance(sample) + 2 * metrics.averageCharWidth() + 8
            label = header.sectionSizeFromContents(column).width()
            header.resizeSection(column, max(wanted, label))

    @property
    def by(self) -> str:
        return str(self.period.currentData())

    @property
    def counting(self) -> bool:
        """The figures shown are not final yet (or not there yet)."""
        return self.shown is None or not self.shown.figures.complete

    def refresh(self) -> None:
        """Ask the index for the figures (once the query under way, if any, has answered)."""
        if self._asking:
            self._ask_again = True
            return
        if self.shown is None:
            self._show_progress(None)
        self._asking = True
        self._tasks.spawn(self._ask())

    async def _ask(self) -> None:
        try:
            while True:
                self._ask_again = False
                by = self.by
                table = await self._chat.usage_table(by)
                if by != self.by:
                    continue  # asked for the other period meanwhile
                # Shown even when the figures moved while it ran: counting a large index
                # moves them every few milliseconds, faster than a query of it answers, and
                # each answer thrown away for the next left the dialog at its first count
                # until the counting had ended. The newer figures follow.
                self._show(table, settled=not self._ask_again)
                if not self._ask_again:
                    return
        finally:
            self._asking = False

    def _show(self, table: UsageTable, *, settled: bool = True) -> None:
        """``settled``: nothing has moved the figures since they were asked for (Export
        waits for that)."""
        self.shown = table
        self.model.set_rows(table.rows)
        self._show_progress(table.figures)
        self.export_button.setEnabled(table.figures.complete and settled)

    def _show_progress(self, figures: UsageFigures | None) -> None:
        if figures is not None and figures.complete:
            self.progress.hide()
            self.progress.clear()
            return
        if figures is None or not figures.readable or figures.counted >= figures.total:
            text = self.tr("Counting usage…")
        else:
            text = self.tr("Counting usage: {done} of {total} conversations…").format(
                done=formats.number(figures.counted), total=formats.number(figures.total)
            )
        if figures is not None and figures.cells:
            text += " " + self.tr("The figures below are not complete yet.")
        self.progress.setText(text)
        self.progress.show()

    def _on_period_current_index_changed(self, _index: int) -> None:
        self.refresh()

    async def export_to(self, path: Path) -> bool:
        """Write the table as shown to ``path`` as CSV (off the UI thread); says how it went
        in the status line."""
        if self.shown is None or not self.shown.figures.complete:
            return False
        try:
            await self._chat.export_usage(path, self.shown.rows)
        except ConfabError as exc:
            # Not explain(exc): its words are about conversations kept in memory and retried.
            self.status.setText(
                self.tr("The usage could not be exported: {detail}").format(detail=detail(exc))
            )
            return False
        self.status.setText(self.tr("Saved {name}.").format(name=path.name))
        return True

    def _on_export_button_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export usage"), f"confab-usage-{self.by}.csv", "CSV (*.csv)"
        )
        if name:
            self._tasks.spawn(self.export_to(Path(name)))

    def _on_finished(self, _result: int) -> None:
        # Nothing may touch the dialog once it is gone (it is deleted when closed).
        self._chat.usage_changed.disconnect(self.refresh)
        self._tasks.cancel()
