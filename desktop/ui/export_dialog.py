"""File → Export… (and the sidebar's Export… for a selection): what to export (this
conversation, the selected ones, everything) and as what (Markdown, HTML, PDF, Confab JSON,
the library archive), then where; the export runs in its own thread
(desktop/controllers/exporting.py) with a progress bar and Cancel, and ends with what was
written and a button that shows it in the file manager."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.exporting import ExportJob
from desktop.core.errors import ConfabError
from desktop.core.export.common import Labels, Style, safe_name
from desktop.core.services.exporting import EXTENSIONS, Exporter, ExportResult
from desktop.ui import formats, plain
from desktop.ui.error_text import detail

# What the scope buttons mean.
CURRENT, SELECTED, EVERYTHING = "current", "selected", "everything"


class ExportDialog(QDialog):
    def __init__(
        self,
        make_exporter: Callable[[Style], Exporter],
        *,
        current: tuple[str, str] | None,
        selected: Sequence[str] | None = None,
        total: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        """``current``: the conversation on screen (id, title), if it has a file;
        ``selected``: the sidebar's selection, if the export was asked for it; ``total``:
        how many conversations the library lists."""
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(self.tr("Export"))
        self._make_exporter = make_exporter
        self._current = current
        self._selected = list(selected or [])
        self.job: ExportJob | None = None
        self.outcome: ExportResult | None = None
        self.target: Path | None = None
        self._close_when_done = False

        self.current_button = QRadioButton(self.tr("This conversation"))
        if current is not None:
            self.current_button.setText(
                self.tr("This conversation: {title}").format(title=_short(current[1]))
            )
        self.current_button.setEnabled(current is not None)
        self.selected_button = QRadioButton(
            self.tr("The {count} selected conversations").format(count=len(self._selected))
        )
        self.selected_button.setVisible(len(self._selected) > 1)
        self.everything_button = QRadioButton(
            self.tr("Everything ({count} conversations)").format(count=formats.number(total))
        )
        self.scope = QButtonGroup(self)
        for button in (self.current_button, self.selected_button, self.everything_button):
            self.scope.addButton(button)
        if len(self._selected) > 1:
            self.selected_button.setChecked(True)
        elif current is not None:
            self.current_button.setChecked(True)
        else:
            self.everything_button.setChecked(True)

        self.format_combo = QComboBox()
        self.format_combo.setObjectName("exportFormat")
        for fmt, name in (
            ("md", self.tr("Markdown (.md)")),
            ("html", self.tr("Web page (.html)")),
            ("pdf", self.tr("PDF (.pdf)")),
            ("json", self.tr("Confab conversation file (.json)")),
            ("zip", self.tr("Confab archive, every branch (.zip)")),
        ):
            self.format_combo.addItem(name, fmt)
        self.format_combo.currentIndexChanged.connect(self._update)
        self.folder_box = QCheckBox(self.tr("As files in a folder, not one .zip"))
        self.note = plain.label("")
        self.note.setWordWrap(True)
        self.note.setObjectName("exportNote")

        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.status = plain.label("")
        self.status.setWordWrap(True)
        self.status.setObjectName("exportStatus")
        self.status.setVisible(False)

        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.show_button = QPushButton(self.tr("Show in Folder"))
        self.show_button.setVisible(False)
        self.show_button.clicked.connect(self.show_in_folder)

        scope_box = QVBoxLayout()
        for button in (self.current_button, self.selected_button, self.everything_button):
            scope_box.addWidget(button)
        form = QFormLayout()
        form.addRow(self.tr("Export:"), scope_box)
        form.addRow(self.tr("Format:"), self.format_combo)
        form.addRow("", self.folder_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(480, self.sizeHint().height())
        for button in (self.current_button, self.selected_button, self.everything_button):
            button.toggled.connect(self._update)
        self._update()

    # ---- choices ------------------------------------------------------------------------

    @property
    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    @property
    def ids(self) -> list[str] | None:
        """The conversations chosen (None: everything)."""
        if self.current_button.isChecked() and self._current is not None:
            return [self._current[0]]
        if self.selected_button.isChecked():
            return list(self._selected)
        return None

    @property
    def many(self) -> bool:
        ids = self.ids
        return ids is None or len(ids) > 1

    @property
    def into_folder(self) -> bool:
        return self.many and self.fmt != "zip" and self.folder_box.isChecked()

    def _update(self) -> None:
        self.folder_box.setVisible(self.many and self.fmt != "zip")
        if self.fmt == "zip":
            note = self.tr(
                "One .zip with every branch of each conversation, as Confab keeps them; for the "
                "whole library also its attachments and settings, never a key. Confab imports it."
            )
        elif self.fmt == "json":
            note = self.tr("The conversation files themselves, with every branch.")
        else:
            note = self.tr("The branch on screen of each conversation, with its reasoning.")
        self.note.setText(note)

    # ---- running ------------------------------------------------------------------------

    def labels(self) -> Labels:
        """The words of the exported documents, in the window's language."""
        return Labels(
            you=self.tr("You"),
            assistant=self.tr("Assistant"),
            system=self.tr("System"),
            thinking=self.tr("Thinking"),
            system_prompt=self.tr("System prompt"),
            model=self.tr("Model"),
            created=self.tr("Created"),
            tags=self.tr("Tags"),
            untitled=self.tr("Untitled"),
            exported=self.tr("Exported from Confab on {date}"),
            version=self.tr("version {number} of {count}"),
            stopped=self.tr("The reply was stopped."),
            interrupted=self.tr("The reply was cut short."),
            failed=self.tr("The reply failed: {error}"),
            code=self.tr("code"),
            tool_call=self.tr("Tool call: {name}"),
            tool_output=self.tr("Tool output"),
            tool_output_named=self.tr("Tool output: {name}"),
        )

    def choose_target(self) -> Path | None:
        """Where to write: a file for one conversation or a .zip, a folder for files."""
        if self.into_folder:
            name = QFileDialog.getExistingDirectory(self, self.tr("Export into folder"))
            return Path(name) if name else None
        extension = ".zip" if self.many else EXTENSIONS[self.fmt]
        if self.many:
            stem = self.tr("Confab export {date}").format(date=date.today().isoformat())
        else:
            stem = safe_name(self._current[1] if self._current else "", self.tr("Untitled"))
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export"), stem + extension, f"*{extension}"
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == extension else path.with_name(path.name + extension)

    def start(self, target: Path) -> None:
        """Export to ``target`` (the window asks where; tests say it)."""
        self.target = target
        # The page's lang (browsers pick CJK fonts by it); Qt calls the C locale en-POSIX.
        language = self.locale().bcp47Name().removesuffix("-POSIX") or "en"
        exporter = self._make_exporter(Style(labels=self.labels(), language=language))
        self.job = ExportJob(exporter, self)
        self.job.progressed.connect(self._on_job_progressed)
        self.job.finished.connect(self._on_job_finished)
        self.job.failed.connect(self._on_job_failed)
        for widget in (self.current_button, self.selected_button, self.everything_button):
            widget.setEnabled(False)
        self.format_combo.setEnabled(False)
        self.folder_box.setEnabled(False)
        self.export_button.setEnabled(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.status.setText(self.tr("Exporting…"))
        self.status.setVisible(True)
        self.job.start(self.ids, self.fmt, target)

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def _on_export_button_clicked(self) -> None:
        target = self.choose_target()
        if target is not None:
            self.start(target)

    def _on_cancel_button_clicked(self) -> None:
        if self.running:
            assert self.job is not None
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling…"))
        else:
            self.reject()

    def _on_job_progressed(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.status.setText(
            self.tr("Exporting: {done} of {total} conversations…").format(done=done, total=total)
        )

    def _ended(self) -> None:
        self.progress_bar.setVisible(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Close"))
        self.export_button.setVisible(False)

    def _on_job_finished(self, result: ExportResult) -> None:
        self.outcome = result
        self._ended()
        if result.cancelled:
            self.status.setText(self.tr("The export was cancelled; nothing was left behind."))
            self._close_if_asked()
            return
        if result.conversations == 1:
            text = self.tr("Exported 1 conversation to {path}.")
        else:
            text = self.tr("Exported {count} conversations to {path}.")
        text = text.format(count=result.conversations, path=str(result.path))
        if result.skipped:
            text += " " + self.tr(
                "{count} files could not be read and were left out: {names}"
            ).format(
                count=len(result.skipped), names=", ".join(name for name, _ in result.skipped[:5])
            )
        self.status.setText(text)
        self.show_button.setVisible(True)
        self._close_if_asked()

    def _close_if_asked(self) -> None:
        if self._close_when_done:
            super().reject()

    def _on_job_failed(self, error: ConfabError) -> None:
        self._ended()
        self.status.setText(
            self.tr("The export could not be written: {detail}").format(detail=detail(error))
        )
        self._close_if_asked()

    def show_in_folder(self) -> bool:
        """Open the folder that holds what was written in the file manager."""
        if self.outcome is None:
            return False
        path = self.outcome.path
        folder = path if path.is_dir() else path.parent
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def reject(self) -> None:
        # Closing while it runs: stop it, and close once its thread has ended (it stops
        # between two conversations and leaves nothing behind); the UI thread never waits.
        if self.running:
            self._close_when_done = True
            self._on_cancel_button_clicked()
            return
        super().reject()

    async def shutdown(self) -> None:
        """Quitting: stop the export and wait (without blocking) until its thread has ended."""
        import asyncio

        if self.job is not None:
            self.job.cancel()
            while self.job.running:
                await asyncio.sleep(0.02)


def _short(title: str, most: int = 50) -> str:
    title = " ".join(title.split())
    return title if len(title) <= most else title[: most - 1] + "…"
